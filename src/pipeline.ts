// Composition only: the stages of docs/architecture.md 2, wired in order. No logic lives here.
import { tap, type Observable, type SchedulerLike } from 'rxjs';
import type { PodEvent } from './model/events.js';
import type { Issue } from './model/issue.js';
import type { RenderedConfig } from './model/rendered-config.js';
import type { ReduceOptions, RoutingState } from './model/routing-state.js';
import { batchEvents } from './operators/batch-events.js';
import { reduceEvents } from './operators/reduce-events.js';
import { renderConfigs } from './operators/render-configs.js';
import { reportIssues } from './operators/report-issues.js';
import { skipUnchanged } from './operators/skip-unchanged.js';
import { waitForSync } from './operators/wait-for-sync.js';
import type { RenderOptions } from './render/render-config.js';
import type { Template } from './render/template.js';

/** Observers of each stage, for logs, metrics and statistics; all optional. */
export interface PipelineHooks {
  /** Each event as it arrives, with the scheduler's time: the start of the event-to-applied latency. */
  readonly event?: (event: PodEvent, atMs: number) => void;
  readonly batch?: (events: readonly PodEvent[]) => void;
  readonly state?: (state: RoutingState) => void;
  readonly rendered?: (config: RenderedConfig) => void;
  readonly renderFailed?: (error: unknown) => void;
  readonly issues?: (added: readonly Issue[], all: readonly Issue[]) => void;
}

/** Everything the pipeline needs besides its source. */
export interface PipelineOptions {
  readonly windowMs: number;
  readonly reduce: ReduceOptions;
  readonly render: RenderOptions;
  readonly template: Template;
  readonly scheduler: SchedulerLike;
  readonly hooks?: PipelineHooks;
  /** The first config also waits for the first list of TLS Secrets (the source sends Secrets). */
  readonly waitForSecrets?: boolean;
}

/** Turns pod events into the sequence of distinct nginx configs: batch, fold, wait for a full list, render, dedupe. */
export function configsFrom(events$: Observable<PodEvent>, options: PipelineOptions): Observable<RenderedConfig> {
  const hooks = options.hooks ?? {};
  const batches$ = events$.pipe(
    tap((event) => hooks.event?.(event, options.scheduler.now())),
    batchEvents<PodEvent>(options.windowMs, {
      scheduler: options.scheduler,
      closeFirstOn: (event) => event.type === 'SYNC' && event.implied !== true,
    }),
    tap((batch) => hooks.batch?.(batch)),
  );
  return batches$.pipe(
    reduceEvents(options.reduce, options.scheduler),
    tap((state) => hooks.state?.(state)),
    waitForSync(options.waitForSecrets === true),
    renderConfigs(options.template, options.render, (error) => hooks.renderFailed?.(error)),
    tap((config) => hooks.rendered?.(config)),
    reportIssues((added, all) => hooks.issues?.(added, all)),
    skipUnchanged(),
  );
}
