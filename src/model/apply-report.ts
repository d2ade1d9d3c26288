// What a sink tells the observers about one attempt to put a config in force. Shaped so the nginx sink's
// ApplyOutcome fits as is; the stdout and file sinks report `{ type: 'applied', config, durationMs }`.
import type { RenderedConfig } from './rendered-config.js';

/** The parts of a rendered config that health and metrics read. */
export type ConfigSummary = Pick<RenderedConfig, 'hash' | 'routes' | 'backends' | 'membersHash'>;

/** The outcome of one apply: in force (started or reloaded), failed (at a stage), or already in force. */
export type ApplyReport =
  | {
      readonly type: 'applied';
      readonly config: ConfigSummary;
      readonly durationMs: number;
      /** How nginx took it; absent for sinks without nginx. */
      readonly action?: 'started' | 'reloaded';
    }
  | {
      readonly type: 'failed';
      readonly config: ConfigSummary;
      readonly durationMs: number;
      /** Where it failed, e.g. write, check, start, reload. */
      readonly stage?: string;
    }
  /** Dynamic mode: only the members changed, and nginx serves them now. */
  | { readonly type: 'pushed'; readonly config: ConfigSummary; readonly durationMs: number }
  | { readonly type: 'unchanged'; readonly config: ConfigSummary };

/** Returns what names both products of a config: the structure's hash, and the members' hash when there is one. */
export function productKey(config: ConfigSummary): string {
  return config.membersHash === undefined ? config.hash : `${config.hash} ${config.membersHash}`;
}
