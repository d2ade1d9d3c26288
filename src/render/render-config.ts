import { createHash } from 'node:crypto';
import Mustache from 'mustache';
import { buildView, type ConfigView } from '../model/config-view.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { buildRoutingTable } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import type { OwnershipPolicy } from '../model/ownership.js';
import { checkValue, checkView } from './check-view.js';
import type { Template } from './template.js';

/** What rendering needs from the settings. */
export interface RenderOptions {
  readonly port: number;
  readonly ownership: OwnershipPolicy;
}

/** Renders the state to nginx.conf text; throws TemplateValueError if any value fails its allow-list. */
export function renderState(state: RoutingState, template: Template, options: RenderOptions): RenderedConfig {
  const table = buildRoutingTable(state, options.ownership);
  const view = buildView(table, { port: options.port });
  const text = renderView(view, template);
  let routes = 0;
  let backends = 0;
  for (const host of table.hosts) {
    routes += host.routes.length;
    for (const route of host.routes) backends += route.backends.length;
  }
  return { text, hash: hashText(text), routes, backends, issues: table.issues };
}

/** Renders a checked view with the template; mustache's HTML escaping is replaced by the allow-list check. */
export function renderView(view: ConfigView, template: Template): string {
  checkView(view);
  return Mustache.render(template.text, view, {}, { escape: checkValue });
}

/** Returns the sha256 of a config, hex. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
