import { createHash } from 'node:crypto';
import { ViewBuilder, type ConfigView, type ViewOptions } from '../model/config-view.js';
import { membersBody } from '../model/members-text.js';
import { EMPTY_MEMBERSHIP, MembershipBuilder } from '../model/membership.js';
import type { OwnershipPolicy } from '../model/ownership.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { RoutingTableBuilder } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { checkView, ViewChecker } from './check-view.js';
import { ConfigRenderer } from './config-renderer.js';
import { keepParts, samePartsAs } from './same-text.js';
import type { Template } from './template.js';
import { TlsPlanner, type TlsOptions } from '../model/tls.js';
import { TlsViewBuilder, type HttpsOptions } from '../model/tls-view.js';
import { compareIssues } from '../model/issue.js';

/** Dynamic mode's settings as the render needs them. */
export interface DynamicRenderOptions {
  /** Directory of the Lua modules (`load_module`). */
  readonly modulesDir: string;
  /** Absolute path of the members socket. */
  readonly membersSocket: string;
  /** Idle keep-alive connections to pods per worker (default 64). */
  readonly keepalive?: number;
  /** Smallest shared dict for members, in KiB (default 1024). */
  readonly minSharedDictKb?: number;
}

/** What rendering needs from the settings: the view's options (port, listen addresses, limits) and the policy. */
export interface RenderOptions extends Omit<ViewOptions, 'dynamic'> {
  readonly ownership: OwnershipPolicy;
  /** HTTPS from pods' Secrets; absent when TLS is off. */
  readonly tls?: TlsOptions & HttpsOptions;
  /** Dynamic mode (members pushed, one upstream with a Lua balancer); absent: static upstream blocks. */
  readonly dynamic?: DynamicRenderOptions;
}

/** The version number the body size is estimated with: as wide as any version the sink will push. */
const WIDEST_VERSION = 999_999_999_999_999;

/**
 * Renders states one after another, redoing only what changed since the previous state: hosts whose routes are
 * unchanged keep their view objects, already-checked values are not checked again, and their text is reused.
 * In dynamic mode each render gives both products: the structure (nginx.conf text) and the membership. Throws TemplateValueError
 * if any new value fails its allow-list.
 */
export class StateRenderer {
  private readonly tables = new RoutingTableBuilder();
  private readonly views = new ViewBuilder();
  private readonly members = new MembershipBuilder();
  private readonly checker = new ViewChecker();
  private readonly renderer: ConfigRenderer;
  private readonly tlsPlans = new TlsPlanner();
  private readonly tlsViews = new TlsViewBuilder();

  constructor(
    template: Template,
    private readonly options: RenderOptions,
  ) {
    this.renderer = new ConfigRenderer(template);
  }

  /** Renders one state to nginx.conf text and its membership. */
  render(state: RoutingState): RenderedConfig {
    const table = this.tables.build(state, this.options.ownership);
    const dynamic = this.options.dynamic;
    // Static mode has no membership product: its pods are in the text, and configs compare by text alone.
    const members = dynamic === undefined ? undefined : this.members.build(table);
    let body: string | undefined;
    const bodyOf = (): string => (body ??= membersBody(members ?? EMPTY_MEMBERSHIP, WIDEST_VERSION));
    const plain = this.views.build(table, {
      ...this.options,
      dynamic:
        dynamic === undefined
          ? undefined
          : {
              ...dynamic,
              keepalive: dynamic.keepalive ?? 64,
              membersBytes: this.members.bodyBytes(String(WIDEST_VERSION).length),
            },
    });
    const tls = this.options.tls;
    const plan = tls === undefined ? null : this.tlsPlans.plan(state, table, tls, (host) => this.tables.admitted(host));
    const view = tls === undefined || plan === null ? plain : this.tlsViews.build(plain, plan, tls);
    const issues =
      plan === null || plan.issues.length === 0 ? table.issues : [...table.issues, ...plan.issues].sort(compareIssues);
    this.checker.check(view);
    const parts = this.renderer.renderParts(view);
    const { routes, backends } = this.tables.totals();
    let text: string | undefined;
    let hash: string | undefined;
    let membersHash: string | undefined;
    // Text and hashes are made on first use: most renders of a busy cluster are only compared, never applied.
    const config: RenderedConfig = {
      routes,
      backends,
      issues,
      members,
      ...(plan === null ? {} : { tlsFiles: plan.files }),
      get text() {
        return (text ??= parts.join(''));
      },
      get hash() {
        return (hash ??= hashText(this.text));
      },
      get membersHash() {
        return members === undefined ? undefined : (membersHash ??= hashText(bodyOf()));
      },
      sameTextAs: (other) => samePartsAs(parts, other),
    };
    keepParts(config, parts);
    return config;
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
