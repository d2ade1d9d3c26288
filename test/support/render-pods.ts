/**
 * Projected pods and the shortest way through the model to nginx.conf: one SYNC through `applyEvents`, then
 * `renderState`. Also the reference configs the structural contract is learned from.
 */
import type { PodEvent } from '../../src/model/events.js';
import type { OwnershipPolicy } from '../../src/model/ownership.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/model/pod-record.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { buildRoutingTable, type RoutingTable } from '../../src/model/routing-table.js';
import { applyEvents, EMPTY_STATE, type ReduceOptions, type RoutingState } from '../../src/model/routing-state.js';
import { buildView } from '../../src/model/config-view.js';
import { renderState, renderView } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { type Template } from '../../src/render/template.js';
import { learnContract, type ConfigContract } from './config-shape.js';

/** The port every test config listens on (never bound: only `nginx -t` reads these configs). */
export const TEST_PORT = 8080;

/** Builds a projected pod: Running, Ready, with an IP, created at `created` ms, unless `fields` say otherwise. */
export function projected(fields: Partial<ProjectedPod> & Pick<ProjectedPod, 'namespace' | 'name'>): ProjectedPod {
  return {
    uid: `${fields.namespace}/${fields.name}`,
    created: 1_000,
    phase: 'Running',
    ip: '10.0.0.1',
    ready: true,
    deleting: false,
    hosts: null,
    paths: null,
    ...fields,
  };
}

/** What a render needs besides pods. */
export interface RenderPodsOptions {
  readonly ownership?: OwnershipPolicy;
  readonly limits?: Limits;
  readonly graceMs?: number;
  readonly now?: number;
}

/** The reducer options for a render. */
export function reduceOptions(options: RenderPodsOptions = {}): ReduceOptions {
  return {
    limits: options.limits ?? DEFAULT_LIMITS,
    ownership: options.ownership ?? 'host',
    ownershipGraceMs: options.graceMs ?? 60_000,
  };
}

/** A state, its routing table and its config. */
export interface Rendered {
  readonly state: RoutingState;
  readonly table: RoutingTable;
  readonly config: RenderedConfig;
}

let shipped: Template | undefined;

/** Returns the shipped template, loaded once. */
export function shippedTemplate(): Template {
  return (shipped ??= loadTemplate());
}

/** Renders a state with the shipped template. */
export function renderFrom(state: RoutingState, options: RenderPodsOptions = {}): Rendered {
  const ownership = options.ownership ?? 'host';
  const config = renderState(state, shippedTemplate(), { port: TEST_PORT, ownership });
  return { state, table: buildRoutingTable(state, ownership), config };
}

/** Applies batches of events one after another (each at its own time) from the empty state. */
export function applyBatches(
  batches: ReadonlyArray<{ readonly at: number; readonly events: readonly PodEvent[] }>,
  options: RenderPodsOptions = {},
): RoutingState {
  return batches.reduce(
    (state, batch) => applyEvents(state, batch.events, batch.at, reduceOptions(options)),
    EMPTY_STATE,
  );
}

/** Renders exactly these pods, as one SYNC at time `now` (default 0). */
export function renderPods(pods: readonly ProjectedPod[], options: RenderPodsOptions = {}): Rendered {
  return renderFrom(
    applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], options.now ?? 0, reduceOptions(options)),
    options,
  );
}

/** Returns only the config text of these pods (same path as `renderPods`, without the hash and the extra table). */
export function configText(pods: readonly ProjectedPod[], options: RenderPodsOptions = {}): string {
  const state = applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], options.now ?? 0, reduceOptions(options));
  const table = buildRoutingTable(state, options.ownership ?? 'host');
  return renderView(buildView(table, { port: TEST_PORT }), shippedTemplate());
}

/** Pods that make the template print every kind of block: upstream, direct, 503, IPv6, wildcard and IPv4 hosts. */
function referencePods(): ProjectedPod[] {
  const web = { hosts: 'shop.example.com *.apps.example.com 10.0.0.9', paths: '80:/ 8080:/api 3000:/caf%C3%A9' };
  return [
    projected({ namespace: 'shop', name: 'web-1', ip: '10.0.0.1', ...web }),
    projected({ namespace: 'shop', name: 'web-2', ip: 'fd00::2', ...web }),
    projected({ namespace: 'blog', name: 'solo', ip: '10.0.1.1', hosts: 'blog.example.org', paths: '80:/' }),
    projected({ namespace: 'blog', name: 'solo-6', ip: 'fd00::6', hosts: 'v6.example.org', paths: '80:/x' }),
    projected({ namespace: 'wait', name: 'starting', ready: false, hosts: 'wait.example.org', paths: '80:/ 80:/a/b' }),
    projected({
      namespace: 'wait',
      name: 'pending',
      phase: 'Pending',
      ip: null,
      ready: false,
      hosts: 'wait.example.org',
      paths: '80:/',
    }),
  ];
}

let contract: ConfigContract | undefined;

/** Returns the template's structural contract, learned once from reference configs (all pods, some, none). */
export function templateContract(): ConfigContract {
  if (contract !== undefined) return contract;
  const pods = referencePods();
  const subsets = [pods, pods.slice(2), pods.slice(4), []];
  return (contract = learnContract(subsets.map((subset) => renderPods(subset).config.text)));
}
