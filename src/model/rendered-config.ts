import type { Issue } from './issue.js';

/** One rendered nginx.conf and what it was made of. */
export interface RenderedConfig {
  /** The whole config (a renderer may join it on first use). */
  readonly text: string;
  /** sha256 of `text`, hex. */
  readonly hash: string;
  /** (host, path) pairs served. */
  readonly routes: number;
  /** Backend entries (pod x route) across all routes. */
  readonly backends: number;
  /** Every rejected entry and refused claim, sorted. */
  readonly issues: readonly Issue[];
}
