// Large replay inputs made from a real Pod: many lines, multi-byte text, a PodList line longer than a read chunk.
import { realJson, withRouting } from './fixtures.js';

const POD = realJson('pods/k9s_nginx-7fb78fb6d8-2w75j.json');
// Two, three and four bytes in UTF-8: a chunk boundary can fall inside any of them.
const WIDE = 'é€😀';

/** Returns the real k9s nginx Pod renamed, labelled `microservice=true` and routed to `hosts`. */
export function routedPod(name: string, hosts: string, extra: Record<string, string> = {}): Record<string, unknown> {
  const pod = withRouting(POD, { microservice: 'true' }, { trafficHosts: hosts, publicPaths: '80:/', ...extra });
  const metadata = pod['metadata'] as Record<string, unknown>;
  return { ...pod, metadata: { ...metadata, name, uid: `uid-${name}` } };
}

/**
 * Returns an ndjson recording of at least `bytes`: optionally a PodList of `listPods` pods first (one line), then
 * ADDED and MODIFIED events (routed to `hosts(i)`, by default a name no route accepts) whose annotations carry
 * multi-byte text of varying length. Where a line would cross a
 * multiple of `chunkBytes`, a pod routed to a run of four-byte characters is put there instead, so that a chunk of
 * that size ends inside a character (its `hosts` is the run, to be found intact after the replay).
 */
export function bigRecording(
  bytes: number,
  options: { readonly listPods?: number; readonly chunkBytes?: number; readonly hosts?: (i: number) => string } = {},
): Buffer {
  const lines: string[] = [];
  let size = 0;
  const add = (line: string): void => {
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  };
  if (options.listPods !== undefined) {
    const items = Array.from({ length: options.listPods }, (_, i) => routedPod(`listed-${i}`, 'list.test'));
    add(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }));
  }
  for (let i = 0; size < bytes; i++) {
    const note = WIDE.repeat(1 + ((i * 7) % 97));
    const type = i % 3 === 2 ? 'MODIFIED' : 'ADDED';
    const hosts = options.hosts?.(i) ?? `${WIDE}.test`;
    const line = JSON.stringify({ type, object: routedPod(`pod-${i % 1000}`, hosts, { note }) });
    const chunk = options.chunkBytes;
    const boundary = chunk === undefined ? Infinity : (Math.floor(size / chunk) + 1) * chunk;
    add((size + Buffer.byteLength(line) >= boundary && splitLine(i, boundary - size)) || line);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** Returns the hosts of the pods `bigRecording` puts across chunk boundaries: ASCII padding, then the run. */
export const SPLIT_RUN = '😀'.repeat(2000);

// A pod line in which byte `offset` is the third byte of a four-byte character, or null if it cannot be.
function splitLine(i: number, offset: number): string | null {
  const line = (pad: number): string =>
    JSON.stringify({ type: 'ADDED', object: routedPod(`split-${i}`, 'x'.repeat(pad) + SPLIT_RUN) });
  const start = Buffer.from(line(0)).indexOf(Buffer.from(SPLIT_RUN));
  if (offset < start + 2 || offset >= start + Buffer.byteLength(SPLIT_RUN)) return null;
  return line((offset - start - 2) % 4);
}
