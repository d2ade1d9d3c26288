// Real Pod objects, PodLists and watch streams captured from real clusters (provenance: fixtures/real-k8s/SOURCES.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder of the real-cluster fixtures. */
export const REAL_K8S = fileURLToPath(new URL('../fixtures/real-k8s/', import.meta.url));

/** Reads and parses a JSON fixture, e.g. `pods/k9s_nginx-7fb78fb6d8-2w75j.json`. */
export function realJson(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REAL_K8S}${relative}`, 'utf8')) as Record<string, unknown>;
}

/** Reads a fixture as text. */
export function realText(relative: string): string {
  return readFileSync(`${REAL_K8S}${relative}`, 'utf8');
}

/** Returns a copy of a Pod object with the labels and annotations merged in (the routing ones added by a test). */
export function withRouting(
  pod: Record<string, unknown>,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): Record<string, unknown> {
  const copy = structuredClone(pod) as { metadata: Record<string, unknown> };
  copy.metadata['labels'] = { ...(copy.metadata['labels'] as object | undefined), ...labels };
  copy.metadata['annotations'] = { ...(copy.metadata['annotations'] as object | undefined), ...annotations };
  return copy;
}

/** Reads a real watch stream (`streams/NAME`) with the opt-in label and these routing annotations on every object. */
export function routedStream(stream: string, annotations: Record<string, string>): string[] {
  return realText(`streams/${stream}`)
    .trim()
    .split('\n')
    .map((line) => {
      const event = JSON.parse(line) as { type: string; object: Record<string, unknown> };
      return JSON.stringify({ ...event, object: withRouting(event.object, { microservice: 'true' }, annotations) });
    });
}
