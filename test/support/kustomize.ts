// The part of kustomize our kustomizations use, so the tests need no kustomize binary: resources (files, and
// directories holding a kustomization), patches that delete an object (`$patch: delete`), and `images`.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadManifests, type KubeObject, type Manifest } from './manifests.js';

interface Kustomization {
  readonly resources?: string[];
  readonly patches?: { readonly patch?: string; readonly path?: string }[];
  readonly images?: { readonly name: string; readonly newName?: string; readonly newTag?: string }[];
  readonly [field: string]: unknown;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images']);

/** Builds the kustomization in `dir` as `kubectl apply -k` would, for the fields above; throws on any other field. */
export function kustomize(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0)
    throw new Error(`${dir}/kustomization.yaml: this test's kustomize does not know ${unknown.join(', ')}`);
  let manifests = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : loadManifests(path);
  });
  for (const entry of kustomization.patches ?? []) {
    const patch = parse(entry.patch ?? readFileSync(join(dir, entry.path ?? ''), 'utf8')) as KubeObject & {
      $patch?: string;
    };
    if (patch.$patch !== 'delete') throw new Error(`${dir}: only $patch: delete patches are supported`);
    const before = manifests.length;
    manifests = manifests.filter(({ object }) => !same(object, patch));
    if (manifests.length !== before - 1)
      throw new Error(
        `${dir}: the delete patch of ${patch.kind} ${patch.metadata.name} matches ${before - manifests.length} objects`,
      );
  }
  return manifests.map(({ file, object }) => ({ file, object: withImages(object, kustomization.images ?? []) }));
}

function same(a: KubeObject, b: KubeObject): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.metadata.name === b.metadata.name &&
    a.metadata.namespace === b.metadata.namespace
  );
}

function withImages(object: KubeObject, images: NonNullable<Kustomization['images']>): KubeObject {
  const copy = structuredClone(object) as KubeObject & {
    spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  };
  for (const container of copy.spec?.template?.spec?.containers ?? []) {
    const [name, tag] = (container.image ?? '').split(':');
    const image = images.find((entry) => entry.name === name);
    if (image !== undefined) container.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
  }
  return copy;
}
