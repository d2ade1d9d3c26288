// Reading one line of a replay file. The shapes accepted (README "Replay"): a watch event as the API sends it, a
// PodList (or kubectl's List) document, a bare Pod, and the recorder's timestamped lines (those plus an `at` time).
import type { PodEvent } from '../model/events.js';
import { podLabels, projectPod, type AnnotationNames, type ProjectedPod } from '../model/pod.js';
import { matchesSelector, type LabelSelector } from '../model/selector.js';
import { SECRET_TYPES, secretLine } from './parse-secret-line.js';

/** What a line means for the replay. */
export type ReplayLine =
  | { readonly kind: 'event'; readonly event: PodEvent; readonly at: number | null; readonly note?: string }
  | { readonly kind: 'start'; readonly at: number }
  | { readonly kind: 'skip'; readonly at: number | null; readonly note?: string };

/** How lines are read: which annotations route, which pods the live watch would have sent. */
export interface LineOptions {
  readonly names: AnnotationNames;
  readonly selector: LabelSelector;
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR', 'SYNC', 'START', ...SECRET_TYPES]);

/** Reads one line, or returns why it is malformed. Pods outside the selector are dropped as the watch would. */
export function parseLine(line: string, options: LineOptions): ReplayLine | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  // A JSON array of pods (`kubectl get pods -o json | jq .items`) is the set of pods at that moment, as a list is.
  if (Array.isArray(value)) return syncFrom({ items: value }, null, options, 'a JSON array');
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  const at = readTime(record['at']);
  if (typeof at === 'string') return at;
  if (record['kind'] === 'PodList' || (record['type'] === undefined && Array.isArray(record['items']))) {
    return syncFrom(record, at, options);
  }
  // A bare Pod (`kubectl get pod NAME -o json`) says the pod exists as shown.
  if (record['kind'] === 'Pod' && record['type'] === undefined) return podEvent('ADDED', record, at, options);
  const type = record['type'];
  if (typeof type !== 'string' || !WATCH_TYPES.has(type))
    return `"type" must be one of ${[...WATCH_TYPES].join(', ')}, or the line a PodList or a Pod`;
  if (type === 'START') return at === null ? 'a START line needs an "at" time' : { kind: 'start', at };
  if (SECRET_TYPES.includes(type)) return secretLine(type, record, at);
  const object = record['object'];
  if (type === 'BOOKMARK') return { kind: 'skip', at };
  if (type === 'ERROR')
    return { kind: 'skip', at, note: `the recorded watch reported an error: ${JSON.stringify(object)}` };
  if (typeof object !== 'object' || object === null) return `a ${type} line needs an "object"`;
  if (type === 'SYNC') return syncFrom(object as Record<string, unknown>, at, options);
  return podEvent(type as 'ADDED' | 'MODIFIED' | 'DELETED', object, at, options);
}

function podEvent(
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  object: unknown,
  at: number | null,
  options: LineOptions,
): ReplayLine | string {
  const pod = projectPod(object, options.names);
  if (typeof pod === 'string') return pod;
  const matches = matchesSelector(options.selector, podLabels(object));
  // The live watch turns "stopped matching" into DELETED and never sends pods that do not match.
  if (!matches && type === 'ADDED') return { kind: 'skip', at };
  return { kind: 'event', at, event: { type: matches ? type : 'DELETED', pod } };
}

function syncFrom(
  list: Record<string, unknown>,
  at: number | null,
  options: LineOptions,
  what = 'a PodList',
): ReplayLine | string {
  const items = list['items'];
  if (!Array.isArray(items)) return `${what} needs an "items" array`;
  const pods: ProjectedPod[] = [];
  const others = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    // kubectl's List may mix kinds (`kubectl get pods,services -o json`); PodList items carry no kind at all.
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return `${what}, items[${index}]: not a JSON object`;
    const kind = (item as { kind?: unknown }).kind;
    if (kind !== undefined && kind !== 'Pod') {
      const name = typeof kind === 'string' ? kind : JSON.stringify(kind);
      others.set(name, (others.get(name) ?? 0) + 1);
      continue;
    }
    if (!matchesSelector(options.selector, podLabels(item))) continue;
    const pod = projectPod(item, options.names);
    // All or nothing: half a list read as the whole cluster would delete the pods of the other half.
    if (typeof pod === 'string') return `${what}, items[${index}]: ${pod}`;
    pods.push(pod);
  }
  const skipped = [...others].map(([kind, count]) => `${count} ${kind}`).join(', ');
  const note = skipped === '' ? undefined : `items that are not Pods skipped: ${skipped}`;
  return { kind: 'event', at, event: { type: 'SYNC', pods }, ...(note === undefined ? {} : { note }) };
}

function readTime(value: unknown): number | null | string {
  if (value === undefined) return null;
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(time)
    ? time
    : `"at" must be an RFC 3339 time or ms since the epoch, not ${JSON.stringify(value)}`;
}
