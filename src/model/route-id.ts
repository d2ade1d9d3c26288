import { fnv1a32 } from './fnv.js';
import type { Route } from './routing-table.js';

/** Returns a route's base id: `microservice` + FNV-1a-32 of host + path in decimal, the original project's scheme. */
export function routeBase(route: Pick<Route, 'host' | 'path'>): string {
  let base = BASES.get(route);
  if (base === undefined) BASES.set(route, (base = `microservice${fnv1a32(route.host + route.path)}`));
  return base;
}

// The base of each route object, so the view and the membership of one route share one string (and one hash).
const BASES = new WeakMap<object, string>();

/** Returns `base`, or `base-2`, `base-3`, … the first not in `taken`, and adds it to `taken`. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * Counts the routes of a table per base id, kept from build to build, so that a build can tell whether the ids of
 * hosts it did not rebuild still hold: they do unless a base added or removed since the last build is (or was)
 * shared by two routes, since only routes of one base affect each other's ids (`base-N` never equals a base).
 */
export class BaseCounts {
  private readonly counts = new Map<string, number>();
  private shared = false;

  /** Counts the bases of a host that was added or rebuilt (null: a route that needs no id). */
  add(bases: readonly (string | null)[]): void {
    for (const base of bases) {
      if (base === null) continue;
      const count = (this.counts.get(base) ?? 0) + 1;
      this.counts.set(base, count);
      if (count > 1) this.shared = true;
    }
  }

  /** Uncounts the bases of a host that went away or was rebuilt. */
  remove(bases: readonly (string | null)[]): void {
    for (const base of bases) {
      if (base === null) continue;
      const count = this.counts.get(base)! - 1;
      if (count === 0) this.counts.delete(base);
      else {
        this.counts.set(base, count);
        this.shared = true;
      }
    }
  }

  /** Tells whether a base counted or uncounted since the last call is shared (or was), and starts over. */
  takeShared(): boolean {
    const shared = this.shared;
    this.shared = false;
    return shared;
  }

  /** Forgets every count. */
  clear(): void {
    this.counts.clear();
    this.shared = false;
  }
}
