import { defer, merge, mergeMap, type Observable } from 'rxjs';
import { objectMeta, type KubeEvent } from './kube-event.js';

/** The events of one namespace's list+watch loop. */
export interface NamespaceEvents {
  readonly namespace: string;
  readonly events$: Observable<KubeEvent>;
}

interface Known {
  readonly uid: string;
  readonly resourceVersion: string;
}

/**
 * Merges per-namespace sources so that SYNC keeps its meaning (it replaces the whole cache):
 * - the first SYNC is the union of every namespace's first list, emitted once all have listed (events that arrive
 *   meanwhile are folded into the lists held until then);
 * - a later relist of one namespace must not wipe the others, so it becomes plain changes: ADDED for new pods,
 *   MODIFIED for pods whose resourceVersion moved, DELETED (name, namespace and uid only) for pods gone from it.
 * Only names, uids and resourceVersions are kept per namespace, never whole pods. One source passes through.
 *
 * ```
 * ns a:   --Sa-----x----Sa'--
 * ns b:   -----Sb-----y-------
 * result: -----S(a+b)-x--y--(diff a..a')   (x, y: watch events)
 * ```
 */
export function mergeNamespaces(sources: readonly NamespaceEvents[]): Observable<KubeEvent> {
  if (sources.length === 1) return sources[0]!.events$;
  return defer(() => {
    const known = sources.map(() => new Map<string, Known>());
    let pending: (Map<string, unknown> | null)[] | null = sources.map(() => null);

    const first = (index: number, event: KubeEvent): KubeEvent[] => {
      const lists = pending!;
      if (event.type === 'SYNC') lists[index] = new Map(event.items.map((item) => [objectMeta(item).name, item]));
      else if (event.type === 'DELETED') lists[index]?.delete(objectMeta(event.object).name);
      else lists[index]?.set(objectMeta(event.object).name, event.object);
      if (lists.some((list) => list === null)) return [];
      pending = null;
      const items = lists.flatMap((list) => [...list!.values()]);
      lists.forEach((list, i) => (known[i] = new Map([...list!].map(([name, item]) => [name, knownOf(item)]))));
      return [{ type: 'SYNC', resourceVersion: event.type === 'SYNC' ? event.resourceVersion : '', items }];
    };

    const later = (index: number, event: KubeEvent): KubeEvent[] => {
      const before = known[index]!;
      if (event.type !== 'SYNC') {
        const { name } = objectMeta(event.object);
        if (event.type === 'DELETED') before.delete(name);
        else before.set(name, knownOf(event.object));
        return [event];
      }
      const after = new Map<string, Known>();
      const changes: KubeEvent[] = [];
      for (const item of event.items) {
        const { name } = objectMeta(item);
        const now = knownOf(item);
        after.set(name, now);
        const old = before.get(name);
        if (old === undefined) changes.push({ type: 'ADDED', object: item });
        else if (old.uid !== now.uid || old.resourceVersion !== now.resourceVersion || now.resourceVersion === '')
          changes.push({ type: 'MODIFIED', object: item });
      }
      for (const [name, old] of before) {
        if (!after.has(name))
          changes.push({
            type: 'DELETED',
            object: {
              kind: 'Pod',
              apiVersion: 'v1',
              metadata: { namespace: sources[index]!.namespace, name, uid: old.uid },
            },
          });
      }
      known[index] = after;
      return changes;
    };

    return merge(
      ...sources.map((source, index) =>
        source.events$.pipe(mergeMap((event) => (pending === null ? later(index, event) : first(index, event)))),
      ),
    );
  });
}

function knownOf(object: unknown): Known {
  const { uid, resourceVersion } = objectMeta(object);
  return { uid, resourceVersion };
}
