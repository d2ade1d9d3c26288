import Mustache from 'mustache';
import { checkValue } from './check-view.js';
import type { Template } from './template.js';

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** An item's rendered text, and whether it has been flattened yet. */
interface Kept {
  text: string;
  flat: boolean;
}

/**
 * Renders a template over and over, as `Mustache.render` would, but keeps the text of each item of a top-level
 * array section (`{{#servers}}`, `{{#upstreams}}`) keyed by the item object: an item the view builder reuses is not
 * rendered again. At 20k pods a full render is ~100x the work of the few hosts a window usually changes.
 *
 * Same output as `Mustache.render(text, view, {}, { escape: checkValue })`: Mustache renders an array section by
 * concatenating its items rendered in `context.push(item)`, which is what this does, item by item. An item's text
 * may also read the view's scalars (`{{port}}`), so any change of those drops every kept text; a section that reads
 * a top-level array from inside its items is never kept.
 */
export class ConfigRenderer {
  private readonly tokens: Token[];
  private readonly writer = new Mustache.Writer();
  private readonly config = { escape: checkValue };
  private kept: WeakMap<object, Kept>[] = [];
  private scalars = '';

  constructor(private readonly template: Template) {
    this.tokens = this.writer.parse(template.text) as unknown as Token[];
  }

  /** Renders the view; values pass the allow-list check in place of HTML escaping. */
  render(view: object): string {
    return this.renderParts(view).join('');
  }

  /** Renders the view as the pieces of its text: an item that did not change gives the very same string. */
  renderParts(view: object): string[] {
    const context = new Mustache.Context(view);
    const scalars = JSON.stringify(Object.entries(view).filter(([, value]) => typeof value !== 'object'));
    if (scalars !== this.scalars) {
      this.kept = [];
      this.scalars = scalars;
    }
    const parts: string[] = [];
    this.tokens.forEach((token, index) => {
      const items = token[0] === '#' ? (context.lookup(token[1]) as unknown) : undefined;
      if (!Array.isArray(items) || !this.keepable(token, view)) {
        parts.push(this.renderTokens([token], context));
        return;
      }
      const kept = (this.kept[index] ??= new WeakMap());
      for (const item of items as unknown[]) {
        if (typeof item !== 'object' || item === null) {
          parts.push(this.renderTokens(token[4] ?? [], context.push(item)));
          continue;
        }
        let entry = kept.get(item);
        if (entry === undefined) {
          kept.set(item, (entry = { text: this.renderTokens(token[4] ?? [], context.push(item)), flat: false }));
        } else if (!entry.flat) {
          // Used a second time: flatten it now, once (a text used once is flattened by the join anyway).
          entry.text = flat(entry.text);
          entry.flat = true;
        }
        parts.push(entry.text);
      }
    });
    return parts;
  }

  private renderTokens(tokens: Token[], context: Mustache.Context): string {
    return this.writer.renderTokens(tokens as never, context, {}, this.template.text, this.config as never) ?? '';
  }

  /** Tells whether no name inside the section can reach a top-level array or object of the view. */
  private keepable(token: Token, view: object): boolean {
    const containers = new Set(
      Object.entries(view)
        .filter(([, value]) => typeof value === 'object' && value !== null)
        .map(([key]) => key),
    );
    const reaches = (tokens: Token[]): boolean =>
      tokens.some(
        (inner) =>
          (inner[0] !== 'text' && containers.has(inner[1].split('.')[0]!)) ||
          (inner[4] !== undefined && reaches(inner[4])),
      );
    return !reaches(token[4] ?? []);
  }
}

/**
 * Returns the text flattened: Mustache builds it by `+=`, a rope of hundreds of pieces, and every join of the whole
 * config would walk each rope again (a render at 20k pods spent 140 ms there). Reading a character makes V8 flatten
 * the rope in place, once.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
