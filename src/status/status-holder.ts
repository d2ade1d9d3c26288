// The live status: the pipeline and the sink report here (through observePipeline), /status and / ask for the
// document. The state in force is the one whose render produced the config the sink last put in force.
import type { ApplyReport } from '../model/apply-report.js';
import type { OwnershipPolicy } from '../model/ownership.js';
import { RoutingTableBuilder } from '../model/routing-table.js';
import { EMPTY_STATE, type RoutingState } from '../model/routing-state.js';
import { buildStatus, NOTHING_APPLIED } from './build-status.js';
import { isoTime } from './safe-text.js';
import { SHOW_ALL, type StatusSelection } from './select-status.js';
import type { AppliedFacts, StatusReport } from './status-report.js';

/** What the holder needs to know up front. */
export interface StatusHolderOptions {
  readonly policy: OwnershipPolicy;
  /** nginx is the sink: reloads are counted (else `reloads` is null). */
  readonly nginx: boolean;
}

// Rendered configs waiting for their apply; the sink applies the newest, so a few are plenty.
const PENDING_LIMIT = 8;
const REPORTS_KEPT = 16;

/** Keeps the state behind the config in force and the sink's counts, and builds the status document on request. */
export class StatusHolder {
  private latest: RoutingState = EMPTY_STATE;
  private readonly pending = new Map<string, RoutingState>();
  private inForce: { state: RoutingState; hash: string } | null = null;
  private facts: AppliedFacts;
  private readonly tables = new RoutingTableBuilder();
  private built: { state: RoutingState; facts: AppliedFacts; reports: Map<string, StatusReport> } | null = null;

  /** Creates the holder of a controller that has applied nothing yet. */
  constructor(private readonly options: StatusHolderOptions) {
    this.facts = { ...NOTHING_APPLIED, reloads: options.nginx ? 0 : null };
  }

  /** Records each state the reducer emits (the pipeline's `state` hook). */
  state(state: RoutingState): void {
    this.latest = state;
  }

  /** Records that the latest state rendered to the config with `hash` (the pipeline's `rendered` hook). */
  rendered(hash: string): void {
    // Same text as the config in force: the sink never sees it (skipUnchanged), but its facts are the newest.
    if (this.inForce?.hash === hash) {
      this.inForce = { state: this.latest, hash };
      return;
    }
    this.pending.delete(hash);
    this.pending.set(hash, this.latest);
    if (this.pending.size > PENDING_LIMIT) this.pending.delete(this.pending.keys().next().value!);
  }

  /** Records an outcome of the sink at `atMs` (ms since the epoch). */
  applied(report: ApplyReport, atMs: number): void {
    const hash = report.config.hash;
    if (report.type === 'failed') {
      this.facts = { ...this.facts, failed: { hash, at: isoTime(atMs), stage: report.stage ?? 'apply' } };
      return;
    }
    const state = this.pending.get(hash) ?? (this.inForce?.hash === hash ? this.inForce.state : this.latest);
    this.pending.delete(hash);
    this.inForce = { state, hash };
    if (report.type === 'unchanged') return;
    // Dynamic mode: only the members changed; nginx serves them now, with no reload.
    if (report.type === 'pushed') {
      this.pushed();
      return;
    }
    const reloads = this.facts.reloads === null ? null : this.facts.reloads + (report.action === 'reloaded' ? 1 : 0);
    this.facts = {
      ...this.facts,
      hash,
      appliedAt: isoTime(atMs),
      configs: this.facts.configs + 1,
      reloads,
      failed: null,
    };
  }

  /** Records one membership snapshot pushed to nginx. */
  pushed(): void {
    this.facts = { ...this.facts, pushes: (this.facts.pushes ?? 0) + 1 };
  }

  /** Returns the status document now, or a selection of it (each built again only when the state or the facts changed). */
  report(selection: StatusSelection = SHOW_ALL): StatusReport {
    const state = this.inForce?.state ?? EMPTY_STATE;
    if (this.built?.state !== state || this.built.facts !== this.facts)
      this.built = { state, facts: this.facts, reports: new Map() };
    const key = `${selection.offset} ${selection.limit ?? ''} ${selection.query}`;
    const known = this.built.reports.get(key);
    if (known !== undefined) return known;
    const table = this.tables.build(state, this.options.policy);
    const report = buildStatus(state, table, this.facts, { policy: this.options.policy, wallClock: true }, selection);
    // A few pages and searches at a time (people refreshing the page); forget the oldest.
    if (this.built.reports.size >= REPORTS_KEPT) this.built.reports.delete(this.built.reports.keys().next().value!);
    this.built.reports.set(key, report);
    return report;
  }
}
