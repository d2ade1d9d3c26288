// The recorder: the live source's events as timestamped ndjson that `replay` reads back (src/streams/parse-line.ts).
import { createWriteStream, type WriteStream } from 'node:fs';
import type { SecretChange, SecretSync } from '../model/events.js';
import type { KubeEvent } from '../streams/kube-event.js';
import { recordedSecret } from '../model/recorded-secret.js';

/** The recording could not be written. */
export class RecordError extends Error {
  override readonly name = 'RecordError';
}

/** Writes a recording: a START line, then one line per list and per watch event. */
export interface EventRecorder {
  /** Writes `{"at":…,"type":"START"}` (with `"secrets":true` when TLS Secrets are watched): the origin of the windows. */
  start(at: number, options?: { readonly secrets?: boolean }): void;
  /** Writes one event stamped `at` (ms since the epoch): a SYNC as a PodList, a change with its pod. */
  record(event: KubeEvent, at: number): void;
  /** Writes one Secret event, redacted: names, type, certificate fingerprint, names covered and validity, no key. */
  recordSecret(event: SecretChange | SecretSync, at: number): void;
  /** Flushes and closes the file; resolves once it is written, rejects with RecordError if any write failed. */
  close(): Promise<void>;
}

/**
 * Opens `path` for a recording, truncating it. Pods are written as the API sent them minus metadata.managedFields
 * (bulky, and nothing reads them), so a replay with other annotation settings still works. A write failure is
 * reported once to `failed` and then by `close`.
 */
export function openRecorder(path: string, failed: (error: RecordError) => void = () => {}): EventRecorder {
  const out: WriteStream = createWriteStream(path, { flags: 'w' });
  let error: RecordError | null = null;
  out.on('error', (cause) => {
    if (error !== null) return;
    error = new RecordError(`cannot write the recording ${path}: ${cause.message}`, { cause });
    failed(error);
  });
  const write = (record: Record<string, unknown>): void => {
    if (error !== null || out.writableEnded) return;
    out.write(`${JSON.stringify(record)}\n`);
  };
  const line = (at: number, type: string, object?: unknown): void =>
    write(
      object === undefined
        ? { at: new Date(at).toISOString(), type }
        : { at: new Date(at).toISOString(), type, object },
    );
  let closing: Promise<void> | null = null;
  return {
    start: (at, options) =>
      options?.secrets === true
        ? write({ at: new Date(at).toISOString(), type: 'START', secrets: true })
        : line(at, 'START'),
    recordSecret: (event, at) => {
      const stamp = new Date(at).toISOString();
      if (event.type === 'SECRET_SYNC')
        write({ at: stamp, type: event.type, secrets: event.secrets.map(recordedSecret) });
      else write({ at: stamp, type: event.type, secret: recordedSecret(event.secret) });
    },
    record: (event, at) => {
      if (event.type === 'SYNC') {
        const list = {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: event.resourceVersion },
          items: event.items.map(slim),
        };
        line(at, 'SYNC', list);
      } else {
        line(at, event.type, slim(event.object));
      }
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        const settle = (): void => (error === null ? resolve() : reject(error));
        if (out.closed || error !== null) return settle();
        out.once('close', settle);
        out.end();
      })),
  };
}

function slim(object: unknown): unknown {
  if (typeof object !== 'object' || object === null) return object;
  const { metadata } = object as { metadata?: unknown };
  if (typeof metadata !== 'object' || metadata === null || !('managedFields' in metadata)) return object;
  const { managedFields: _managedFields, ...rest } = metadata as Record<string, unknown>;
  return { ...object, metadata: rest };
}
