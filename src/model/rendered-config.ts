import type { Issue } from './issue.js';
import type { KeyMaterial } from './secret.js';
import type { Membership } from './membership.js';

/** One rendered nginx.conf and what it was made of. */
export interface RenderedConfig {
  /** The whole config (the renderer joins it on first use). */
  readonly text: string;
  /**
   * Tells whether `other` has the same text. The renderer's configs answer without joining either text (see
   * src/render/same-text.ts); absent in configs tests make by hand, whose texts are compared.
   */
  readonly sameTextAs?: (other: { readonly text: string }) => boolean;
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

type Comparable = Pick<RenderedConfig, 'text' | 'sameTextAs'>;

/** Tells whether two configs have the same text (the renderer's own configs tell without joining theirs). */
export function sameText(a: Comparable, b: Comparable): boolean {
  return a.sameTextAs !== undefined ? a.sameTextAs(b) : a.text === b.text;
}

/** Returns how logs name a config: the first 12 hex digits of its sha256 (metrics carry the whole hash). */
export function shortHash(config: Pick<RenderedConfig, 'hash'>): string {
  return config.hash.slice(0, 12);
}
