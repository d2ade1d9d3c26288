import { createHash } from 'node:crypto';
import { buildView, createViewCache, type ConfigView, type ViewCache, type ViewOptions } from '../model/config-view.js';
import type { OwnershipPolicy } from '../model/ownership.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { buildRoutingTable, createTableCache, type TableCache } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { checkView } from './check-view.js';
import { ConfigRenderer } from './config-renderer.js';
import type { Template } from './template.js';
import { createTlsCache, planTls, type TlsCache, type TlsOptions } from '../model/tls.js';
import { createTlsViewCache, withTls, type HttpsOptions, type TlsViewCache } from '../model/tls-view.js';
import { compareIssues } from '../model/issue.js';

/** What rendering needs from the settings: the view's options (port, listen addresses, limits) and the policy. */
export interface RenderOptions extends ViewOptions {
  readonly ownership: OwnershipPolicy;
  /** HTTPS from pods' Secrets; absent when TLS is off. */
  readonly tls?: TlsOptions & HttpsOptions;
}

/**
 * Renders states one after another, redoing only what changed since the previous state: hosts whose routes are
 * unchanged keep their view objects, already-checked values are not checked again, and their text is reused.
 * Throws TemplateValueError if any new value fails its allow-list.
 */
export class StateRenderer {
  private readonly tables: TableCache = createTableCache();
  private readonly views: ViewCache = createViewCache();
  private readonly checked = new WeakSet<object>();
  private readonly renderer: ConfigRenderer;
  private readonly tlsPlans: TlsCache = createTlsCache();
  private readonly tlsViews: TlsViewCache = createTlsViewCache();

  constructor(template: Template, private readonly options: RenderOptions) {
    this.renderer = new ConfigRenderer(template);
  }

  /** Renders one state to nginx.conf text. */
  render(state: RoutingState): RenderedConfig {
    const table = buildRoutingTable(state, this.options.ownership, this.tables);
    const plain = buildView(table, this.options, this.views);
    const tls = this.options.tls;
    const plan = tls === undefined ? null : planTls(state, table, tls, this.tlsPlans);
    const view = tls === undefined || plan === null ? plain : withTls(plain, plan, tls, this.tlsViews);
    const issues = plan === null || plan.issues.length === 0 ? table.issues : [...table.issues, ...plan.issues].sort(compareIssues);
    checkView(view, this.checked);
    const parts = this.renderer.renderParts(view);
    let routes = 0;
    let backends = 0;
    for (const host of table.hosts) {
      routes += host.routes.length;
      for (const route of host.routes) backends += route.backends.length;
    }
    let text: string | undefined;
    let hash: string | undefined;
    // Text and hash are made on first use: most renders of a busy cluster are only compared, never applied.
    return {
      parts,
      routes,
      backends,
      issues,
      ...(plan === null ? {} : { tlsFiles: plan.files }),
      get text() {
        return (text ??= parts.join(''));
      },
      get hash() {
        return (hash ??= hashText(this.text));
      },
    };
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
