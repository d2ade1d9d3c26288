// How two rendered configs are compared without joining their text: a render detail, kept here with the renderer.
import type { RenderedConfig } from '../model/rendered-config.js';

// The pieces a config's text is the concatenation of, when its renderer kept them: unchanged hosts keep the very
// same strings from render to render. Remembered by config object, so the model's RenderedConfig stays plain data.
const PARTS = new WeakMap<object, readonly string[]>();

/** Remembers that `config`'s text is the concatenation of `parts`; returns `config`. */
export function withParts<T extends object>(config: T, parts: readonly string[]): T {
  PARTS.set(config, parts);
  return config;
}

/**
 * Tells whether two configs have the same text. When both have parts it compares the two concatenations piece by
 * piece, without joining either: pieces the renderer reused are the same strings and compare at once.
 */
export function sameText(a: Pick<RenderedConfig, 'text'>, b: Pick<RenderedConfig, 'text'>): boolean {
  const x = PARTS.get(a);
  const y = PARTS.get(b);
  return x !== undefined && y !== undefined ? sameConcatenation(x, y) : a.text === b.text;
}

/** Tells whether two lists of strings join to the same text, whatever their boundaries. */
export function sameConcatenation(a: readonly string[], b: readonly string[]): boolean {
  // Different lengths settle it at once; else a piece inserted early would misalign the rest, compared char by char.
  if (totalLength(a) !== totalLength(b)) return false;
  let i = 0;
  let j = 0;
  let atA = 0;
  let atB = 0;
  for (;;) {
    while (i < a.length && atA === a[i]!.length) {
      i++;
      atA = 0;
    }
    while (j < b.length && atB === b[j]!.length) {
      j++;
      atB = 0;
    }
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    const x = a[i]!;
    const y = b[j]!;
    if (atA === 0 && atB === 0 && x.length === y.length) {
      if (x !== y) return false;
      atA = x.length;
      atB = y.length;
      continue;
    }
    const n = Math.min(x.length - atA, y.length - atB);
    if (x.slice(atA, atA + n) !== y.slice(atB, atB + n)) return false;
    atA += n;
    atB += n;
  }
}

function totalLength(parts: readonly string[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}
