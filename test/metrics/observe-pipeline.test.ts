import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subject } from 'rxjs';
import { pipelineOptions } from '../../src/commands/pipeline-options.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { observePipeline, type IssueReporter } from '../../src/metrics/observe-pipeline.js';
import { Status } from '../../src/metrics/status.js';
import type { PodEvent } from '../../src/model/events.js';
import type { Issue } from '../../src/model/issue.js';
import { configsFrom } from '../../src/pipeline.js';
import { parseInvocation } from '../../src/settings.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { captureLogs } from '../support/log-capture.js';
import { aPod, added, modified, sync } from '../support/pods.js';

function harness(reporter?: IssueReporter) {
  const clock = new ReplayClock();
  const status = new Status({ watchSilenceLimitMs: 10_000, nginx: false, startedAtMs: 0 });
  const { logger, lines } = captureLogs('info');
  const observer = observePipeline({ logger, status, metrics: new Metrics({ defaultMetrics: false }), now: () => clock.now(), issues: reporter });
  const events$ = new Subject<PodEvent>();
  const settings = parseInvocation(['run', '--window', '1000'], {}).settings;
  const subscription = configsFrom(events$, pipelineOptions(settings, { scheduler: clock, hooks: observer.pipeline })).subscribe((config) =>
    observer.sink.applied({ type: 'applied', config, durationMs: 1 }),
  );
  const at = (ms: number, event: PodEvent): void => {
    clock.advanceTo(ms);
    events$.next(event);
  };
  return { clock, status, observer, at, lines, subscription };
}

test('new issues reach the reporter once, with the uid of their pod; the log line stays', () => {
  const reports: { added: Issue[]; uids: (string | undefined)[] }[] = [];
  const reporter: IssueReporter = { report: (added, uidOf) => void reports.push({ added: [...added], uids: added.map((i) => uidOf(i.pod)) }) };
  const { at, clock, lines, subscription } = harness(reporter);
  const bad = aPod('bad', { hosts: 'ok.test Bad_Host', paths: '80:/', uid: 'uid-of-bad' });
  at(0, sync(aPod('good', { hosts: 'good.test', paths: '80:/' }), bad));
  clock.advanceTo(1000);
  at(1500, modified({ ...bad, ip: '10.0.0.9' }));
  clock.advanceTo(2000);
  at(2500, added(aPod('worse', { hosts: 'worse_host', paths: '80:/', uid: '' })));
  clock.advanceTo(3000);
  subscription.unsubscribe();
  assert.deepEqual(reports.map((r) => [r.added.map((i) => `${i.pod} ${i.code}`), r.uids]), [
    [['default/bad invalid-host'], ['uid-of-bad']],
    [['default/worse invalid-host'], [undefined]],
  ]);
  assert.equal(lines.filter((l) => l['message'] === 'routing annotation rejected').length, 2, 'logged once per change too');
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
