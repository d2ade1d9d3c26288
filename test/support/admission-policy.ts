// Evaluates deploy/admission-policy.yaml the way the API server does, with an RE2-based CEL evaluator
// (@bufbuild/cel, with the cel-go `strings` extension that Kubernetes also loads): matchConstraints, then
// matchConditions, then the variables in order, then every validation and, for a failed one, its messageExpression.
// Kubernetes evaluates variables lazily; here they are evaluated eagerly, and any evaluation error is reported, so a
// policy that would error in the cluster (a denial with failurePolicy Fail and a confusing message) fails the tests.
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';
import type { KubeObject } from './manifests.js';
import { loadManifests } from './manifests.js';

/** One rule of spec.matchConstraints.resourceRules. */
interface ResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly string[];
  readonly resources: readonly string[];
}

/** The parts of a ValidatingAdmissionPolicy this evaluator reads. */
export interface PolicySpec {
  readonly failurePolicy: string;
  readonly matchConstraints: { readonly resourceRules: readonly ResourceRule[] };
  readonly matchConditions: readonly { readonly name: string; readonly expression: string }[];
  readonly variables: readonly { readonly name: string; readonly expression: string }[];
  readonly validations: readonly {
    readonly expression: string;
    readonly message?: string;
    readonly messageExpression?: string;
  }[];
}

/** What the API server would receive: the operation, the object, the stored object on UPDATE. */
export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  readonly subResource?: string;
}

/** The outcome: not matched, or allowed / denied with every failed validation's message (the first is shown). */
export type Verdict =
  | { readonly matched: false }
  | {
      readonly matched: true;
      readonly allowed: boolean;
      readonly messages: readonly string[];
      readonly errors: readonly string[];
    };

/** Where each kind is served: API group, version and resource, as the API server puts them in `request.resource`. */
export const RESOURCES: Readonly<Record<string, { group: string; version: string; resource: string }>> = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
};

type Program = (bindings: Record<string, CelInput>) => unknown;

/** A loaded, compiled policy that judges admission requests. */
export class AdmissionPolicy {
  readonly spec: PolicySpec;
  private readonly compiled = new Map<string, Program>();
  // The evaluator's own RE2 engine, with compiled patterns kept (by default it compiles each pattern on every call).
  private readonly patterns = new Map<string, RE2JS>();
  private readonly env = celEnv({ funcs: strings, re2: { compile: (pattern: string) => this.pattern(pattern) } });

  constructor(spec: PolicySpec) {
    this.spec = spec;
    const expressions = [
      ...spec.matchConditions.map((c) => c.expression),
      ...spec.variables.map((v) => v.expression),
      ...spec.validations.flatMap((v) => [
        v.expression,
        ...(v.messageExpression === undefined ? [] : [v.messageExpression]),
      ]),
    ];
    for (const expression of expressions)
      this.compiled.set(expression, plan(this.env, parse(expression)) as unknown as Program);
  }

  /** Judges one request as the API server would with the binding's `validationActions: [Deny]`. */
  review(request: AdmissionRequest): Verdict {
    const resource = RESOURCES[request.object.kind];
    if (resource === undefined) throw new Error(`no resource known for kind ${request.object.kind}`);
    if (!this.constrained(request, resource)) return { matched: false };
    const errors: string[] = [];
    const bindings: Record<string, CelInput> = {
      object: toCel(request.object),
      oldObject: request.oldObject === undefined ? null : toCel(request.oldObject),
      request: toCel({
        operation: request.operation,
        resource,
        subResource: request.subResource ?? '',
        namespace: request.object.metadata.namespace ?? 'default',
        name: request.object.metadata.name,
      }),
    };
    for (const condition of this.spec.matchConditions) {
      const result = this.evaluate(condition.expression, bindings);
      if (isCelError(result)) errors.push(`matchCondition ${condition.name}: ${result.message}`);
      else if (result !== true) return { matched: false };
    }
    const variables = new Map<string, unknown>();
    bindings['variables'] = variables as CelInput;
    for (const variable of this.spec.variables) {
      const result = this.evaluate(variable.expression, bindings);
      if (isCelError(result)) errors.push(`variable ${variable.name}: ${result.message}`);
      variables.set(variable.name, result);
    }
    const messages: string[] = [];
    for (const validation of this.spec.validations) {
      const result = this.evaluate(validation.expression, bindings);
      if (isCelError(result)) errors.push(`validation ${validation.expression}: ${result.message}`);
      if (result === true) continue;
      messages.push(this.message(validation, bindings, errors));
    }
    return { matched: true, allowed: messages.length === 0 && errors.length === 0, messages, errors };
  }

