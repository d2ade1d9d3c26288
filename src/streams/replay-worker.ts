// The replay's parsing worker, started by parse-in-worker.ts: it reads the file, frames, parses and projects it
// with the same ReplayReader as the inline path, and posts one batch of items per chunk, so that JSON.parse and the
// projection run beside the main thread's fold instead of before it (issue 14).
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { PodEvent } from '../model/events.js';
import { packItems, WORKER_CHUNK_BYTES, type FromWorker, type WorkerData } from './parse-in-worker.js';
import { parseItem, ReplayReader, type ReplayItem } from './replay-reader.js';

// How far the worker may run ahead of the main thread, in items and pods not yet handled there. The main thread's
// work comes in bursts (a window's fold and render took 150-400 ms at 20k pods), and a worker held to a few chunks
// sat idle through them, then the main thread waited for it. On the 300k-event file: fed 4 chunks at a time by the
// main thread, 11.1 s; 32 at a time, 8.7 s; reading itself, 10.8 s with 8k items ahead, 6.1-6.4 s with 32k or 100k.
// That is also why the worker reads the file: a main thread busy rendering cannot feed it. Counting pods, not
// chunks, bounds memory (~10 MB of projected pods) even for PodLists.
const AHEAD_LIMIT = 32_000;

const port = parentPort;
if (port === null) throw new Error('replay-worker runs only as a worker thread (see parse-in-worker.ts)');
const { path, batches, ...options } = workerData as WorkerData;
const reader = new ReplayReader(options, (text, line, lineOptions) => {
  const item = parseItem(text, line, lineOptions);
  return crossesIntact(item) ? item : { kind: 'raw', line, text };
});
// The weight of each batch posted and not yet handled, oldest first.
const posted: number[] = [];
let ahead = 0;
let wake = (): void => {};
port.on('message', () => {
  ahead -= posted.shift() ?? 0;
  wake();
});

async function run(): Promise<void> {
  const fd = openSync(path, 'r');
  // One buffer for every read (the reader keeps no view of a chunk): no megabyte allocated and freed per read.
  const chunk = Buffer.allocUnsafeSlow(WORKER_CHUNK_BYTES);
  try {
    for (;;) {
      while (ahead >= AHEAD_LIMIT) await new Promise<void>((resolve) => (wake = resolve));
      const length = readSync(fd, chunk, 0, WORKER_CHUNK_BYTES, null);
      const final = length === 0;
      const items = final ? reader.end() : reader.push(chunk.subarray(0, length));
      const weight = items.reduce((sum, item) => sum + weightOf(item), 1);
      posted.push(weight);
      ahead += weight;
      batches.postMessage({ packed: packItems(items), final } satisfies FromWorker);
      port!.postMessage(null);
      if (final) return;
    }
  } finally {
    closeSync(fd);
  }
}

run().catch((error: NodeJS.ErrnoException) => {
  batches.postMessage({ error: { message: error.message, code: error.code } } satisfies FromWorker);
  port.postMessage(null);
});

function weightOf(item: ReplayItem): number {
  if (item.kind !== 'line' || item.parsed.kind !== 'event') return 1;
  return item.parsed.event.type === 'SYNC' ? 1 + item.parsed.event.pods.length : 1;
}

// A batch reaches the main thread as a structured clone. Projected pods and recorded Secrets are plain data (strings,
// numbers, booleans, null, arrays and plain objects), so they arrive intact. Key material would not: it is a frozen
// object holding a function (model/secret.ts), which cannot be cloned. Recordings never hold keys (a recorded
// Secret's material is always null), but should a line ever yield some, the main thread parses that line itself.
function crossesIntact(item: ReplayItem): boolean {
  return item.kind !== 'line' || item.parsed.kind !== 'event' || !holdsKeys(item.parsed.event);
}

function holdsKeys(event: PodEvent): boolean {
  if (event.type === 'SECRET_SYNC') return event.secrets.some((secret) => secret.material !== null);
  if (event.type === 'SECRET_ADDED' || event.type === 'SECRET_MODIFIED' || event.type === 'SECRET_DELETED')
    return event.secret.material !== null;
  return false;
}
