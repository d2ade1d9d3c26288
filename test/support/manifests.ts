// Reads Kubernetes manifests and checks them against the API's own schemas, through two maintained libraries:
// kubernetes-models validates each kind's JSON schema (types, required fields, formats, enums), and the field lists
// of @kubernetes/client-node's generated models catch misspelt fields, which that JSON schema lets through but the
// API server's strict field validation (kubectl's default) rejects.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as written in a manifest file. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** One YAML document of a manifest file. */
export interface Manifest {
  readonly file: string;
  readonly object: KubeObject;
}

/** A Kubernetes manifest file that cannot be read as YAML. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Parses every YAML document of a file; throws ManifestError on a YAML error or a document without kind. */
export function loadManifests(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(documents)) throw new ManifestError(`cannot parse ${file}: not a YAML stream`);
  return documents
    .map((document) => {
      if (document.errors.length > 0) throw new ManifestError(`cannot parse ${file}: ${document.errors[0]!.message}`);
      return document.toJS() as unknown;
    })
    .filter((object) => object !== null)
    .map((object) => {
      const typed = object as Partial<KubeObject>;
      if (typeof typed.apiVersion !== 'string' || typeof typed.kind !== 'string') {
        throw new ManifestError(`cannot read ${file}: a document has no apiVersion or kind`);
      }
      return { file, object: typed as KubeObject };
    });
}

/** Returns the schema violations of an object (empty when the API would accept it), by apiVersion and kind. */
export async function schemaProblems(object: KubeObject): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion))
    return [`${kind} ${object.metadata.name}: malformed apiVersion ${apiVersion}`];
  const models = (await import(`kubernetes-models/${apiVersion}`).catch(() => ({}))) as Record<string, unknown>;
  const Model = models[kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (Model === undefined) return [`kubernetes-models has no ${kind} in ${apiVersion}`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
  const version = apiVersion.split('/').at(-1)!;
  const typeName = `${version[0]!.toUpperCase()}${version.slice(1)}${kind}`;
  // Loaded on first use: the client is large, and tests that only read manifests should not pay for it.
  const generated = (await import('@kubernetes/client-node')) as unknown as GeneratedModels;
  return [...problems, ...unknownFields(generated, object, typeName, `${kind} ${object.metadata.name}`)];
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'IntOrString', 'object']);
type GeneratedModels = Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

function unknownFields(generated: GeneratedModels, value: unknown, type: string, where: string): string[] {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null)
    return Array.isArray(value)
      ? value.flatMap((item, i) => unknownFields(generated, item, array[1]!, `${where}[${i}]`))
      : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    return typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => unknownFields(generated, item, map[1]!, `${where}.${key}`))
      : [];
  }
  const attributes = generated[type]?.getAttributeTypeMap?.();
  if (attributes === undefined) return [`${where}: @kubernetes/client-node has no model ${type}`];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    if (attribute === undefined)
      return [`${where}: unknown field "${key}" (${type} has ${attributes.map((a) => a.baseName).join(', ')})`];
    return unknownFields(generated, item, attribute.type, `${where}.${key}`);
  });
}
