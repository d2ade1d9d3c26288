// How two rendered configs compare without joining their text: the renderer keeps each config's text as the pieces
// it rendered (src/render/config-renderer.ts), and unchanged hosts keep the very same strings from render to render.
// The pieces stay here, keyed by the config object: nothing outside the render can see or depend on them.

const PARTS = new WeakMap<object, readonly string[]>();

/** Remembers the pieces `config`'s text is the concatenation of. */
export function keepParts(config: object, parts: readonly string[]): void {
  PARTS.set(config, parts);
}

/** Tells whether `b` has the text `parts` join to: piece by piece when `b` came from the renderer too. */
export function samePartsAs(parts: readonly string[], b: { readonly text: string }): boolean {
  const theirs = PARTS.get(b);
  return theirs === undefined ? parts.join('') === b.text : sameConcatenation(parts, theirs);
}

/** Tells whether two lists of strings join to the same text, whatever their boundaries. */
export function sameConcatenation(a: readonly string[], b: readonly string[]): boolean {
  let i = 0;
  let j = 0;
  let atA = 0;
  let atB = 0;
  for (;;) {
    // The very same string at the same place is skipped unread: unchanged hosts keep their strings from render to
    // render, and reading 16k of them (even their lengths) per window would miss the cache at each.
    if (atA === 0 && atB === 0 && i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
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
    // Pieces of other boundaries: compared by their overlap. Texts that differ differ early (a changed host's server
    // block differs from its neighbour's within its first lines), so this never walks far.
    const n = Math.min(x.length - atA, y.length - atB);
    if (x.slice(atA, atA + n) !== y.slice(atB, atB + n)) return false;
    atA += n;
    atB += n;
  }
}
