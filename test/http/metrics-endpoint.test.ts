// The real pipeline (configsFrom) on virtual time, observed through observePipeline, with a fake apply step, read
// back through the admin server's /metrics: every metric moves when its event happens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subject } from 'rxjs';
import { pipelineOptions } from '../../src/commands/pipeline-options.js';
import { startEndpointServer } from '../../src/http/endpoint-server.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { observePipeline } from '../../src/metrics/observe-pipeline.js';
import { Status } from '../../src/metrics/status.js';
import type { PodEvent } from '../../src/model/events.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { configsFrom } from '../../src/pipeline.js';
import { parseInvocation } from '../../src/settings.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { captureLogs } from '../support/log-capture.js';
import { aPod, added, deleted, modified, sync } from '../support/pods.js';
import { parseExposition, valueOf, type Exposition } from '../support/prom-text.js';

const P = 'k8s_pods_ingress_';

test('each metric moves when its event happens, read through /metrics', async (t) => {
  const clock = new ReplayClock();
  const { logger } = captureLogs('error');
  const metrics = new Metrics();
  const status = new Status({ watchSilenceLimitMs: 180_000, nginx: true, startedAtMs: 0 });
  const observer = observePipeline({ logger, status, metrics, now: () => clock.now() });
  const server = await startEndpointServer({
    port: 0,
    host: '127.0.0.1',
    status,
    metrics,
    logger,
    now: () => clock.now(),
  });
  t.after(() => server.close());

  // The fake sink: applies take 40 ms; `failNext` makes the next one fail at nginx -t, as the nginx sink reports it.
  const applied: RenderedConfig[] = [];
  let failNext = false;
  const events$ = new Subject<PodEvent>();
  const settings = parseInvocation(['run', '--window', '1000'], {}).settings;
  const subscription = configsFrom(
    events$,
    pipelineOptions(settings, { scheduler: clock, hooks: observer.pipeline }),
  ).subscribe((config) => {
    const at = clock.now() + 40;
    if (failNext) observer.sink.applied({ type: 'failed', config, durationMs: 40, stage: 'check' }, at);
    else
      observer.sink.applied(
        { type: 'applied', config, durationMs: 40, action: applied.length === 0 ? 'started' : 'reloaded' },
        at,
      );
    failNext = false;
    applied.push(config);
  });
  t.after(() => subscription.unsubscribe());
  const at = (ms: number, event: PodEvent): void => {
    clock.advanceTo(ms);
    events$.next(event);
  };
  const scrape = async (): Promise<Exposition> => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  const get = async (path: string): Promise<[number, string]> => {
    const response = await fetch(server.url + path);
    return [response.status, await response.text()];
  };

  let m = await scrape();
  assert.equal(m.types.get(`${P}pod_events_total`), 'counter');
  assert.equal(m.types.get(`${P}event_to_applied_seconds`), 'histogram');
  assert.equal(m.types.get(`${P}routes`), 'gauge');
  assert.equal(valueOf(m, `${P}pod_events_total`, { type: 'SYNC' }), 0, 'known series start at 0');
  assert.equal(valueOf(m, `${P}rejected_entries`, { reason: 'invalid-host' }), 0);
  assert.ok(valueOf(m, 'process_cpu_seconds_total') !== undefined, 'process metrics');
  assert.ok(
    m.samples.some((s) => s.name.startsWith('nodejs_')),
    'nodejs metrics',
  );
  assert.deepEqual(await get('/readyz'), [503, 'no config applied yet\n']);

  // The first list: one config, started (the first window closes as the list arrives).
  const a = aPod('a', { hosts: 'a.test', paths: '80:/' });
  at(0, sync(a));
  clock.advanceTo(1000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}pod_events_total`, { type: 'SYNC' }), 1);
  assert.equal(valueOf(m, `${P}batches_total`), 1);
  assert.equal(valueOf(m, `${P}configs_rendered_total`), 1);
  assert.equal(valueOf(m, `${P}config_applies_total`, { result: 'success' }), 1);
  assert.equal(valueOf(m, `${P}nginx_reloads_total`, { result: 'success' }), 0, 'a start is not a reload');
  assert.equal(valueOf(m, `${P}last_apply_success`), 1);
  assert.equal(valueOf(m, `${P}last_apply_timestamp_seconds`), 0.04);
  assert.equal(valueOf(m, `${P}apply_duration_seconds_count`, { result: 'success' }), 1);
  assert.equal(valueOf(m, `${P}apply_duration_seconds_sum`, { result: 'success' }), 0.04);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_count`), 1);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_sum`), 0.04);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_bucket`, { le: '0.1' }), 1);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_bucket`, { le: '2' }), 1);
  assert.equal(valueOf(m, `${P}routes`), 1);
  assert.equal(valueOf(m, `${P}backends`), 1);
  assert.equal(valueOf(m, `${P}config_info`, { sha256: applied[0]!.hash }), 1);
  assert.deepEqual(await get('/readyz'), [200, 'ok\n']);

  // A pod with one bad host: a reload, a rejection gauged and reported once.
  const b = aPod('b', { hosts: 'b.test bad_host', paths: '80:/', ip: '10.0.0.2' });
  at(1500, added(b));
  clock.advanceTo(2000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}nginx_reloads_total`, { result: 'success' }), 1);
  assert.equal(valueOf(m, `${P}rejected_entries`, { reason: 'invalid-host' }), 1);
  assert.equal(valueOf(m, `${P}rejected_entries_reported_total`, { reason: 'invalid-host' }), 1);
  assert.equal(valueOf(m, `${P}routes`), 2);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_count`), 2);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_sum`), 0.04 + 0.54);
  assert.equal(valueOf(m, `${P}config_info`, { sha256: applied[0]!.hash }), undefined, 'the old hash is gone');
  assert.equal(valueOf(m, `${P}config_info`, { sha256: applied[1]!.hash }), 1);

  // A routing-neutral change: counted as an event and a batch, nothing rendered.
  at(2500, modified(b));
  clock.advanceTo(3000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}pod_events_total`, { type: 'MODIFIED' }), 1);
  assert.equal(valueOf(m, `${P}batches_total`), 3);
  assert.equal(valueOf(m, `${P}configs_rendered_total`), 2);

  // A pod without annotations: a new state and issue, the same text: rendered, skipped as unchanged.
  at(3200, added(aPod('c', { hosts: null, paths: null })));
  clock.advanceTo(4000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}configs_rendered_total`), 3);
  assert.equal(valueOf(m, `${P}configs_unchanged_total`), 1);
  assert.equal(valueOf(m, `${P}rejected_entries`, { reason: 'missing-annotation' }), 2, 'both annotations of c');
  assert.equal(applied.length, 2, 'nothing applied');

  // A failed apply, then its retry: the latency runs from the event to the successful apply.
  failNext = true;
  at(4200, modified({ ...a, ready: false }));
  clock.advanceTo(5000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}config_applies_total`, { result: 'failure' }), 1);
  assert.equal(valueOf(m, `${P}last_apply_success`), 0);
  assert.equal(valueOf(m, `${P}apply_duration_seconds_count`, { result: 'failure' }), 1);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_count`), 2, 'a failure is not an apply');
  clock.advanceTo(6000);
  observer.sink.applied({ type: 'applied', config: applied.at(-1)!, durationMs: 40, action: 'reloaded' }, 6000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}last_apply_success`), 1);
  assert.equal(valueOf(m, `${P}event_to_applied_seconds_count`), 3);
  assert.ok(Math.abs(valueOf(m, `${P}event_to_applied_seconds_sum`)! - (0.04 + 0.54 + 1.8)) < 1e-9);
  assert.equal(valueOf(m, `${P}backends`), 1, 'a is not ready: its backend is gone');

  // Pod b goes away: the rejection gauge drops, the reported counter stays.
  at(6500, deleted(b));
  clock.advanceTo(7000);
  m = await scrape();
  assert.equal(valueOf(m, `${P}pod_events_total`, { type: 'DELETED' }), 1);
  assert.equal(valueOf(m, `${P}rejected_entries`, { reason: 'invalid-host' }), 0);
  assert.equal(valueOf(m, `${P}rejected_entries_reported_total`, { reason: 'invalid-host' }), 1);

  // The source, nginx and the renderer report through their own hooks.
  observer.source.restarted('gone', 'all');
  observer.source.alive(7_500);
  observer.pipeline.renderFailed?.(new Error('refused'));
  observer.nginx.health({ state: 'down', lastExit: null });
  m = await scrape();
  assert.equal(valueOf(m, `${P}watch_restarts_total`, { cause: 'gone' }), 1);
  assert.equal(valueOf(m, `${P}watch_restarts_total`, { cause: 'idle' }), 0);
  assert.equal(valueOf(m, `${P}watch_last_alive_timestamp_seconds`), 7.5);
  assert.equal(valueOf(m, `${P}render_failures_total`), 1);
  assert.equal(valueOf(m, `${P}nginx_up`), 0);
  assert.deepEqual(await get('/healthz'), [503, 'nginx not running\n']);
  observer.nginx.health({ state: 'running', lastExit: null });
  assert.equal(valueOf(await scrape(), `${P}nginx_up`), 1);
  assert.deepEqual(await get('/healthz'), [200, 'ok\n']);
});
