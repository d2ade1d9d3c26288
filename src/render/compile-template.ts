// A mustache template compiled once into a tree of closures, so a render walks no tokens and interprets nothing:
// each variable is a lookup plus the allow-list check, each section a loop or a test. It renders what
// `Mustache.render(text, view, {}, { escape: checkValue })` renders, for any template of variables, sections,
// inverted sections and comments over plain data (the property tests hold it to that). Unchecked output (`{{{x}}}`,
// `{{&x}}`) and partials are refused by `compileTemplate` before anything is compiled, and again here.
import { checkValue } from './check-view.js';

/** A stack of views, innermost first, as mustache looks names up in it. */
export class Scope {
  constructor(
    readonly view: unknown,
    readonly parent: Scope | null = null,
  ) {}

  /** Returns a scope with `view` innermost. */
  push(view: unknown): Scope {
    return new Scope(view, this);
  }
}

/** A compiled piece of template: renders itself in a scope. */
export type Render = (scope: Scope) => string;

/** A mustache token as `Mustache.parse` returns it: kind, name or text, start, end, children, closing position. */
export type Token = [string, string, number, number, Token[]?, number?, ...unknown[]];

/** Compiles parsed tokens into one render function. */
export function compileTokens(tokens: readonly Token[]): Render {
  const parts: (string | Render)[] = [];
  for (const token of tokens) {
    const part = compileToken(token);
    if (part === null) continue;
    // Adjacent text merges into one string.
    if (typeof part === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += part;
    else parts.push(part);
  }
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const only = parts[0]!;
    return typeof only === 'string' ? () => only : only;
  }
  return (scope) => {
    let text = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      text += typeof part === 'string' ? part : part(scope);
    }
    return text;
  };
}

function compileToken(token: Token): string | Render | null {
  const [kind, name] = token;
  switch (kind) {
    case 'text':
      return name;
    case 'name': {
      const lookup = compileLookup(name);
      return (scope) => {
        const value = lookup(scope);
        return value == null ? '' : checkValue(value);
      };
    }
    case '#':
      return compileSection(name, compileTokens(token[4] ?? []));
    case '^': {
      const lookup = compileLookup(name);
      const inner = compileTokens(token[4] ?? []);
      return (scope) => {
        const value = lookup(scope);
        return !value || (Array.isArray(value) && value.length === 0) ? inner(scope) : '';
      };
    }
    case '!':
    case '=':
      return null;
    default:
      // `&`, `{` and `>` never get here (compileTemplate refuses them); anything else is not mustache.
      throw new Error(`cannot compile the mustache token "${kind}" (${name})`);
  }
}

function compileSection(name: string, inner: Render): Render {
  const lookup = compileLookup(name);
  return (scope) => {
    const value = lookup(scope);
    if (!value) return '';
    if (Array.isArray(value)) {
      let text = '';
      for (let i = 0; i < value.length; i++) text += inner(scope.push(value[i]));
      return text;
    }
    if (typeof value === 'object' || typeof value === 'string' || typeof value === 'number') return inner(scope.push(value));
    if (typeof value === 'function') throw new Error(`the view's "${name}" is a function: lambda sections are not supported`);
    return inner(scope);
  };
}

/** Compiles a name into a lookup through the scopes, with mustache's rules (dotted names, `.`, functions called). */
function compileLookup(name: string): (scope: Scope) => unknown {
  const called = (value: unknown, scope: Scope): unknown => (typeof value === 'function' ? (value as (this: unknown) => unknown).call(scope.view) : value);
  if (name === '.') return (scope) => called(scope.view, scope);
  if (name.indexOf('.') > 0) {
    const names = name.split('.');
    const last = names.length - 1;
    return (scope) => {
      for (let at: Scope | null = scope; at !== null; at = at.parent) {
        let value: unknown = at.view;
        let hit = false;
        for (let i = 0; value != null && i < names.length; i++) {
          if (i === last) hit = hasProperty(value, names[i]!) || primitiveHasOwn(value, names[i]!);
          value = (value as Record<string, unknown>)[names[i]!];
        }
        if (hit) return called(value, scope);
      }
      return undefined;
    };
  }
  return (scope) => {
    for (let at: Scope | null = scope; at !== null; at = at.parent) {
      const view = at.view;
      // Read first, as mustache does: a null item in a list throws here exactly as it throws there.
      const value = (view as Record<string, unknown>)[name];
      if (view != null && typeof view === 'object' && name in view) return called(value, scope);
    }
    return undefined;
  };
}

function hasProperty(value: unknown, name: string): boolean {
  return value != null && typeof value === 'object' && name in value;
}

function primitiveHasOwn(value: unknown, name: string): boolean {
  return value != null && typeof value !== 'object' && Object.prototype.hasOwnProperty.call(value, name);
}
