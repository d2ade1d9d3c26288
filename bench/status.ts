// The cost of the status at scale, from a state of N pods: the routing table (the live holder builds it on the first
// request after a change), the whole document (replay --status), a page of 500 and a search (what /status and /
// build), and the JSON and HTML of that page.
// `npx tsx bench/status.ts [PODS...]` prints one line per size.
import { renderStatusPage } from '../src/http/status-page.js';
import type { ProjectedPod } from '../src/model/pod.js';
import { buildRoutingTable } from '../src/model/routing-table.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../src/model/routing-state.js';
import { buildStatus, NOTHING_APPLIED } from '../src/status/build-status.js';

const sizes = process.argv.slice(2).map(Number);

function pods(count: number): ProjectedPod[] {
  // 10 replicas per workload, one host and two paths each; every 50th pod not ready, every 100th with a bad entry.
  return Array.from({ length: count }, (_, i) => ({
    uid: `uid-${i}`,
    namespace: `team-${i % 40}`,
    name: `app-${Math.floor(i / 10)}-${i % 10}`,
    created: 1_700_000_000_000 + i,
    phase: 'Running',
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    ready: i % 50 !== 0,
    deleting: false,
    hosts: `app-${Math.floor(i / 10)}.example.com${i % 100 === 0 ? ' bad_host' : ''}`,
    paths: '8080:/ 8080:/api',
  }));
}

function time<T>(work: () => T): [T, number] {
  const started = performance.now();
  const result = work();
  return [result, performance.now() - started];
}

for (const count of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
  const state = applyEvents(
    EMPTY_STATE,
    [{ type: 'SYNC', pods: pods(count) }],
    1_800_000_000_000,
    DEFAULT_REDUCE_OPTIONS,
  );
  const [table, tableMs] = time(() => buildRoutingTable(state, 'host'));
  const options = { policy: 'host', wallClock: true } as const;
  const [report, buildMs] = time(() => buildStatus(state, table, NOTHING_APPLIED, options));
  const [page, pageBuildMs] = time(() =>
    buildStatus(state, table, NOTHING_APPLIED, options, { query: '', offset: 0, limit: 500 }),
  );
  const [json, jsonMs] = time(() => JSON.stringify(page, null, 2));
  const [html, htmlMs] = time(() => renderStatusPage(page, ''));
  const [, searchMs] = time(() =>
    buildStatus(state, table, NOTHING_APPLIED, options, { query: 'app-42', offset: 0, limit: 500 }),
  );
  const [, againMs] = time(() =>
    buildStatus(state, table, NOTHING_APPLIED, options, { query: 'app-43', offset: 0, limit: 500 }),
  );
  const full = JSON.stringify(report);
  console.log(
    `pods=${count} table_ms=${tableMs.toFixed(0)} full_build_ms=${buildMs.toFixed(0)} page_build_ms=${pageBuildMs.toFixed(0)} search_ms=${searchMs.toFixed(0)} search_again_ms=${againMs.toFixed(0)} ` +
      `json_ms=${jsonMs.toFixed(1)} json_kb=${Math.round(json.length / 1024)} page_ms=${htmlMs.toFixed(1)} page_kb=${Math.round(html.length / 1024)} ` +
      `full_json_mb=${(full.length / 1048576).toFixed(1)} heap_mb=${Math.round(process.memoryUsage().heapUsed / 1048576)}`,
  );
}
