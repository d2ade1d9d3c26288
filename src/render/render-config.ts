import { createHash } from 'node:crypto';
import { viewBuilder, type ConfigView, type ViewBuilder } from '../model/config-view.js';
import type { OwnershipPolicy } from '../model/ownership.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { routingTableBuilder, type HostRoutes, type RoutingTableBuilder } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { checkView, viewChecker } from './check-view.js';
import { ConfigRenderer } from './config-renderer.js';
import { withParts } from './same-text.js';
import type { Template } from './template.js';

/** What rendering needs from the settings. */
export interface RenderOptions {
  readonly port: number;
  readonly ownership: OwnershipPolicy;
  /** nginx worker processes (default `auto`). */
  readonly workerProcesses?: number | 'auto';
}

/**
 * Renders states one after another, redoing only what changed since the previous state: hosts whose routes are
 * unchanged keep their view objects, already-checked values are not checked again, and their text is reused.
 * Throws TemplateValueError if any new value fails its allow-list.
 */
export class StateRenderer {
  private readonly tables: RoutingTableBuilder;
  private readonly views: ViewBuilder = viewBuilder();
  private readonly check = viewChecker();
  private readonly renderer: ConfigRenderer;

  constructor(template: Template, private readonly options: RenderOptions) {
    this.tables = routingTableBuilder(options.ownership);
    this.renderer = new ConfigRenderer(template);
  }

  private counted: { hosts: readonly HostRoutes[]; backends: number[] } = { hosts: [], backends: [] };

  /** Counts routes and backends; a host at the same place as last time is the same host, its count reused. */
  private count(hosts: readonly HostRoutes[]): { routes: number; backends: number } {
    const last = this.counted;
    const each = new Array<number>(hosts.length);
    let routes = 0;
    let backends = 0;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i]!;
      routes += host.routes.length;
      let n = host === last.hosts[i] ? last.backends[i]! : 0;
      if (host !== last.hosts[i]) for (const route of host.routes) n += route.backends.length;
      each[i] = n;
      backends += n;
    }
    this.counted = { hosts, backends: each };
    return { routes, backends };
  }

  /** Renders one state to nginx.conf text. */
  render(state: RoutingState): RenderedConfig {
    const table = this.tables.build(state);
    const view = this.views.build(table, { port: this.options.port, workerProcesses: this.options.workerProcesses });
    this.check(view);
    const parts = this.renderer.renderParts(view);
    const { routes, backends } = this.count(table.hosts);
    let text: string | undefined;
    let hash: string | undefined;
    // Text and hash are made on first use: most renders of a busy cluster are only compared, never applied.
    return withParts({
      routes,
      backends,
      issues: table.issues,
      get text() {
        return (text ??= parts.join(''));
      },
      get hash() {
        return (hash ??= hashText(this.text));
      },
    }, parts);
  }
}

/** Renders one state to nginx.conf text (a one-off StateRenderer). */
export function renderState(state: RoutingState, template: Template, options: RenderOptions): RenderedConfig {
  return new StateRenderer(template, options).render(state);
}

/** Renders a checked view with the template; mustache's HTML escaping is replaced by the allow-list check. */
export function renderView(view: ConfigView, template: Template): string {
  checkView(view);
  return new ConfigRenderer(template).render(view);
}

/** Returns the sha256 of a config, hex. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
