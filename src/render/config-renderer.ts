import Mustache from 'mustache';
import { compileTokens, Scope, type Render, type Token } from './compile-template.js';
import type { Template } from './template.js';

/** An item's rendered text, and whether it has been flattened yet. */
interface Kept {
  text: string;
  flat: boolean;
}

/** One top-level token of the template, compiled, with what it kept from the previous render. */
interface TopLevel {
  readonly token: Token;
  /** The whole token compiled (used when it is not an array section whose items can be kept). */
  readonly render: Render;
  /** The section's body compiled, for one item at a time. */
  readonly body: Render;
  kept: WeakMap<object, Kept>;
  /** The items and texts of the previous render, by position: an item at the same place is found without a lookup. */
  items: readonly unknown[];
  texts: (string | undefined)[];
}

/**
 * Renders a template over and over, as `Mustache.render` would, but keeps the text of each item of a top-level
 * array section (`{{#servers}}`, `{{#upstreams}}`) keyed by the item object: an item the view builder reuses is not
 * rendered again. At 20k pods a full render is ~100x the work of the few hosts a window usually changes. The
 * template is compiled once into closures (compile-template.ts), so what is rendered is not interpreted either.
 *
 * Same output as `Mustache.render(text, view, {}, { escape: checkValue })`: Mustache renders an array section by
 * concatenating its items rendered in `context.push(item)`, which is what this does, item by item. An item's text
 * may also read the view's scalars (`{{port}}`), so any change of those drops every kept text; an item whose text
 * read one of the view's lists or objects (a name its own scopes lack) is not kept. Kept texts rely on view objects never changing once
 * rendered: the view builder freezes them.
 */
export class ConfigRenderer {
  private readonly top: TopLevel[];
  private scalars = '';

  constructor(template: Template) {
    const tokens = Mustache.parse(template.text) as unknown as Token[];
    this.top = tokens.map((token) => ({
      token,
      render: compileTokens([token]),
      body: compileTokens(token[4] ?? []),
      kept: new WeakMap(),
      items: [],
      texts: [],
    }));
  }

  /** Renders the view; values pass the allow-list check in place of HTML escaping. */
  render(view: object): string {
    return this.renderParts(view).join('');
  }

  /** Renders the view as the pieces of its text: an item that did not change gives the very same string. */
  renderParts(view: object): string[] {
    this.noteShape(view);
    const scope = new Scope(view);
    const watched = new Watched(view);
    const parts: string[] = [];
    for (let index = 0; index < this.top.length; index++) {
      const top = this.top[index]!;
      const items = top.token[0] === '#' ? (view as Record<string, unknown>)[top.token[1]] : undefined;
      if (!Array.isArray(items) || !(top.token[1] in view)) {
        parts.push(top.render(scope));
        continue;
      }
      const texts = new Array<string | undefined>(items.length);
      for (let i = 0; i < items.length; i++) {
        const item: unknown = items[i];
        const known = item === top.items[i] ? top.texts[i] : undefined;
        const text = known ?? this.itemText(top, item, watched);
        // Only a kept text may be found by position next time.
        texts[i] = known ?? (typeof item === 'object' && item !== null && top.kept.has(item) ? text : undefined);
        parts.push(text);
      }
      top.items = items;
      top.texts = texts;
    }
    return parts;
  }

  private itemText(top: TopLevel, item: unknown, watched: Watched): string {
    if (typeof item !== 'object' || item === null) return top.body(watched.scope.push(item));
    let entry = top.kept.get(item);
    if (entry === undefined) {
      watched.reached = false;
      const text = top.body(watched.scope.push(item));
      // An item whose text read one of the view's lists or objects (not its own) depends on more than itself.
      if (watched.reached) return text;
      top.kept.set(item, (entry = { text, flat: false }));
    } else if (!entry.flat) {
      // Used a second time: flatten it now, once (a text used once is flattened by the join anyway).
      entry.text = flat(entry.text);
      entry.flat = true;
    }
    return entry.text;
  }

  /** Drops every kept text when the view's scalars change: an item's text may read them. */
  private noteShape(view: object): void {
    const scalars: [string, unknown][] = [];
    for (const key in view) {
      if (!Object.prototype.hasOwnProperty.call(view, key)) continue;
      const value = (view as Record<string, unknown>)[key];
      if (typeof value !== 'object') scalars.push([key, value]);
    }
    const shape = JSON.stringify(scalars);
    if (shape === this.scalars) return;
    this.scalars = shape;
    for (const top of this.top) {
      top.kept = new WeakMap();
      top.items = [];
      top.texts = [];
    }
  }
}

/**
 * The view as items are rendered in: the same names and values, but reading one of its lists or objects is noted,
 * so an item whose text depends on more than the item itself (and the scalars) is not kept.
 */
class Watched {
  reached = false;
  readonly scope: Scope;

  constructor(view: object) {
    const root = Object.create(Object.getPrototypeOf(view) as object | null) as Record<string, unknown>;
    for (const key of Object.keys(view)) {
      const value = (view as Record<string, unknown>)[key];
      // Defined, not assigned, so that even a key named `__proto__` stays a plain property.
      if (typeof value !== 'object' || value === null) Object.defineProperty(root, key, { enumerable: true, writable: true, value });
      else Object.defineProperty(root, key, { enumerable: true, get: () => ((this.reached = true), value) });
    }
    this.scope = new Scope(root);
  }
}

/**
 * Returns the text flattened: the render builds it by `+=`, a rope of hundreds of pieces, and every join of the
 * whole config would walk each rope again (a render at 20k pods spent 140 ms there). Reading a character makes V8
 * flatten the rope in place, once.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
