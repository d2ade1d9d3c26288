// The one escaping function of the status page: every value goes through `escapeHtml`, by the `html` tag.

/** A piece of markup that is already safe (built by `html`), so it is not escaped again. */
export class Html {
  /** Wraps markup built from escaped parts. */
  constructor(readonly text: string) {}

  /** Returns the markup. */
  toString(): string {
    return this.text;
  }
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

/**
 * Builds markup from a template literal: every interpolated value is escaped with `escapeHtml`, except markup that
 * `html` itself built; arrays are joined; null, undefined and false give nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += render(value) + strings[i + 1]!;
  });
  return new Html(text);
}

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
