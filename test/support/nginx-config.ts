/**
 * Reads nginx.conf the way nginx does (ngx_conf_read_token: words, quoted strings, `\` escapes, `${var}`, `;`, `{`,
 * `}` and `#` comments at the start of a token) and turns it into a tree of directives, so tests can check a
 * rendered config's structure instead of its text.
 */

/** One token as nginx sees it. */
export type ConfigToken =
  | { readonly type: 'word'; readonly text: string; readonly quoted: boolean }
  | { readonly type: ';' | '{' | '}' }
  | { readonly type: 'comment'; readonly text: string };

/** A directive with its arguments and, for blocks, its children. */
export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  /** Whether an argument was written in quotes (nginx treats `''` differently from a bare word). */
  readonly quoted: readonly boolean[];
  readonly block: readonly Directive[] | null;
  /** Comments written directly inside this block (for a block directive). */
  readonly comments: readonly string[];
}

/** A config nginx's tokenizer could not read the way we expect. */
export class ConfigSyntaxError extends Error {
  override readonly name = 'ConfigSyntaxError';
}

const SPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits config text into tokens with nginx's rules; throws ConfigSyntaxError on an unterminated quote. */
export function tokenizeConfig(text: string): ConfigToken[] {
  const tokens: ConfigToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (SPACE.has(ch)) i++;
    else if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ type: ch });
      i++;
    } else if (ch === '#') {
      const end = text.indexOf('\n', i);
      tokens.push({ type: 'comment', text: text.slice(i, end === -1 ? text.length : end) });
      i = end === -1 ? text.length : end + 1;
    } else if (ch === '"' || ch === "'") {
      i = readQuoted(text, i, tokens);
    } else {
      i = readWord(text, i, tokens);
    }
  }
  return tokens;
}

function readQuoted(text: string, start: number, tokens: ConfigToken[]): number {
  const quote = text[start]!;
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) value += text[++i];
    else if (ch === quote) {
      tokens.push({ type: 'word', text: value, quoted: true });
      const next = text[i + 1];
      // nginx demands a space, ";" or "{" after a closing quote.
      if (next !== undefined && !SPACE.has(next) && next !== ';' && next !== '{') {
        throw new ConfigSyntaxError(`unexpected ${JSON.stringify(next)} after a quoted string at ${i + 1}`);
      }
      return i + 1;
    } else value += ch;
  }
  throw new ConfigSyntaxError(`unterminated quoted string from ${start}`);
}

// Everything that cannot end or change a word; the loop below handles `\\` escapes and `${`.
const WORD_CHUNK = /[^ \t\r\n;{\\$]+/y;

function readWord(text: string, start: number, tokens: ConfigToken[]): number {
  let value = '';
  let i = start;
  for (;;) {
    WORD_CHUNK.lastIndex = i;
    const chunk = WORD_CHUNK.exec(text);
    if (chunk !== null) {
      value += chunk[0];
      i += chunk[0].length;
    }
    const ch = text[i];
    if (ch === '\\') {
      value += text.slice(i, i + 2);
      i += 2;
    } else if (ch === '$') {
      // `${name}`: the brace after `$` belongs to the word, as in nginx.
      const braced = text[i + 1] === '{';
      value += braced ? '${' : '$';
      i += braced ? 2 : 1;
    } else {
      break;
    }
  }
  tokens.push({ type: 'word', text: value, quoted: false });
  return i;
}

/** Parses tokens into the main context's directives; throws ConfigSyntaxError on unbalanced braces. */
export function parseConfig(text: string): Directive {
  const tokens = tokenizeConfig(text);
  let at = 0;
  const readBlock = (name: string, args: string[], quoted: boolean[], nested: boolean): Directive => {
    const block: Directive[] = [];
    const comments: string[] = [];
    let words: Extract<ConfigToken, { type: 'word' }>[] = [];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      if (token.type === 'comment') comments.push(token.text);
      else if (token.type === 'word') words.push(token);
      else if (token.type === '}') {
        if (!nested || words.length > 0) throw new ConfigSyntaxError(`unexpected "}" in ${name}`);
        return { name, args, quoted, block, comments };
      } else {
        const [head, ...rest] = words;
        if (head === undefined) throw new ConfigSyntaxError(`"${token.type}" without a directive in ${name}`);
        const childArgs = rest.map((w) => w.text);
        const childQuoted = rest.map((w) => w.quoted);
        words = [];
        if (token.type === ';')
          block.push({ name: head.text, args: childArgs, quoted: childQuoted, block: null, comments: [] });
        else block.push(readBlock(head.text, childArgs, childQuoted, true));
      }
    }
    if (nested || words.length > 0) throw new ConfigSyntaxError(`unexpected end of file in ${name}`);
    return { name, args, quoted, block, comments };
  };
  return readBlock('main', [], [], false);
}

/** Visits every directive with the names of the blocks around it (`main>http>server`). */
export function walkConfig(
  root: Directive,
  visit: (directive: Directive, context: string) => void,
  context = root.name,
): void {
  for (const child of root.block ?? []) {
    visit(child, context);
    if (child.block !== null) walkConfig(child, visit, `${context}>${child.name}`);
  }
}
