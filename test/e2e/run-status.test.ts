// /status of the real `run` follows the cluster: a pod turning ready takes its route out of 503 in the next window,
// and the applied facts count the configs put in force.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setPodReady } from '../support/fake-pods.js';
import { waitFor } from '../support/http-probe.js';
import { podsOf, SHOP_PODS, startStatusRun } from '../support/status-harness.js';
import type { StatusReport } from '../../src/status/status-report.js';

async function status(url: string, query = ''): Promise<StatusReport> {
  return (await (await fetch(`${url}/status${query}`)).json()) as StatusReport;
}

test('/status follows the cluster: a pod turns ready, its route stops answering 503', async (t) => {
  const run = await startStatusRun(t, podsOf(SHOP_PODS));
  const before = await status(run.url, '?q=reports.example.com');
  assert.deepEqual(
    before.routes.map((r) => [r.host, r.unavailable, r.notReady.map((w) => w.reasons)]),
    [['reports.example.com', true, [['condition Ready is not True']]]],
  );
  assert.equal(before.config.configs, 1);
  assert.match(before.config.appliedAt ?? '', /^\d{4}-\d\d-\d\dT/);

  run.fake.modifyPod('team-b', 'reports-8d2e-w3c6f', (pod) => setPodReady(pod, true));
  const after = await waitFor(
    'the route to be served',
    async () => {
      const report = await status(run.url, '?q=reports.example.com');
      return report.routes[0]?.unavailable === false ? report : undefined;
    },
    20_000,
  );
  assert.deepEqual(after.routes[0]!.backends, [
    { namespace: 'team-b', pod: 'reports-8d2e-w3c6f', address: '10.244.3.14:8080' },
  ]);
  assert.equal(after.config.configs, 2);
  assert.notEqual(after.config.hash, before.config.hash);
  assert.equal(after.summary.unavailableRoutes, 0);
  assert.deepEqual(
    after.pods.map((p) => [p.name, p.ready]),
    [['reports-8d2e-w3c6f', true]],
  );
});
