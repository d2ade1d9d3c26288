// Most watch events of a busy cluster repeat the routing projection of the pod they are about (status churn: a
// container restarted, a probe's timestamp moved): 85 % of the benchmark's. The parsing worker sends such an event
// as a reference to the projection it sent last for that pod, and the main thread emits the event with that very
// projection: the copy between threads and the main heap are spared a pod's strings per event, and the fold sees
// the same events, in the same batches, as from the inline path.
import { samePod, podKey, type ProjectedPod } from '../model/pod.js';
import type { ReplayItem } from './replay-reader.js';

/** An event whose pod projects as the one last sent for the same pod: sent by number (see RepeatedPods). */
export interface RepeatItem {
  readonly kind: 'repeat';
  readonly line: number;
  readonly at: number | null;
  readonly type: 'ADDED' | 'MODIFIED';
  /** The pod's number, given when its projection was last sent in full. */
  readonly pod: number;
}

/** A line item as the worker sends it: a pod event sent in full carries the pod's number. */
export type SentItem = ReplayItem | RepeatItem | (ReplayItem & { readonly pod: number });

/**
 * The worker's side: remembers the projection last sent for each pod (by `namespace/name`), and turns an ADDED or
 * MODIFIED event that projects the same (samePod: every field equal) into a RepeatItem. Only such events are
 * replaced: a DELETED, a list, a Secret or a line with a note goes as it is.
 */
export class RepeatedPods {
  private readonly sent = new Map<string, { readonly number: number; readonly pod: ProjectedPod }>();

  /** Returns the items to send for `items`. */
  mark(items: readonly ReplayItem[]): SentItem[] {
    return items.map((item) => {
      if (item.kind !== 'line' || item.parsed.kind !== 'event' || item.parsed.note !== undefined) return item;
      const event = item.parsed.event;
      if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return item;
      const key = podKey(event.pod);
      const last = this.sent.get(key);
      if (last !== undefined && samePod(last.pod, event.pod))
        return { kind: 'repeat', line: item.line, at: item.parsed.at, type: event.type, pod: last.number };
      const number = last?.number ?? this.sent.size;
      this.sent.set(key, { number, pod: event.pod });
      return { ...item, pod: number };
    });
  }
}

/**
 * The main thread's side: keeps each numbered projection it received, and gives back the one a RepeatItem names.
 * The items arrive in the order they were marked, so a number always names a projection already received.
 */
export class ReceivedPods {
  private readonly pods: ProjectedPod[] = [];

  /** Takes note of an item sent in full with its pod's number. */
  received(item: SentItem): void {
    if (item.kind === 'line' && 'pod' in item && item.parsed.kind === 'event' && 'pod' in item.parsed.event)
      this.pods[item.pod] = item.parsed.event.pod;
  }

  /** The projection a repeat refers to. */
  repeated(item: RepeatItem): ProjectedPod {
    const pod = this.pods[item.pod];
    if (pod === undefined) throw new Error(`replay worker referred to pod ${item.pod} before sending it`);
    return pod;
  }
}
