import { fnv1a32 } from './fnv.js';
import type { Route } from './routing-table.js';

/** Returns a route's base id: `microservice` + FNV-1a-32 of host + path in decimal, the original project's scheme. */
export function routeBase(route: Pick<Route, 'host' | 'path'>): string {
  return `microservice${fnv1a32(route.host + route.path)}`;
}

/** Returns `base`, or `base-2`, `base-3`, … the first not in `taken`, and adds it to `taken`. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}
