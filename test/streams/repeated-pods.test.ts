// The worker sends an event whose pod projects as the one it sent last for that pod by number; the main thread gives
// back that projection. Every other item goes as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodEvent } from '../../src/model/events.js';
import { ReceivedPods, RepeatedPods, type SentItem } from '../../src/streams/repeated-pods.js';
import type { ReplayItem } from '../../src/streams/replay-reader.js';
import { aPod } from '../support/pods.js';

const line = (n: number, event: PodEvent, note?: string): ReplayItem => ({
  kind: 'line',
  line: n,
  parsed: { kind: 'event', at: n * 10, event, ...(note === undefined ? {} : { note }) },
});
const x = aPod('x');
const xNotReady = aPod('x', { ready: false });
const y = aPod('y');

test('RepeatedPods: an ADDED or MODIFIED that projects as the last one sent for its pod goes by number', () => {
  const cases: { name: string; items: ReplayItem[]; kinds: string[] }[] = [
    {
      name: 'the same projection again, as a copy (a status-only change)',
      items: [line(1, { type: 'ADDED', pod: x }), line(2, { type: 'MODIFIED', pod: { ...x } })],
      kinds: ['line', 'repeat'],
    },
    {
      name: 'a routing change goes in full, and becomes the one repeats refer to',
      items: [
        line(1, { type: 'ADDED', pod: x }),
        line(2, { type: 'MODIFIED', pod: xNotReady }),
        line(3, { type: 'MODIFIED', pod: { ...xNotReady } }),
        line(4, { type: 'MODIFIED', pod: { ...x } }),
      ],
      kinds: ['line', 'line', 'repeat', 'line'],
    },
    {
      name: 'pods are told apart by namespace and name',
      items: [line(1, { type: 'ADDED', pod: x }), line(2, { type: 'ADDED', pod: y })],
      kinds: ['line', 'line'],
    },
    {
      name: 'DELETED, lists and lines with a note always go as they are',
      items: [
        line(1, { type: 'ADDED', pod: x }),
        line(2, { type: 'DELETED', pod: { ...x } }),
        line(3, { type: 'SYNC', pods: [x] }),
        line(4, { type: 'MODIFIED', pod: { ...x } }, 'a note'),
        { kind: 'bad', line: 5, reason: 'not JSON' },
      ],
      kinds: ['line', 'line', 'line', 'line', 'bad'],
    },
  ];
  for (const c of cases) {
    const sent = new RepeatedPods().mark(c.items);
    assert.deepEqual(
      sent.map((item) => item.kind),
      c.kinds,
      c.name,
    );
  }
});

test('ReceivedPods gives back, for each repeat, a projection equal to the event the worker read', () => {
  const items = [
    line(1, { type: 'ADDED', pod: x }),
    line(2, { type: 'MODIFIED', pod: { ...x } }),
    line(3, { type: 'ADDED', pod: y }),
    line(4, { type: 'MODIFIED', pod: xNotReady }),
    line(5, { type: 'MODIFIED', pod: { ...y } }),
    line(6, { type: 'MODIFIED', pod: { ...xNotReady } }),
  ];
  // Across batches, as the worker posts them.
  const repeats = new RepeatedPods();
  const sent: SentItem[] = [...repeats.mark(items.slice(0, 3)), ...repeats.mark(items.slice(3))];
  const received = new ReceivedPods();
  const events = sent.map((item) => {
    if (item.kind === 'repeat') return { line: item.line, at: item.at, type: item.type, pod: received.repeated(item) };
    received.received(item);
    assert.ok(item.kind === 'line' && item.parsed.kind === 'event' && 'pod' in item.parsed.event);
    return { line: item.line, at: item.parsed.at, type: item.parsed.event.type, pod: item.parsed.event.pod };
  });
  assert.deepEqual(
    events,
    items.map((item) => {
      assert.ok(item.kind === 'line' && item.parsed.kind === 'event' && 'pod' in item.parsed.event);
      return { line: item.line, at: item.parsed.at, type: item.parsed.event.type, pod: item.parsed.event.pod };
    }),
  );
  assert.deepEqual(
    sent.map((item) => item.kind),
    ['line', 'repeat', 'line', 'line', 'repeat', 'repeat'],
  );
});

test('ReceivedPods refuses a repeat of a pod it never received', () => {
  assert.throws(
    () => new ReceivedPods().repeated({ kind: 'repeat', line: 1, at: null, type: 'MODIFIED', pod: 0 }),
    /before sending it/,
  );
});
