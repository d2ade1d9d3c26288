// Template checks, no I/O: reading the file is src/commands/load-template.ts.
import Mustache from 'mustache';

/** A template that cannot be used: unreadable, malformed, or able to bypass the value check. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** A parsed template known to print every value through the checked path. */
export interface Template {
  readonly source: string;
  readonly text: string;
}

/**
 * Parses template text, refusing unescaped output (`{{{x}}}`, `{{&x}}`) and partials: every value must go through
 * the allow-list check that replaces HTML escaping.
 */
export function compileTemplate(text: string, source: string): Template {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new TemplateError(`template ${source} cannot be parsed: ${message}${quoteAt(text, message)}`, {
      cause: error,
    });
  }
  const bad = findToken(tokens, new Set(['&', '{', '>']));
  if (bad !== null) {
    throw new TemplateError(`template ${source} uses unchecked output or a partial ("${bad}"); use {{name}} only`);
  }
  return { source, text };
}

function findToken(tokens: unknown[], kinds: Set<string>): string | null {
  for (const token of tokens) {
    if (!Array.isArray(token)) continue;
    const [kind, value] = token as [string, string];
    if (kinds.has(kind)) return `${kind === '>' ? '{{>' : kind === '&' ? '{{&' : '{{{'}${value}`;
    const nested = token[4];
    if (Array.isArray(nested)) {
      const found = findToken(nested, kinds);
      if (found !== null) return found;
    }
  }
  return null;
}

// Mustache names a character offset ("Unclosed tag at 61"), often the end of the text: quote the line the user
// wrote where the unclosed tag or section opens, with its number.
function quoteAt(text: string, message: string): string {
  const match = / at (\d+)$/.exec(message);
  if (match === null) return '';
  const section = /^Unclosed section "(.*)"/.exec(message)?.[1];
  let offset = Math.min(Number(match[1]), text.length);
  if (section !== undefined)
    offset = Math.max(text.lastIndexOf(`{{#${section}}}`), text.lastIndexOf(`{{^${section}}}`), 0);
  else if (message.startsWith('Unclosed tag')) offset = Math.max(text.lastIndexOf('{{', offset), 0);
  const lineNumber = text.slice(0, offset).split('\n').length;
  const line = text.split('\n')[lineNumber - 1] ?? '';
  return ` (line ${lineNumber}: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line)})`;
}
