import type { Issue } from './issue.js';
import type { KeyMaterial } from './secret.js';
import type { Membership } from './membership.js';

/** One rendered nginx.conf and what it was made of. */
export interface RenderedConfig {
  /** The whole config (joined from `parts` on first use, when there are parts). */
  readonly text: string;
  /**
   * The pieces `text` is the concatenation of, when the renderer kept them: unchanged hosts keep the very same
   * strings from render to render, so two configs can be compared without joining either.
   */
  readonly parts?: readonly string[];
  /** sha256 of `text`, hex. */
  readonly hash: string;
  /** (host, path) pairs served. */
  readonly routes: number;
  /** Backend entries (pod x route) across all routes. */
  readonly backends: number;
  /** Every rejected entry and refused claim, sorted. */
  readonly issues: readonly Issue[];
  /** The key files the text names (`tls/<sha256>.pem`) and their material, null where redacted; absent: TLS off. */
  readonly tlsFiles?: ReadonlyMap<string, KeyMaterial | null>;
  /**
   * The membership product: each route's ready pods. In dynamic mode it reaches nginx apart from the text (a change
   * of members alone changes no byte of it); absent only in hand-made configs of tests (read as no route).
   */
  readonly members?: Membership;
  /** sha256 of the membership's body without version, hex. */
  readonly membersHash?: string;
}

type Comparable = Pick<RenderedConfig, 'text' | 'parts'>;

/**
 * Tells whether two configs have the same text. With parts on both sides it compares the two concatenations piece
 * by piece, without joining either: pieces the renderer reused are the same strings and compare at once.
 */
export function sameText(a: Comparable, b: Comparable): boolean {
  return a.parts !== undefined && b.parts !== undefined ? sameConcatenation(a.parts, b.parts) : a.text === b.text;
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

/** Returns how logs name a config: the first 12 hex digits of its sha256 (metrics carry the whole hash). */
export function shortHash(config: Pick<RenderedConfig, 'hash'>): string {
  return config.hash.slice(0, 12);
}
