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
}

/** The annotation names that carry routing, from the settings. */
export interface AnnotationNames {
  readonly hosts: string;
  readonly paths: string;
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
  return {
    uid: stringOr(field(metadata, 'uid'), ''),
    namespace,
    name,
    created: Number.isNaN(created) ? Number.MAX_SAFE_INTEGER : created,
    phase: stringOr(field(status, 'phase'), ''),
    ip: nonEmpty(field(status, 'podIP')),
    ready: isReady(field(status, 'conditions')),
    deleting: deletion !== undefined && deletion !== null,
    hosts: annotation(annotations, names.hosts),
    paths: annotation(annotations, names.paths),
  };
}

/** Returns a Pod object's raw `metadata.labels`, as parsed (undefined when absent), for reading in place. */
export function rawLabels(raw: unknown): unknown {
  return field(field(raw, 'metadata'), 'labels');
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
    a.paths === b.paths
  );
}

function isReady(conditions: unknown): boolean {
  if (!Array.isArray(conditions)) return false;
  for (let i = 0; i < conditions.length; i++) {
    const condition: unknown = conditions[i];
    if (field(condition, 'type') === 'Ready' && field(condition, 'status') === 'True') return true;
  }
  return false;
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
