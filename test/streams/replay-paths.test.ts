// Replay's two ways of parsing, inline and on a worker thread: every kind of input gives the same events (on the
// same clock), the same bad lines (numbers and reasons), notes and emptiness through both; the worker really runs,
// stops when the replay is unsubscribed, and its failures are the same SourceError as a read error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import { recordedSecret } from '../../src/model/recorded-secret.js';
import type { ProjectedSecret } from '../../src/model/secret.js';
import { parseSelector, type LabelSelector } from '../../src/model/selector.js';
import { WORKER_CHUNK_BYTES } from '../../src/streams/parse-in-worker.js';
import { projectSecret } from '../../src/streams/project-secret.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { replayFile, SourceError, WORKER_MIN_BYTES, type ReplayOptions } from '../../src/streams/replay-file.js';
import { makeCa, makeLeaf, tlsSecret } from '../support/certificates.js';
import { realJson, realText, withRouting, routedStream } from '../support/fixtures.js';
import { bigRecording, routedPod, SPLIT_RUN } from '../support/replay-input.js';

const tmp = mkdtempSync(join(tmpdir(), 'replay-paths-'));
// Tens of megabytes of generated recordings: removed at the end.
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;
const file = (content: string | Buffer): string => {
  const path = join(tmp, `f${++files}.ndjson`);
  writeFileSync(path, content);
  return path;
};
const ndjson = (lines: readonly string[]): string => lines.join('\n') + '\n';
const ROUTING = { trafficHosts: 'test.k8s.local', publicPaths: '3000:/nodejs' };
const routed = (stream: string): string[] => routedStream(stream, ROUTING);
const at = (line: string, iso: string): string => JSON.stringify({ at: iso, ...(JSON.parse(line) as object) });
const selector = parseSelector('microservice=true') as LabelSelector;

/** What a replay reported: each event with the clock's time when it was emitted, bad lines, notes, emptiness. */
interface Replayed {
  readonly events: readonly { readonly event: PodEvent; readonly now: number }[];
  readonly bad: readonly string[];
  readonly notes: readonly string[];
  readonly empty: number;
  readonly workers: number;
}

async function replayed(
  path: string,
  parser: 'inline' | 'worker' | undefined,
  extra: Partial<ReplayOptions> = {},
): Promise<Replayed> {
  const clock = new ReplayClock();
  const bad: string[] = [];
  const notes: string[] = [];
  let empty = 0;
  let workers = 0;
  const events = await lastValueFrom(
    replayFile(path, {
      names: { hosts: 'trafficHosts', paths: 'publicPaths', tlsSecret: 'tlsSecret' },
      selector,
      clock,
      parser,
      onBadLine: (line, reason) => bad.push(`${line}: ${reason}`),
      onNote: (line, note) => notes.push(`${line}: ${note}`),
      onEmpty: () => empty++,
      onWorker: () => workers++,
      ...extra,
    }).pipe(
      map((event) => ({ event, now: clock.now() })),
      toArray(),
    ),
  );
  return { events, bad, notes, empty, workers };
}

const types = (result: Replayed): string[] => result.events.map(({ event }) => event.type);

const ca = makeCa();
after(() => ca.dispose());
const leaf = makeLeaf(ca, { sans: ['DNS:test.k8s.local'] });
const secret = (name: string, type?: string): ProjectedSecret =>
  projectSecret(tlsSecret('default', name, leaf, type)) as ProjectedSecret;
