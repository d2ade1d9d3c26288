import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastValueFrom, toArray } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import { parseSelector, type LabelSelector } from '../../src/model/selector.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { replayFile } from '../../src/streams/replay-file.js';
import { replayCapture, replayLast } from '../support/replay.js';
import { REAL_K8S, realJson, realText, withRouting, routedStream } from '../support/fixtures.js';
import { nginxTest } from '../support/nginx-check.js';

const ROUTING = { trafficHosts: 'test.k8s.local', publicPaths: '3000:/nodejs' };
const tmp = mkdtempSync(join(tmpdir(), 'replay-test-'));
let files = 0;
const file = (lines: string[]): string => {
  const path = join(tmp, `f${++files}.ndjson`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};
const routed = (stream: string): string[] => routedStream(stream, ROUTING);
/** Returns the upstream's servers, or else the one direct proxy_pass target. */
const backends = (config: string): string[] => {
  const servers = [...config.matchAll(/^\s+server (\S+);/gm)].map((m) => m[1]!);
  return servers.length > 0
    ? servers
    : [...new Set([...config.matchAll(/proxy_pass http:\/\/(\S+);/g)].map((m) => m[1]!))];
};
const selector = parseSelector('microservice=true') as LabelSelector;
/** These tests read pods and windows off the printed configs: static mode, where the pods are in the config. */
const STATIC = ['--backends', 'static'];

async function events(path: string): Promise<{ events: PodEvent[]; bad: string[]; notes: string[] }> {
  const bad: string[] = [];
  const notes: string[] = [];
  const list = await lastValueFrom(
    replayFile(path, {
      names: { hosts: 'trafficHosts', paths: 'publicPaths' },
      selector,
      clock: new ReplayClock(),
      onBadLine: (line, reason) => bad.push(`${line}: ${reason}`),
      onNote: (line, note) => notes.push(`${line}: ${note}`),
    }).pipe(toArray()),
  );
  return { events: list, bad, notes };
}

test('a real watch stream: the terminating pod leaves at once, though it still reports Ready', async () => {
  const lines = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
  const afterAdds = await replayLast(file(lines.slice(0, 2)), STATIC);
  assert.deepEqual(backends(afterAdds.stdout), ['10.244.0.8:3000', '10.244.0.6:3000']); // network-tool, network-tool1
  const afterTerminating = await replayLast(file(lines.slice(0, 3)), STATIC);
  assert.deepEqual(backends(afterTerminating.stdout), ['10.244.0.6:3000']);
  const all = await replayLast(file(lines), STATIC);
  assert.equal(all.stdout, afterTerminating.stdout);
  assert.ok(nginxTest(all.stdout).ok);
});

test('a real 2015 stream without conditions: pods are not Ready, so the route answers 503', async () => {
  const result = await replayLast(file(routed('kubeclient_watch_stream_2015.ndjson').slice(0, 2)), STATIC);
  assert.match(result.stdout, /# Pod php \(default\) is not ready\n\s+return 503;/);
});

test('a real PodList of hostNetwork pods sharing one IP: each is a backend, nginx accepts it', async () => {
  const list = realJson('lists/k8s-openapi_v1-36_kube-system_podlist.json') as { items: Record<string, unknown>[] };
  const items = list.items.map((item) => withRouting(item, { microservice: 'true' }, ROUTING));
  const result = await replayLast(file([JSON.stringify({ ...list, items })]), STATIC);
  const expected = items.filter((item) => (item['status'] as { phase: string }).phase === 'Running').length;
  assert.equal(backends(result.stdout).length, expected);
  assert.ok(nginxTest(result.stdout).ok);
});

test('pods outside the selector are ignored, as the live watch would never send them', async () => {
  const lines = realText('streams/k8s-openapi_v1-36_watch_pods.ndjson').trim().split('\n');
  const { events: seen } = await events(file(lines));
  assert.deepEqual(seen, [{ type: 'SYNC', pods: [], implied: true }]);
});

test('a label removed by a MODIFIED event arrives as DELETED', async () => {
  const [, added, modified] = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
  const unlabelled = JSON.parse(modified!) as { object: { metadata: { labels: Record<string, string> } } };
  unlabelled.object.metadata.labels = {};
  const { events: seen } = await events(file([added!, JSON.stringify(unlabelled)]));
  assert.deepEqual(
    seen.map((e) => e.type),
    ['SYNC', 'ADDED', 'DELETED'],
  );
});

test('BOOKMARKs are skipped; a recorded ERROR (410) is reported as a note, not a bad line', async () => {
  const lines = [
    ...routed('k8s-openapi_v1-36_watch_pods_sendInitialEvents_bookmark.ndjson'),
    realText('streams/wso2-apk-issue571_watch_error_410_expired.ndjson').trim(),
  ];
  const { events: seen, bad, notes } = await events(file(lines));
  assert.equal(seen.filter((e) => e.type === 'ADDED').length, 8);
  assert.deepEqual(bad, []);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /too old resource version/);
});

test('malformed lines are reported with their number and reason; the rest is replayed', async () => {
  const good = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson')[0]!;
  const { events: seen, bad } = await events(
    file([
      '{not json',
      '[1]',
      '{"type":"FROBNICATED","object":{}}',
      '{"type":"ADDED"}',
      '{"type":"ADDED","object":{"metadata":{"name":"x"}}}',
      '{"at":"yesterday","type":"ADDED","object":{}}',
      good,
    ]),
  );
  assert.deepEqual(
    bad.map((b) => b.split(':')[0]),
    ['1', '2', '3', '4', '5', '6'],
  );
  assert.match(bad[4]!, /namespace/);
  assert.deepEqual(
    seen.map((e) => e.type),
    ['SYNC', 'ADDED'],
  );
});

test('timestamped lines are batched on virtual time exactly as the live controller would batch them', async () => {
  const [first, second] = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
  const at = (line: string, iso: string) => JSON.stringify({ at: iso, ...JSON.parse(line) });
  const origin = JSON.stringify({ at: '2026-01-01T00:00:00.000Z', type: 'START' });
  const configs = async (path: string) => (await replayCapture(path, STATIC)).stdout.match(/^# config /gm)?.length ?? 0;
  // Windows are [0 s, 2 s), [2 s, 4 s), ... from the START line.
  assert.equal(
    await configs(file([origin, at(first!, '2026-01-01T00:00:01.900Z'), at(second!, '2026-01-01T00:00:02.100Z')])),
    2,
  );
  assert.equal(
    await configs(file([origin, at(first!, '2026-01-01T00:00:02.100Z'), at(second!, '2026-01-01T00:00:03.900Z')])),
    1,
  );
  // Without START the first line is the origin.
  assert.equal(
    await configs(file([at(first!, '2026-01-01T00:00:00.500Z'), at(second!, '2026-01-01T00:00:02.300Z')])),
    1,
  );
});

test('lines without a time arrive with the line before them', async () => {
  const lines = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
  const { stdout } = await replayCapture(file(lines), STATIC);
  assert.equal(stdout.match(/^# config /gm)?.length, 1);
});

test('--out DIR writes one numbered file per config', async () => {
  const [first, second] = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
  const at = (line: string, iso: string) => JSON.stringify({ at: iso, ...JSON.parse(line) });
  const out = join(tmp, 'out');
  const { stdout } = await replayCapture(
    file([at(first!, '2026-01-01T00:00:00.000Z'), at(second!, '2026-01-01T00:00:05.000Z')]),
    ['--out', out, ...STATIC],
  );
  assert.equal(stdout, '');
  assert.deepEqual(readdirSync(out), ['config-000001.conf', 'config-000002.conf']);
});

test('pretty-printed documents (kubectl get -o json) are read whole: a List, a PodList, single Pods one after another', async () => {
  const list = realJson('lists/kubeclient_pods_2_chunked_last_page.json') as { items: Record<string, unknown>[] };
  const items = list.items.map((item) => withRouting(item, { microservice: 'true' }, ROUTING));
  // What `kubectl get pods -o json` prints: kind List, two-space indentation.
  const kubectlList = JSON.stringify(
    { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items },
    null,
    2,
  );
  const { events: fromList, bad } = await events(file([kubectlList]));
  assert.deepEqual(bad, []);
  assert.deepEqual(
    fromList.map((e) => e.type),
    ['SYNC'],
  );
  assert.equal((fromList[0] as { pods: readonly unknown[] }).pods.length, items.length);
  // A real pretty-printed Pod fixture, twice in a row, then an ndjson event: line numbers stay right.
  const pod = withRouting(realJson('pods/k9s_nginx-7fb78fb6d8-2w75j.json'), { microservice: 'true' }, ROUTING);
  const pretty = JSON.stringify(pod, null, 4);
  const { events: fromPods, bad: badPods } = await events(file([pretty, pretty, '{"type":"BOGUS"}']));
  assert.deepEqual(
    fromPods.map((e) => e.type),
    ['SYNC', 'ADDED', 'ADDED'],
  );
  assert.deepEqual(
    badPods.map((b) => Number(b.split(':')[0])),
    [pretty.split('\n').length * 2 + 1],
  );
  // Braces inside strings do not confuse the reader.
  const tricky = JSON.stringify(withRouting(pod, {}, { note: 'a } and a { and a \\" quote' }), null, 2);
  assert.deepEqual(
    (await events(file([tricky]))).events.map((e) => e.type),
    ['SYNC', 'ADDED'],
  );
});

test('a document that never ends is reported at the line where it starts', async () => {
  const { bad } = await events(file(['{"type":"BOOKMARK","object":{}}', '{', '  "kind": "PodList",', '  "items": [']));
  assert.deepEqual(bad, ['2: the JSON document that starts on this line never ends']);
});

test('the pretty-printed real PodList fixture replays as is', async () => {
  const { stdout, status } = await replayLast(
    `${REAL_K8S}lists/kubeclient_pods_1_chunked_continue_with_terminating.json`,
  );
  assert.equal(status, 0);
  assert.match(stdout, /return 444;/);
});
