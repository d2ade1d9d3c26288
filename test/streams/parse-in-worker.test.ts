// The parsing worker's batches cross between threads packed (pod events as arrays of values): what arrives is
// what the reader made, item for item, key for key, whatever the kind of line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { packItems, unpackItems } from '../../src/streams/parse-in-worker.js';
import { ReplayReader, type ReplayItem } from '../../src/streams/replay-reader.js';
import { routedStream } from '../support/fixtures.js';
import { routedPod } from '../support/replay-input.js';

/** Reads `lines` as the worker does, and returns the items made and what reached the other side of the port. */
function crossed(lines: readonly string[], tls: boolean): { made: ReplayItem[]; arrived: ReplayItem[] } {
  const names = { hosts: 'trafficHosts', paths: 'publicPaths', ...(tls ? { tlsSecret: 'tlsSecret' } : {}) };
  const reader = new ReplayReader({ names, selector: [] });
  const made = [...reader.push(Buffer.from(lines.join('\n') + '\n')), ...reader.end()];
  // A structured clone, as postMessage makes it.
  const arrived = unpackItems(deserialize(serialize(packItems(made))) as ReturnType<typeof packItems>);
  return { made, arrived };
}

const pod = (name: string, extra: Record<string, string>): Record<string, unknown> => routedPod(name, 'a.test', extra);

test('every kind of item arrives as it was made: events, lists, times, notes, bad lines', () => {
  const lines = [
    JSON.stringify({ at: '2026-11-01T00:00:00Z', type: 'START' }),
    JSON.stringify({ at: '2026-11-01T00:00:01Z', type: 'ADDED', object: pod('a', {}) }),
    JSON.stringify({ type: 'MODIFIED', object: pod('a', { tlsSecret: 'a-tls' }) }),
    JSON.stringify({ type: 'DELETED', object: pod('a', {}) }),
    JSON.stringify({ type: 'BOOKMARK', object: {} }),
    JSON.stringify({ type: 'ERROR', object: { code: 410 } }),
    JSON.stringify({ kind: 'List', items: [pod('b', {}), { kind: 'Service' }] }),
    'not json',
    JSON.stringify({ type: 'ADDED', object: { metadata: {} } }),
  ];
  for (const tls of [false, true]) {
    const { made, arrived } = crossed(lines, tls);
    assert.deepStrictEqual(arrived, made);
    assert.deepEqual(
      made.map((item) => item.kind),
      ['line', 'line', 'line', 'line', 'line', 'line', 'line', 'bad', 'bad'],
    );
  }
});

test('pods of a real watch stream arrive field for field, with and without the TLS annotation', () => {
  const lines = routedStream('k8s-openapi_v1-36_watch_pods.ndjson', {
    trafficHosts: 'test.k8s.local',
    publicPaths: '3000:/nodejs',
  });
  for (const tls of [false, true]) {
    const { made, arrived } = crossed(lines, tls);
    assert.ok(made.length > 3);
    assert.deepStrictEqual(arrived, made);
    for (const item of arrived) {
      assert.ok(item.kind === 'line' && item.parsed.kind === 'event' && 'pod' in item.parsed.event);
      assert.equal('tlsSecret' in item.parsed.event.pod, tls);
    }
  }
});