  /** Evaluates one variable's expression alone, with `variables` standing for the ones it reads (for sweeps). */
  variable(name: string, variables: Record<string, unknown>): unknown {
    const variable = this.spec.variables.find((v) => v.name === name);
    if (variable === undefined) throw new Error(`the policy has no variable ${name}`);
    const result = this.evaluate(variable.expression, {
      variables: new Map(Object.entries(variables).map(([k, v]) => [k, toCel(v)])) as CelInput,
    });
    if (isCelError(result)) throw new Error(`variable ${name}: ${result.message}`);
    return result;
  }

  private constrained(
    request: AdmissionRequest,
    resource: { group: string; version: string; resource: string },
  ): boolean {
    // A rule for "pods" does not cover "pods/status": subresources are matched only when listed.
    const name = request.subResource === undefined ? resource.resource : `${resource.resource}/${request.subResource}`;
    return this.spec.matchConstraints.resourceRules.some(
      (rule) =>
        rule.apiGroups.includes(resource.group) &&
        rule.apiVersions.includes(resource.version) &&
        rule.operations.includes(request.operation) &&
        rule.resources.includes(name),
    );
  }

  private message(
    validation: PolicySpec['validations'][number],
    bindings: Record<string, CelInput>,
    errors: string[],
  ): string {
    // As in Kubernetes: messageExpression, else message, else the failed expression.
    if (validation.messageExpression !== undefined) {
      const text = this.evaluate(validation.messageExpression, bindings);
      if (typeof text === 'string' && text !== '') return text;
      errors.push(
        `messageExpression ${validation.messageExpression}: ${isCelError(text) ? text.message : 'not a non-empty string'}`,
      );
    }
    return validation.message ?? `failed expression: ${validation.expression}`;
  }

  private pattern(pattern: string): RE2JS {
    let compiled = this.patterns.get(pattern);
    if (compiled === undefined) this.patterns.set(pattern, (compiled = RE2JS.compile(pattern)));
    return compiled;
  }

  private evaluate(expression: string, bindings: Record<string, CelInput>): unknown {
    return this.compiled.get(expression)!(bindings);
  }
}

/** Converts JSON to CEL input: objects to maps, integers to CEL ints. */
export function toCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toCel) as CelInput;
  if (typeof value === 'number') return (Number.isInteger(value) ? BigInt(value) : value) as CelInput;
  if (typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as CelInput;
  return value as CelInput;
}

/** Loads the policy and binding of `file` (deploy/admission-policy.yaml). */
export function loadAdmissionPolicy(file: string): {
  policy: AdmissionPolicy;
  policyObject: KubeObject;
  binding: KubeObject;
} {
  const objects = loadManifests(file).map((m) => m.object);
  const policyObject = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy');
  const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
  if (policyObject === undefined || binding === undefined)
    throw new Error(`${file} needs a ValidatingAdmissionPolicy and its binding`);
  const spec = policyObject['spec'] as PolicySpec;
  return {
    policy: new AdmissionPolicy({
      ...spec,
      matchConditions: spec.matchConditions ?? [],
      variables: spec.variables ?? [],
    }),
    policyObject,
    binding,
  };
}

/** Builds a Pod object with labels and annotations (absent annotations stay absent). */
export function podObject(
  labels: Record<string, string>,
  annotations: Record<string, string | null>,
  name = 'web-1',
): KubeObject {
  const present = Object.fromEntries(
    Object.entries(annotations).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  const metadata = {
    name,
    namespace: 'shop',
    uid: `uid-${name}`,
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels,
    annotations: present,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [{ name: 'web', image: 'web:1' }] },
    status: { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** Wraps pod metadata into a workload of `kind` whose pod template carries it. */
export function workloadObject(kind: string, pod: KubeObject, name = 'web'): KubeObject {
  const template = {
    metadata: { labels: pod.metadata.labels, annotations: pod.metadata.annotations },
    spec: pod['spec'],
  };
  const selector = kind === 'ReplicationController' ? { app: 'web' } : { matchLabels: { app: 'web' } };
  const apiVersion = RESOURCES[kind]!.group === '' ? 'v1' : `${RESOURCES[kind]!.group}/v1`;
  return { apiVersion, kind, metadata: { name, namespace: 'shop' }, spec: { replicas: 2, selector, template } };
}
