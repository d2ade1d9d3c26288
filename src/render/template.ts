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
    throw new TemplateError(`template ${source} cannot be parsed: ${(error as Error).message}`, { cause: error });
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
