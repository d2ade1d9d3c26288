import type { ProjectedPod } from './pod.js';
import type { ProjectedSecret } from './secret.js';

/** One change to one object, in the API's own words: its type, and the object under its own key. */
type Change<Type extends string, Key extends string, Value> = { readonly type: Type } & { readonly [K in Key]: Value };

/** One change to one pod. */
export type PodChange = Change<'ADDED' | 'MODIFIED' | 'DELETED', 'pod', ProjectedPod>;

/** The full set of matching pods from a list: it replaces the cache wholesale (so a relist forgets the deleted). */
export interface PodSync {
  readonly type: 'SYNC';
  readonly pods: readonly ProjectedPod[];
  /** No list was received: a replay file without one starts from this empty cluster (it closes no window early). */
  readonly implied?: true;
}

/** One change to one TLS Secret; a deleted one carries only its namespace and name. */
export type SecretChange = Change<'SECRET_ADDED' | 'SECRET_MODIFIED' | 'SECRET_DELETED', 'secret', ProjectedSecret>;

/** The full set of TLS Secrets from a list: it replaces the Secrets wholesale, as SYNC does the pods. */
export interface SecretSync {
  readonly type: 'SECRET_SYNC';
  readonly secrets: readonly ProjectedSecret[];
}

/** What every source emits and the reducer folds: pod events and, with TLS on, Secret events. */
export type PodEvent = PodChange | PodSync | SecretChange | SecretSync;

/** Tells whether an event is about a Secret. */
export function isSecretEvent(event: PodEvent): event is SecretChange | SecretSync {
  return event.type.startsWith('SECRET_');
}
