// Replay's parse on a second thread (issue 14): JSON.parse and the projection took about a third of the main
// thread's time, which the fold and the renderer need. The worker (replay-worker.ts) reads the file itself and runs
// the same ReplayReader as the inline path; this thread only takes its batches of items, in order.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { PodChange } from '../model/events.js';
import { podOf } from '../model/pod.js';
import type { ReaderOptions, ReplayItem } from './replay-reader.js';

/** What the worker is given: the file to read, how to read it, and the port to post its batches on. */
export interface WorkerData extends ReaderOptions {
  readonly path: string;
  readonly batches: MessagePort;
}

/**
 * What the worker posts on its batches port: the items of one chunk, packed (packItems), and whether they are the
 * last; or why the file cannot be read.
 */
export type FromWorker =
  | { readonly packed: PackedItems; readonly final: boolean }
  | { readonly error: { readonly message: string; readonly code?: string } };

/** Bytes the worker reads at a time: large chunks make few messages (a recorded watch event is about 2.6 KB). */
export const WORKER_CHUNK_BYTES = 1024 * 1024;

/**
 * What this thread posts to the worker: a batch was handled (the worker may read that much further ahead). The
 * worker posts `null` to this thread after each batch: "one more is waiting".
 */
export const HANDLED = 'handled';

/**
 * Parses a file on a worker thread and yields its items chunk by chunk, in order; each batch counts as handled
 * when the loop asks for the next. Aborting `signal` (or leaving the loop) terminates the worker; a read error, or a
 * worker that fails or stops before the end, makes the iteration throw.
 */
export async function* parseInWorker(
  path: string,
  options: ReaderOptions,
  signal: AbortSignal,
  onWorker?: (worker: Worker) => void,
): AsyncGenerator<readonly ReplayItem[]> {
  if (signal.aborted) return;
  const { names, selector, maxLineBytes } = options;
  // Batches wait on their own port, still serialized, until this thread takes one. Deserialized as they arrived,
  // the batches posted during a long render outlived two scavenges and filled the old space (on the 300k-event
  // file the peak heap in use was 514 MB, against 257 MB inline); taken one at a time they die young (206 MB).
  const channel = new MessageChannel();
  const worker = startWorker({ path, names, selector, maxLineBytes, batches: channel.port2 }, [channel.port2]);
  let failure: Error | null = null;
  let finished = false;
  let wake = (): void => {};
  worker.on('message', () => wake());
  worker.on('error', (error: Error) => ((failure ??= error), wake()));
  worker.on('exit', (code: number) => {
    if (!finished) failure ??= new Error(`the parsing worker stopped before the end (exit code ${code})`);
    wake();
  });
  const stop = (): void => void worker.terminate();
  signal.addEventListener('abort', stop, { once: true });
  onWorker?.(worker);
  const next = async (): Promise<FromWorker> => {
    // Batches already posted are handled before a failure is reported: they were read and parsed in order.
    for (;;) {
      const received = receiveMessageOnPort(channel.port1);
      if (received !== undefined) return received.message as FromWorker;
      if (failure !== null) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  try {
    for (;;) {
      const reply = await next();
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      yield unpackItems(reply.packed);
      if (reply.final) return;
      worker.postMessage(HANDLED);
    }
  } finally {
    finished = true;
    signal.removeEventListener('abort', stop);
    channel.port1.close();
    void worker.terminate();
  }
}

// The worker's file is beside this one: compiled JavaScript in dist/, or TypeScript under tsx (the tests, `npm run
// dev`). tsx's `--import tsx` reaches a worker through execArgv, but tsx registers its loader there only on the
// newest Node versions (not Node 20): so under tsx the worker loads its file, and if Node cannot read TypeScript,
// registers tsx itself and loads it again (under another URL, as Node keeps the failed one).
function startWorker(workerData: WorkerData, transferList: MessagePort[]): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./replay-worker${extension}`, import.meta.url).href;
  // The worker's garbage is short-lived (each parsed line dies once projected): a young generation of 8 MB rather
  // than V8's 32 MB keeps ~24 MB off the peak RSS for no measurable parse time.
  const settings = { workerData, transferList, resourceLimits: { maxYoungGenerationSizeMb: 8 } };
  if (extension !== '.ts') return new Worker(new URL(url), settings);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(url)}).catch(async (error) => {
    if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    (await import(${JSON.stringify(tsx)})).register();
    return import(${JSON.stringify(`${url}?tsx`)});
  });`;
  return new Worker(code, { ...settings, eval: true });
}

// A pod event, the item of nearly every line, crosses as an array of its values; any other item crosses as itself.
// A structured clone writes every key of every object, and the receiver adds the properties one by one (past the
// fourth into a property array beside the object). As values, a pod event is smaller on the port, and the receiver
// builds it in literals of one shape each: on a replay of 20k pods the main thread ran ~13% faster (BENCHMARKS.md 2).
const POD_EVENT_TYPES: readonly PodChange['type'][] = ['ADDED', 'MODIFIED', 'DELETED'];

/** One pod event as it crosses between threads: its line and time, its type's index, then podOf's arguments. */
type PackedPodEvent = readonly [line: number, at: number | null, type: number, ...pod: Parameters<typeof podOf>];

/** A batch of items as it crosses between threads. */
export type PackedItems = readonly (PackedPodEvent | ReplayItem)[];

/** Packs a batch of items for the trip between threads; unpackItems gives back items equal to them. */
export function packItems(items: readonly ReplayItem[]): PackedItems {
  return items.map((item) => {
    const parsed = item.kind === 'line' ? item.parsed : null;
    if (parsed?.kind !== 'event' || parsed.note !== undefined) return item;
    const type = POD_EVENT_TYPES.indexOf(parsed.event.type as PodChange['type']);
    if (type === -1) return item;
    const { uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret } = (
      parsed.event as PodChange
    ).pod;
    const { line } = item as { line: number };
    return [line, parsed.at, type, uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret];
  });
}

/** Unpacks what packItems packed. */
export function unpackItems(packed: PackedItems): ReplayItem[] {
  return packed.map((entry) => {
    if (!Array.isArray(entry)) return entry as ReplayItem;
    const [line, at, type, uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret] =
      entry as PackedPodEvent;
    const pod = podOf(uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret);
    return { kind: 'line', line, parsed: { kind: 'event', at, event: { type: POD_EVENT_TYPES[type]!, pod } } };
  });
}
