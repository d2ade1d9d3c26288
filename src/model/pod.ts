/** What routing needs of a Pod, and nothing more: at 100k pods whole objects would take gigabytes. */
export interface ProjectedPod {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** metadata.creationTimestamp in ms since the epoch; a pod without one counts as the newest. */
  readonly created: number;
  readonly phase: string;
  /** status.podIP as the API gave it, or null. */
  readonly ip: string | null;
  /** Condition `Ready` is `True`. */
  readonly ready: boolean;
  /** metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
  /** Raw value of the hosts annotation, or null when absent. */
  readonly hosts: string | null;
  /** Raw value of the paths annotation, or null when absent. */
  readonly paths: string | null;
  /** Raw value of the TLS Secret annotation, or null when absent (undefined: not read, the same). */
  readonly tlsSecret?: string | null;
}

/** The annotation names that carry routing, from the settings. */
export interface AnnotationNames {
  readonly hosts: string;
  readonly paths: string;
  /** The annotation naming the pod's TLS Secret; undefined when TLS is off. */
  readonly tlsSecret?: string;
}

/** Returns `namespace/name`, the key a pod is known by (names alone collide across namespaces). */
export function podKey(pod: { readonly namespace: string; readonly name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

/** Projects a Pod object from the API onto a ProjectedPod, or returns why it cannot be read. */
export function projectPod(raw: unknown, names: AnnotationNames): ProjectedPod | string {
  const metadata = field(raw, 'metadata');
  const name = field(metadata, 'name');
  const namespace = field(metadata, 'namespace');
  if (typeof name !== 'string' || name === '') return 'pod has no metadata.name';
  if (typeof namespace !== 'string' || namespace === '') return `pod ${name} has no metadata.namespace`;
  const status = field(raw, 'status');
  const annotations = field(metadata, 'annotations');
  const created = Date.parse(stringOr(field(metadata, 'creationTimestamp'), ''));
  const deletion = field(metadata, 'deletionTimestamp');
  return podOf(
    stringOr(field(metadata, 'uid'), ''),
    namespace,
    name,
    Number.isNaN(created) ? Number.MAX_SAFE_INTEGER : created,
    stringOr(field(status, 'phase'), ''),
    nonEmpty(field(status, 'podIP')),
    isReady(field(status, 'conditions')),
    deletion !== undefined && deletion !== null,
    annotation(annotations, names.hosts),
    annotation(annotations, names.paths),
    names.tlsSecret === undefined ? undefined : annotation(annotations, names.tlsSecret),
  );
}

/**
 * Makes a ProjectedPod in one object literal, so that every pod has the same shape with its fields inside the object.
 * A spread copy or a structured clone of one adds the fields one by one, and past the fourth they go to a property
 * array beside the object: 21k of those held ~3 MB in a replay of 20k pods (issue 14).
 */
export function podOf(
  uid: string,
  namespace: string,
  name: string,
  created: number,
  phase: string,
  ip: string | null,
  ready: boolean,
  deleting: boolean,
  hosts: string | null,
  paths: string | null,
  tlsSecret: string | null | undefined,
): ProjectedPod {
  return tlsSecret === undefined
    ? { uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths }
    : { uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret };
}

/** Returns the labels of a Pod object (an empty record when it has none or they are malformed). */
export function podLabels(raw: unknown): Readonly<Record<string, string>> {
  const labels = field(field(raw, 'metadata'), 'labels');
  if (typeof labels !== 'object' || labels === null) return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') result[key] = value;
  return result;
}

/** Tells whether two projections route the same, so an unchanged pod keeps its cache entry. */
export function samePod(a: ProjectedPod, b: ProjectedPod): boolean {
  return (
    a.uid === b.uid &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.created === b.created &&
    a.phase === b.phase &&
    a.ip === b.ip &&
    a.ready === b.ready &&
    a.deleting === b.deleting &&
    a.hosts === b.hosts &&
    a.paths === b.paths &&
    (a.tlsSecret ?? null) === (b.tlsSecret ?? null)
  );
}

function isReady(conditions: unknown): boolean {
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c) => field(c, 'type') === 'Ready' && field(c, 'status') === 'True');
}

function annotation(annotations: unknown, name: string): string | null {
  const value = field(annotations, name);
  return typeof value === 'string' ? value : null;
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
