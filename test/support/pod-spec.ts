// Typed access to the parts of workload manifests that tests cross-check against the program: the pod template, its
// one container, its environment and its ports. Each accessor fails the test with a message naming what is missing.
import assert from 'node:assert/strict';
import type { IContainer, IPodSpec, IReplicationController } from 'kubernetes-models/v1';
import type { KubeObject, Manifest } from './manifests.js';

/** Returns the only object of a kind among manifests, typed as the caller expects. */
export function onlyObject<T>(manifests: readonly Manifest[], kind: string): T {
  const found = manifests.filter((manifest) => manifest.object.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}, found ${found.length}`);
  return found[0]!.object as unknown as T;
}

/** The pod template of a ReplicationController: its labels, annotations and spec. */
export interface PodTemplate {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: IPodSpec;
  readonly container: IContainer;
}

/** Returns a ReplicationController's pod template and its one container. */
export function podTemplate(rc: IReplicationController | KubeObject): PodTemplate {
  const template = (rc as IReplicationController).spec?.template;
  assert.ok(template?.spec, `${rc.metadata?.name}: no spec.template.spec`);
  assert.equal(template.spec.containers.length, 1, `${rc.metadata?.name}: expected one container`);
  return {
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    spec: template.spec,
    container: template.spec.containers[0]!,
  };
}

/** Returns a container's literal environment as a record (valueFrom entries are refused: tests need the values). */
export function containerEnv(container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    assert.ok(variable.valueFrom === undefined, `${container.name}: ${variable.name} comes from valueFrom`);
    assert.ok(!(variable.name in env), `${container.name}: ${variable.name} is set twice`);
    env[variable.name] = variable.value ?? '';
  }
  return env;
}

/** Resolves a probe's or Service's port (a number, or the name of a container port) to the container port number. */
export function containerPort(container: IContainer, port: number | string | undefined): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((candidate) => candidate.name === port);
  assert.ok(named, `${container.name} has no port named ${String(port)}`);
  return named.containerPort;
}
