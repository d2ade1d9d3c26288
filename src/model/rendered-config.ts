import type { Issue } from './issue.js';

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
}

type Comparable = Pick<RenderedConfig, 'text' | 'parts'>;

/**
 * Tells whether two configs have the same text, comparing their parts first: the same pieces in the same order are
 * the same text, and different total lengths are different texts; only otherwise are the texts joined and compared.
 */
export function sameText(a: Comparable, b: Comparable): boolean {
  if (a.parts !== undefined && b.parts !== undefined) {
    if (a.parts.length === b.parts.length && a.parts.every((part, i) => part === b.parts![i])) return true;
    if (totalLength(a.parts) !== totalLength(b.parts)) return false;
  }
  return a.text === b.text;
}

function totalLength(parts: readonly string[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}
