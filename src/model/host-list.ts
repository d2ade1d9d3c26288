// Sorted host lists, as a routing table has them. The table rebuilds only changed hosts and keeps the others'
// objects (src/model/routing-table.ts), so it patches its list where hosts changed, and a builder downstream finds
// in one cheap walk which hosts are the very objects it saw last time: a window that changes a few hosts of 16k
// leaves a few hosts to redo, not 16k lookups.
import { compareStrings } from './issue.js';

/** What an aligned list holds: items sorted by `host`, one per host, as a routing table's hosts are. */
export interface ByHost {
  readonly host: string;
}

/** How a new list relates to the previous one. */
export interface HostAlignment {
  /** Per new item: the index of the very same object in the previous list, or -1 (a new or rebuilt host). */
  readonly kept: Int32Array;
  /** Per new item that is a rebuilt host: the index of the host's previous object, else -1. */
  readonly rebuilt: Int32Array;
  /** Indices of previous items that are not in the new list (gone, or replaced by a rebuilt object). */
  readonly dropped: readonly number[];
}

/**
 * Aligns `next` with `previous`, both sorted by host with `compareStrings`, by walking them side by side: an item
 * that is the same object costs one comparison; only the others compare host names.
 */
export function alignHosts(previous: readonly ByHost[], next: readonly ByHost[]): HostAlignment {
  // The builders of one render align the same two tables: the first one's walk serves the others. Only the last
  // pair is kept (a map keyed by tables would chain every table to the one before it, and keep them all).
  if (last !== null && last.previous === previous && last.next === next) return last.alignment;
  const alignment = walk(previous, next);
  last = { previous, next, alignment };
  return alignment;
}

let last: { previous: readonly ByHost[]; next: readonly ByHost[]; alignment: HostAlignment } | null = null;

function walk(previous: readonly ByHost[], next: readonly ByHost[]): HostAlignment {
  const kept = new Int32Array(next.length).fill(-1);
  const rebuilt = new Int32Array(next.length).fill(-1);
  const dropped: number[] = [];
  let j = 0;
  for (let i = 0; i < next.length; i++) {
    const item = next[i]!;
    while (j < previous.length) {
      const old = previous[j]!;
      if (old === item) {
        kept[i] = j++;
        break;
      }
      const order = compareStrings(item.host, old.host);
      if (order < 0) break;
      if (order === 0) rebuilt[i] = j;
      dropped.push(j++);
      if (order === 0) break;
    }
  }
  while (j < previous.length) dropped.push(j++);
  return { kept, rebuilt, dropped };
}

/** A host list item with routes, as a routing table's hosts are. */
interface WithPaths extends ByHost {
  readonly routes: readonly { readonly path: string; readonly location: string }[];
}

/** The rebuilt hosts of an alignment whose paths are those of their previous objects. */
export interface CarriedHosts {
  /** New index -> index of the host's previous object. */
  readonly to: ReadonlyMap<number, number>;
  /** The previous objects' indices. */
  readonly from: ReadonlySet<number>;
}

/** No host carried. */
export const NOTHING_CARRIED: CarriedHosts = { to: new Map(), from: new Set() };

/**
 * Finds the hosts rebuilt with the same paths, in order, as before: what a window usually changes is a host's pods,
 * and whatever a builder derives from the host and its paths alone (route ids) holds for the new object too.
 */
export function carriedHosts(
  alignment: HostAlignment,
  previous: readonly WithPaths[],
  next: readonly WithPaths[],
): CarriedHosts {
  // The view and the membership of one render ask about the same alignment (of the same two tables).
  if (lastCarried?.alignment === alignment) return lastCarried.carried;
  const to = new Map<number, number>();
  const from = new Set<number>();
  for (let i = alignment.kept.indexOf(-1); i !== -1; i = alignment.kept.indexOf(-1, i + 1)) {
    const r = alignment.rebuilt[i]!;
    if (r !== -1 && samePaths(next[i]!, previous[r]!)) {
      to.set(i, r);
      from.add(r);
    }
  }
  lastCarried = { alignment, carried: { to, from } };
  return lastCarried.carried;
}

let lastCarried: { alignment: HostAlignment; carried: CarriedHosts } | null = null;

function samePaths(a: WithPaths, b: WithPaths): boolean {
  return (
    a.routes.length === b.routes.length &&
    a.routes.every((route, k) => route.path === b.routes[k]!.path && route.location === b.routes[k]!.location)
  );
}

// How far ahead in the previous list a changed item looks for its place: a window removes an item or two here and
// there, and every later item finds its match by identity again.
const LOOKAHEAD = 8;

/**
 * Aligns lists of objects with no key to walk by (a view's servers, upstreams): per new item, the index of the very
 * same object in `previous`, found at the walk's place or a few items further, or -1. An item moved further than
 * that is not found, which costs its finder the work identity would have saved, never a wrong match.
 */
export function alignByIdentity(previous: readonly unknown[], next: readonly unknown[]): Int32Array {
  const kept = new Int32Array(next.length).fill(-1);
  let j = 0;
  for (let i = 0; i < next.length; i++) {
    const item = next[i];
    const end = Math.min(j + LOOKAHEAD, previous.length);
    for (let k = j; k < end; k++) {
      if (previous[k] === item) {
        kept[i] = k;
        j = k + 1;
        break;
      }
    }
  }
  return kept;
}

/**
 * Returns `list` (sorted by host) with the given hosts replaced, added (a value for a host it lacks) or removed
 * (null): each change finds its place by binary search, and the rest is copied, not read.
 */
export function patchHosts<T extends ByHost>(list: readonly T[], changes: ReadonlyMap<string, T | null>): T[] {
  if (changes.size === 0) return list.slice();
  const hosts = [...changes.keys()].sort(compareStrings);
  const next: T[] = [];
  let from = 0;
  for (const host of hosts) {
    const at = lowerBound(list, host, from);
    for (let i = from; i < at; i++) next.push(list[i]!);
    from = at < list.length && list[at]!.host === host ? at + 1 : at;
    const value = changes.get(host)!;
    if (value !== null) next.push(value);
  }
  for (let i = from; i < list.length; i++) next.push(list[i]!);
  return next;
}

/** The first index at or after `from` whose host is not before `host`. */
function lowerBound(list: readonly ByHost[], host: string, from: number): number {
  let low = from;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStrings(list[middle]!.host, host) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