const stamp = '2026-01-01T00:00:00.000Z';
const secretLines = (): string[] => [
  JSON.stringify({ at: stamp, type: 'START', secrets: true }),
  JSON.stringify({
    at: stamp,
    type: 'SECRET_SYNC',
    secrets: [secret('tls'), secret('odd', 'Opaque')].map(recordedSecret),
  }),
  at(routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson')[0]!, '2026-01-01T00:00:01.000Z'),
  JSON.stringify({ at: '2026-01-01T00:00:03.000Z', type: 'SECRET_ADDED', secret: recordedSecret(secret('more')) }),
  JSON.stringify({
    at: '2026-01-01T00:00:05.000Z',
    type: 'SECRET_DELETED',
    secret: { namespace: 'default', name: 'tls' },
  }),
  JSON.stringify({ at: '2026-01-01T00:00:06.000Z', type: 'SECRET_MODIFIED', secret: { name: 'no-namespace' } }),
];

const pod = withRouting(realJson('pods/k9s_nginx-7fb78fb6d8-2w75j.json'), { microservice: 'true' }, ROUTING);
const pretty = JSON.stringify(pod, null, 4);
const list = realJson('lists/kubeclient_pods_2_chunked_last_page.json') as { items: Record<string, unknown>[] };
const listItems = list.items.map((item) => withRouting(item, { microservice: 'true' }, ROUTING));

// Each case: its name, the file's content, options, and what the inline replay must show (so that two equally
// broken paths cannot pass).
const CASES: readonly {
  readonly name: string;
  readonly content: () => string | Buffer;
  readonly options?: Partial<ReplayOptions>;
  readonly expect: (result: Replayed) => void;
}[] = [
  {
    name: 'a real watch stream (added, modified, deleted)',
    content: () => ndjson(routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson')),
    expect: (r) => assert.deepEqual(types(r).slice(0, 2), ['SYNC', 'ADDED']),
  },
  {
    name: 'pods outside the selector: only the implied empty SYNC',
    content: () => realText('streams/k8s-openapi_v1-36_watch_pods.ndjson'),
    expect: (r) => assert.deepEqual(types(r), ['SYNC']),
  },
  {
    name: 'BOOKMARKs skipped, a recorded 410 ERROR as a note',
    content: () =>
      ndjson([
        ...routed('k8s-openapi_v1-36_watch_pods_sendInitialEvents_bookmark.ndjson'),
        realText('streams/wso2-apk-issue571_watch_error_410_expired.ndjson').trim(),
      ]),
    expect: (r) => (assert.equal(r.notes.length, 1), assert.match(r.notes[0]!, /too old resource version/)),
  },
  {
    name: 'malformed lines, each with its number and reason',
    content: () =>
      ndjson([
        '{not json',
        '[1]',
        '{"type":"FROBNICATED","object":{}}',
        '{"type":"ADDED"}',
        '{"type":"ADDED","object":{"metadata":{"name":"x"}}}',
        '{"at":"yesterday","type":"ADDED","object":{}}',
        '{"type":"START"}',
        '"a string"',
        routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson')[0]!,
      ]),
    expect: (r) =>
      assert.deepEqual(
        r.bad.map((b) => b.split(':')[0]),
        ['1', '2', '3', '4', '5', '6', '7', '8'],
      ),
  },
  {
    name: 'timestamped lines after a START drive the clock',
    content: () => {
      const [first, second, third] = routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson');
      return ndjson([
        JSON.stringify({ at: stamp, type: 'START' }),
        at(first!, '2026-01-01T00:00:01.900Z'),
        third!,
        at(second!, '2026-01-01T00:00:04.100Z'),
      ]);
    },
    expect: (r) =>
      assert.deepEqual(
        r.events.map(({ now }) => now - Date.parse(stamp)),
        [1900, 1900, 1900, 4100],
      ),
  },
  {
    name: 'pretty-printed documents: a List, two Pods, braces inside strings, then a bad line',
    content: () =>
      [
        JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items: listItems }, null, 2),
        pretty,
        JSON.stringify(withRouting(pod, {}, { note: 'a } and a { and a \\" quote' }), null, 2),
        '{"type":"BOGUS"}',
      ].join('\n'),
    expect: (r) => (assert.deepEqual(types(r), ['SYNC', 'ADDED', 'ADDED']), assert.equal(r.bad.length, 1)),
  },
  {
    name: 'a document that never ends is reported where it starts',
    content: () => ndjson(['{"type":"BOOKMARK","object":{}}', '{', '  "kind": "PodList",', '  "items": [']),
    expect: (r) => assert.deepEqual(r.bad, ['2: the JSON document that starts on this line never ends']),
  },
  {
    name: 'the pretty-printed real PodList fixture',
    content: () => realText('lists/kubeclient_pods_1_chunked_continue_with_terminating.json'),
    options: { selector: [] },
    expect: (r) => assert.deepEqual(types(r), ['SYNC']),
  },
  {
    name: 'a kubectl List mixing kinds, and a JSON array of pods',
    content: () =>
      ndjson([
        JSON.stringify({ kind: 'List', items: [...listItems, { kind: 'Service' }, { kind: 'Service' }] }),
        JSON.stringify(listItems),
      ]),
    expect: (r) => (assert.deepEqual(types(r), ['SYNC', 'SYNC']), assert.match(r.notes[0]!, /2 Service/)),
  },
  {
    name: 'CRLF line endings, blank lines, no newline at the end',
    content: () => routed('zhaohuabing-blog_watch_pods_added_modified_deleted.ndjson').join('\r\n\r\n'),
    expect: (r) => (assert.deepEqual(r.bad, []), assert.equal(types(r).length, 1 + 6)),
  },
  {
    name: 'an empty file',
    content: () => '',
    expect: (r) => (assert.equal(r.empty, 1), assert.deepEqual(types(r), ['SYNC'])),
  },
  {
    name: 'only blank lines',
    content: () => '\n \r\n\t\n',
    expect: (r) => assert.equal(r.empty, 1),
  },
  {
    name: 'a line and a document over the line limit are skipped; the line numbers after them stay right',
    content: () =>
      ndjson([`{"type":"ADDED","object":${JSON.stringify({ big: 'x'.repeat(5000) })}}`, pretty, '{"type":"BOGUS"}']),
    options: { maxLineBytes: 1024 },
    expect: (r) => {
      assert.match(r.bad[0]!, /^1: longer than the line limit of 1024 bytes \(50\d\d bytes/);
      assert.match(r.bad[1]!, /^2: the document that starts on this line is longer than the line limit/);
      // The rest of the skipped document is read line by line, as before: each is malformed on its own.
      assert.match(r.bad[2]!, /: not JSON/);
      assert.match(r.bad.at(-1)!, new RegExp(`^${pretty.split('\n').length + 2}: "type" must be`));
    },
  },
  {
    name: 'Secret lines: a list with a broken Secret, changes, a malformed one',
    content: () => ndjson(secretLines()),
    expect: (r) => {
      assert.deepEqual(types(r), ['SECRET_SYNC', 'SYNC', 'ADDED', 'SECRET_ADDED', 'SECRET_DELETED']);
      assert.match(r.bad[0]!, /^6: a SECRET_MODIFIED line needs a "secret"/);
      const sync = r.events[0]!.event as { secrets: readonly ProjectedSecret[] };
      assert.equal(sync.secrets[1]!.problem?.code, 'tls-secret-wrong-type');
      assert.ok(sync.secrets.every((s) => s.material === null));
    },
  },
  {
    name: 'several chunks: lines and multi-byte characters across chunk boundaries, a line longer than a chunk',
    content: () => {
      const recording = bigRecording(4 * WORKER_CHUNK_BYTES, { listPods: 600, chunkBytes: WORKER_CHUNK_BYTES });
      const splits = [2, 3, 4].filter((k) => (recording[k * WORKER_CHUNK_BYTES]! & 0xc0) === 0x80);
      assert.deepEqual(splits, [2, 3, 4], 'chunk boundaries fall inside characters');
      return recording;
    },
    options: { selector: [] },
    expect: (r) => {
      assert.deepEqual(r.bad, []);
      assert.ok(r.events.length > 500, `${r.events.length} events`);
      assert.ok(r.events.some(({ event }) => event.type === 'SYNC' && event.pods.length === 600));
      assert.ok(r.events.some(({ event }) => event.type === 'ADDED' && event.pod.hosts === 'é€😀.test'));
      const split = r.events.filter(({ event }) => event.type === 'ADDED' && event.pod.hosts!.endsWith(SPLIT_RUN));
      assert.equal(split.length, 3);
    },
  },
];

for (const { name, content, options, expect } of CASES) {
  test(`inline and worker agree: ${name}`, async () => {
    const path = file(content());
    const inline = await replayed(path, 'inline', options);
    const worker = await replayed(path, 'worker', options);
    expect(inline);
    assert.equal(inline.workers, 0);
    assert.equal(worker.workers, 1);
    assert.deepEqual({ ...worker, workers: 0 }, inline);
  });
}

test('by default a large file is parsed on a worker, a small one and standard input inline', async () => {
  const big = file(bigRecording(WORKER_MIN_BYTES + 1));
  const small = file(ndjson([JSON.stringify({ type: 'ADDED', object: routedPod('small', 'a.test') })]));
  assert.equal((await replayed(big, undefined)).workers, 1);
  assert.equal((await replayed(small, undefined)).workers, 0);
});

test('unsubscribing mid-file terminates the worker', { timeout: 60_000 }, async () => {
  const path = file(bigRecording(6 * 1024 * 1024));
  let exited: Promise<number> | null = null;
  const first = await lastValueFrom(
    replayFile(path, {
      names: { hosts: 'trafficHosts', paths: 'publicPaths' },
      selector: [],
      clock: new ReplayClock(),
      parser: 'worker',
      onBadLine: () => {},
      onWorker: (worker: Worker) => (exited = new Promise((resolve) => worker.once('exit', resolve))),
    }).pipe(take(3), toArray()),
  );
  assert.equal(first.length, 3);
  assert.ok(exited !== null, 'a worker was started');
  // take(3) unsubscribed: the worker is terminated (exit code 1) rather than left reading the rest of the file.
  assert.equal(await exited, 1);
});

test('a missing file and a directory are the same SourceError through both paths', async () => {
  for (const path of [join(tmp, 'missing.ndjson'), tmp]) {
    const errors: unknown[] = [];
    for (const parser of ['inline', 'worker'] as const) {
      await assert.rejects(replayed(path, parser), (error) => (errors.push(error), error instanceof SourceError));
    }
    const [inline, worker] = errors as SourceError[];
    assert.equal(worker!.message, inline!.message);
    assert.match(inline!.message, /^cannot read replay file .*: (ENOENT|EISDIR)/);
  }
});

test('a worker that dies mid-file is a SourceError, not a silent end', { timeout: 60_000 }, async () => {
  const path = file(bigRecording(6 * 1024 * 1024));
  await assert.rejects(
    replayed(path, 'worker', { selector: [], onWorker: (worker) => void worker.terminate() }),
    (error) => error instanceof SourceError && /the parsing worker stopped before the end/.test(error.message),
  );
});
