import Mustache from 'mustache';
import { alignByIdentity } from '../model/host-list.js';
import { checkValue } from './check-view.js';
import type { Template } from './template.js';

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** The items of one array section as last rendered, their texts, and which texts are flat, index for index. */
interface LastItems {
  readonly items: readonly unknown[];
  readonly texts: readonly string[];
  readonly flat: Uint8Array;
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
  private kept: WeakMap<object, string>[] = [];
  private last: (LastItems | undefined)[] = [];
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
      this.last = [];
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
      const last = this.last[index] ?? { items: [], texts: [], flat: new Uint8Array(0) };
      // Beside the last render, an item it had (at the same place or a little further) is the same text.
      const found = alignByIdentity(last.items, items);
      const flats = new Uint8Array(items.length);
      const texts = (items as unknown[]).map((item, i) => {
        if (typeof item !== 'object' || item === null) return this.renderTokens(token[4] ?? [], context.push(item));
        const k = found[i]!;
        flats[i] = 1;
        // Used a second time: flattened now, once (a text used once is flattened by the join anyway).
        if (k !== -1) return last.flat[k] === 1 ? last.texts[k]! : flat(last.texts[k]!);
        const text = kept.get(item);
        if (text !== undefined) return flat(text);
        const rendered = this.renderTokens(token[4] ?? [], context.push(item));
        kept.set(item, rendered);
        flats[i] = 0;
        return rendered;
      });
      this.last[index] = { items, texts, flat: flats };
      for (const text of texts) parts.push(text);
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
 * the rope in place, once; a text used a second time is flattened then (one used once is flattened by the join).
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
