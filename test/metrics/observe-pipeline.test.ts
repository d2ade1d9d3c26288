import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subject } from 'rxjs';
import { pipelineOptions } from '../../src/commands/pipeline-options.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { observePipeline, type IssueReporter } from '../../src/metrics/observe-pipeline.js';
import { Status } from '../../src/metrics/status.js';
import type { PodEvent } from '../../src/model/events.js';
import type { Issue, IssueCode } from '../../src/model/issue.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { configsFrom } from '../../src/pipeline.js';
import { parseInvocation } from '../../src/settings.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { captureLogs } from '../support/log-capture.js';
import { aPod, added, modified, sync } from '../support/pods.js';

function harness(reporter?: IssueReporter) {
  const clock = new ReplayClock();
  const status = new Status({ watchSilenceLimitMs: 10_000, nginx: false, startedAtMs: 0 });
  const { logger, lines } = captureLogs('info');
  const observer = observePipeline({
    logger,
    status,
    metrics: new Metrics({ defaultMetrics: false }),
    now: () => clock.now(),
    issues: reporter,
  });
  const events$ = new Subject<PodEvent>();
  const settings = parseInvocation(['run', '--window', '1000'], {}).settings;
  const subscription = configsFrom(
    events$,
    pipelineOptions(settings, { scheduler: clock, hooks: observer.pipeline }),
  ).subscribe((config) => observer.sink.applied({ type: 'applied', config, durationMs: 1 }));
  const at = (ms: number, event: PodEvent): void => {
    clock.advanceTo(ms);
    events$.next(event);
  };
  return { clock, status, observer, at, lines, subscription };
}

test('new issues reach the reporter once, with the uid of their pod; the log line stays', () => {
  const reports: { added: Issue[]; uids: (string | undefined)[] }[] = [];
  const reporter: IssueReporter = {
    report: (added, uidOf) => void reports.push({ added: [...added], uids: added.map((i) => uidOf(i.pod)) }),
  };
  const { at, clock, lines, subscription } = harness(reporter);
  const bad = aPod('bad', { hosts: 'ok.test Bad_Host', paths: '80:/', uid: 'uid-of-bad' });
  at(0, sync(aPod('good', { hosts: 'good.test', paths: '80:/' }), bad));
  clock.advanceTo(1000);
  at(1500, modified({ ...bad, ip: '10.0.0.9' }));
  clock.advanceTo(2000);
  at(2500, added(aPod('worse', { hosts: 'worse_host', paths: '80:/', uid: '' })));
  clock.advanceTo(3000);
  subscription.unsubscribe();
  assert.deepEqual(
    reports.map((r) => [r.added.map((i) => `${i.pod} ${i.code}`), r.uids]),
    [
      [['default/bad invalid-host'], ['uid-of-bad']],
      [['default/worse invalid-host'], [undefined]],
    ],
  );
  assert.equal(
    lines.filter((l) => l['message'] === 'routing annotation rejected').length,
    2,
    'logged once per change too',
  );
});

test('health and readiness follow the source and the sink', () => {
  const { at, clock, status, observer, subscription } = harness();
  assert.deepEqual(status.readiness(), { ok: false, reason: 'no config applied yet' });
  observer.source.alive(500);
  at(0, sync(aPod('a')));
  clock.advanceTo(1000);
  subscription.unsubscribe();
  assert.deepEqual(status.readiness(), { ok: true });
  assert.deepEqual(status.health(10_500), { ok: true });
  assert.equal(status.health(10_501).ok, false);
  observer.sink.applied({ type: 'failed', config: { hash: 'x', routes: 0, backends: 0 }, durationMs: 1 }, 2000);
  assert.notEqual(status.configHash, 'x', 'a failed config is not in force');
});

test('with only a logger (replay, record), the observer logs and calls the extra hooks, and observes nothing else', () => {
  const { logger, lines } = captureLogs('info');
  const calls: string[] = [];
  const observer = observePipeline({
    logger,
    now: () => 0,
    extra: {
      pipeline: { batch: () => void calls.push('batch'), issues: (added) => void calls.push(`issues ${added.length}`) },
      source: { alive: (at) => void calls.push(`alive ${at}`) },
    },
  });
  // `rendered` is the logger's: a refused render says whether a previous config stays in force.
  assert.deepEqual(
    Object.keys(observer.pipeline).sort(),
    ['batch', 'issues', 'renderFailed', 'rendered'],
    'a stage nobody observes gets no hook',
  );
  const bad = aPod('bad', { hosts: 'Bad_Host', paths: '80:/' });
  const issue: Issue = { pod: 'default/bad', code: 'invalid-host', message: 'not a host name' };
  observer.pipeline.issues?.([issue], [issue]);
  observer.pipeline.renderFailed?.(new Error('refused'));
  observer.pipeline.rendered?.({ hash: 'h', routes: 1, backends: 1, issues: [] } as unknown as RenderedConfig);
  observer.pipeline.renderFailed?.(new Error('refused again'));
  observer.pipeline.batch?.([added(bad)]);
  observer.source.alive(7);
  observer.source.restarted('gone', 'all');
  observer.sink.applied({ type: 'applied', config: { hash: 'h', routes: 1, backends: 1 }, durationMs: 0 });
  observer.nginx.health({ state: 'down', lastExit: null });
  assert.deepEqual(calls, ['issues 1', 'batch', 'alive 7']);
  assert.deepEqual(
    lines.map((l) => [l['level'], l['message'], l['pod'] ?? l['error']]),
    [
      ['warn', 'routing annotation rejected', 'default/bad'],
      ['error', 'config not rendered; there is no config yet', 'Error: refused'],
      ['error', 'config not rendered; the previous config stays in force', 'Error: refused again'],
    ],
  );
});

test('issue log lines: TLS problems have their own wording, and logIssues false (replay --status) silences them', () => {
  const cases: [name: string, logIssues: boolean | undefined, code: IssueCode, expected: string[]][] = [
    ['routing issue', undefined, 'invalid-host', ['routing annotation rejected']],
    ['TLS issue', undefined, 'tls-secret-missing', ['TLS not served as asked']],
    ['logIssues false', false, 'invalid-host', []],
  ];
  for (const [name, logIssues, code, expected] of cases) {
    const { logger, lines } = captureLogs('info');
    const observer = observePipeline({ logger, now: () => 0, ...(logIssues === undefined ? {} : { logIssues }) });
    const issue: Issue = { pod: 'default/p', code, message: 'm' };
    observer.pipeline.issues?.([issue], [issue]);
    assert.deepEqual(
      lines.map((l) => l['message']),
      expected,
      name,
    );
  }
});

test('nginx health reaches readiness through the status rule', () => {
  const status = new Status({ watchSilenceLimitMs: 10_000, nginx: true, startedAtMs: 0 });
  const observer = observePipeline({ logger: captureLogs('error').logger, status, now: () => 0 });
  observer.sink.applied({ type: 'applied', config: { hash: 'h', routes: 1, backends: 1 }, durationMs: 0 }, 1);
  observer.nginx.health({ state: 'running', lastExit: null });
  assert.deepEqual(status.readiness(), { ok: true });
  observer.nginx.health({ state: 'starting', lastExit: { code: 1, signal: null } });
  assert.deepEqual(status.readiness(), { ok: false, reason: 'nginx not running (exited: code 1)' });
  observer.nginx.health({ state: 'starting', lastExit: null });
  assert.deepEqual(status.readiness(), { ok: true }, 'the first start is not a failure');
});
