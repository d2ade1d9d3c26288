// /metrics of the real `run` command with the nginx sink: each metric moves when its happening happens in the real
// chain (fake API server, list+watch, pipeline, nginx), and config_info names the nginx.conf nginx really runs.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { waitFor } from '../support/http-probe.js';
import { valueOf, type Exposition } from '../support/prom-text.js';
import {
  backendPod,
  scrape,
  sha256OfFile,
  startRun,
  type RunningController,
  startScene,
} from '../support/run-harness.js';

const P = 'k8s_pods_ingress_';
const APP = 'app.test';

/** Returns the value of a sample that must exist. */
function metric(m: Exposition, name: string, labels: Record<string, string> = {}): number {
  const value = valueOf(m, P + name, labels);
  assert.ok(value !== undefined, `no sample ${P}${name}${JSON.stringify(labels)}`);
  return value;
}

/** Scrapes until `check` holds, and returns that scrape. */
function scrapeUntil(run: RunningController, what: string, check: (m: Exposition) => boolean): Promise<Exposition> {
  return waitFor(
    what,
    async () => {
      const m = await scrape(run);
      return check(m) ? m : undefined;
    },
    20_000,
  );
}

/** Asserts that config_info has exactly one series, labelled with the sha256 of the live nginx.conf. */
function assertConfigInfo(m: Exposition, run: RunningController): void {
  const series = m.samples.filter((sample) => sample.name === `${P}config_info`);
  assert.deepEqual(
    series.map((sample) => [sample.labels['sha256'], sample.value]),
    [[sha256OfFile(run.confPath), 1]],
  );
}

for (const mode of ['static', 'dynamic'] as const)
  it(`metrics move with pod events, applies, reloads or pushes, rejections and watch restarts (${mode})`, async (t) => {
    const { cleanup, backends, fake } = await startScene(t, ['one', 'two', 'bad']);
    const routing = { hosts: APP, paths: `${backends.port}:/` };
    fake.addPod(backendPod('one', backends.byName('one').ip, routing));
    const run = await startRun(fake, { args: ['--backends', mode] });
    cleanup(() => run.stop());
    await waitFor('traffic to pod one', async () => (await run.get(APP, '/')).backend === 'one', 30_000);

    const m1 = await scrapeUntil(
      run,
      'the first apply counted',
      (m) => metric(m, 'config_applies_total', { result: 'success' }) >= 1,
    );
    assert.ok(metric(m1, 'pod_events_total', { type: 'SYNC' }) >= 1);
    assert.ok(metric(m1, 'batches_total') >= 1);
    assert.ok(metric(m1, 'configs_rendered_total') >= 1);
    assert.equal(metric(m1, 'config_applies_total', { result: 'failure' }), 0);
    assert.equal(metric(m1, 'last_apply_success'), 1);
    assert.equal(metric(m1, 'nginx_up'), 1);
    assert.equal(metric(m1, 'routes'), 1);
    assert.equal(metric(m1, 'backends'), 1);
    assert.ok(metric(m1, 'watch_last_alive_timestamp_seconds') > 0);
    assertConfigInfo(m1, run);

    // Scale up: an ADDED event, one more batch and config, a reload, two backends on the one route.
    fake.addPod(backendPod('two', backends.byName('two').ip, routing));
    const m2 = await scrapeUntil(run, 'two backends in force', (m) => metric(m, 'backends') === 2);
    assert.ok(
      metric(m2, 'pod_events_total', { type: 'ADDED' }) >= metric(m1, 'pod_events_total', { type: 'ADDED' }) + 1,
    );
    assert.ok(metric(m2, 'batches_total') > metric(m1, 'batches_total'));
    assert.ok(metric(m2, 'configs_rendered_total') > metric(m1, 'configs_rendered_total'));
    assert.ok(
      metric(m2, 'config_applies_total', { result: 'success' }) >
        metric(m1, 'config_applies_total', { result: 'success' }),
    );
    assert.ok(metric(m2, 'event_to_applied_seconds_count') > metric(m1, 'event_to_applied_seconds_count'));
    assert.equal(metric(m2, 'routes'), 1);
    assertConfigInfo(m2, run);
    const firstHash = m1.samples.find((s) => s.name === `${P}config_info`)?.labels['sha256'];
    if (mode === 'static') {
      assert.ok(
        metric(m2, 'nginx_reloads_total', { result: 'success' }) >
          metric(m1, 'nginx_reloads_total', { result: 'success' }),
      );
      assert.notEqual(sha256OfFile(run.confPath), firstHash);
    } else {
      // A new pod of an existing route is pushed: no reload, not one byte of nginx.conf changed.
      assert.equal(
        metric(m2, 'nginx_reloads_total', { result: 'success' }),
        metric(m1, 'nginx_reloads_total', { result: 'success' }),
      );
      assert.equal(metric(m2, 'nginx_config_loads_total', { reason: 'structure' }), 0);
      assert.equal(metric(m2, 'nginx_config_loads_total', { reason: 'start' }), 1);
      assert.ok(
        metric(m2, 'members_pushes_total', { result: 'success' }) >
          metric(m1, 'members_pushes_total', { result: 'success' }),
      );
      assert.ok(metric(m2, 'members_push_duration_seconds_count') >= 2);
      assert.equal(metric(m2, 'nginx_old_worker_processes'), 0);
      assert.equal(sha256OfFile(run.confPath), firstHash);
    }

    // A change and a deletion: MODIFIED and DELETED counted, one backend left.
    fake.modifyPod('default', 'two', { metadata: { labels: { microservice: 'true', team: 'blue' } } });
    fake.deletePod('default', 'one');
    const m3 = await scrapeUntil(run, 'one backend in force', (m) => metric(m, 'backends') === 1);
    assert.ok(metric(m3, 'pod_events_total', { type: 'DELETED' }) >= 1);
    await scrapeUntil(
      run,
      'the MODIFIED event counted',
      (m) => metric(m, 'pod_events_total', { type: 'MODIFIED' }) >= 1,
    );
    assertConfigInfo(await scrape(run), run);

    // A pod whose only host is invalid: one rejected entry, reported once; it routes nothing.
    assert.equal(metric(m3, 'rejected_entries', { reason: 'invalid-host' }), 0);
    fake.addPod(backendPod('bad', backends.byName('bad').ip, { hosts: 'bad_host.test', paths: `${backends.port}:/` }));
    const m4 = await scrapeUntil(
      run,
      'the rejected host counted',
      (m) => metric(m, 'rejected_entries', { reason: 'invalid-host' }) === 1,
    );
    assert.equal(metric(m4, 'rejected_entries_reported_total', { reason: 'invalid-host' }), 1);
    assert.equal(metric(m4, 'rejected_entries', { reason: 'invalid-port' }), 0);
    assert.equal(metric(m4, 'routes'), 1);

    // Dropped connections: the watch restarts with cause "error".
    const errors = metric(m4, 'watch_restarts_total', { cause: 'error' });
    fake.dropConnections();
    await scrapeUntil(
      run,
      'a watch restart by error',
      (m) => metric(m, 'watch_restarts_total', { cause: 'error' }) > errors,
    );
    const last = await scrape(run);
    assert.equal(metric(last, 'last_apply_success'), 1);
    assert.equal(metric(last, 'config_applies_total', { result: 'failure' }), 0);
    assert.equal(metric(last, 'nginx_reloads_total', { result: 'failure' }), 0);
    assertConfigInfo(last, run);
  });
