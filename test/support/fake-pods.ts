/**
 * Pod objects shaped like the real ones in /work/shared/fixtures/real-k8s/pods (kind v1.36 recordings, without
 * managedFields): what the fake API server stores and serves.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from './json-patch.js';

/** Object metadata of a pod as served by the API (timestamps are RFC 3339 strings with second precision). */
export interface PodMetadata {
  name: string;
  namespace: string;
  uid: string;
  creationTimestamp: string;
  resourceVersion?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  [key: string]: unknown;
}

/** A pod condition (`Ready`, `ContainersReady`, …). */
export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

/** The part of a pod's status the controller reads, open for the rest. */
export interface PodStatus {
  phase?: string;
  podIP?: string;
  conditions?: PodCondition[];
  [key: string]: unknown;
}

/** A pod as JSON (fixtures can be cast to it); `kind`/`apiVersion` are optional because list items lack them. */
export interface FakePod {
  kind?: string;
  apiVersion?: string;
  metadata: PodMetadata;
  spec?: JsonObject;
  status?: PodStatus;
  [key: string]: unknown;
}

/** What {@link buildPod} needs; everything but `name` has a realistic default. */
export interface PodOptions {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Pod IP; `null` leaves it out, the default is a fresh 10.244.0.x for Running pods and none otherwise. */
  podIP?: string | null;
  /** Ready condition; defaults to true for Running pods. */
  ready?: boolean;
  deletionTimestamp?: string | Date;
  containerPort?: number;
}

let nextIpSuffix = 10;

/** Formats a time the way the API server does (`2026-06-15T04:15:57Z`). */
export function kubeTime(at: string | Date = new Date()): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns the store key of a pod, `namespace/name` (the original project keyed by name only and collided). */
export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function condition(type: string, ok: boolean, at: string, container?: string): PodCondition {
  const base: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at };
  if (ok || container === undefined) return base;
  return { ...base, reason: 'ContainersNotReady', message: `containers with unready status: [${container}]` };
}

function buildStatus(options: PodOptions, container: string, created: string): PodStatus {
  const phase = options.phase ?? 'Running';
  const running = phase === 'Running';
  const ready = options.ready ?? running;
  const ip =
    options.podIP === undefined ? (running ? `10.244.0.${(nextIpSuffix++ % 250) + 2}` : undefined) : options.podIP;
  const status: PodStatus = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', running, created),
      condition('Initialized', true, created),
      condition('Ready', ready, created, container),
      condition('ContainersReady', ready, created, container),
      condition('PodScheduled', true, created),
    ],
    hostIP: '172.18.0.3',
    hostIPs: [{ ip: '172.18.0.3' }],
  };
  if (ip !== undefined && ip !== null) Object.assign(status, { podIP: ip, podIPs: [{ ip }] });
  const state = running ? { running: { startedAt: created } } : { waiting: { reason: 'ContainerCreating' } };
  return Object.assign(status, {
    startTime: created,
    containerStatuses: [
      { name: container, state, lastState: {}, ready, restartCount: 0, image: 'nginx:1.27', started: running },
    ],
    qosClass: 'BestEffort',
  });
}

/** Builds a realistic pod: Running, Ready and with an IP unless the options say otherwise. */
export function buildPod(options: PodOptions): FakePod {
  const created = kubeTime(options.creationTimestamp);
  const container = 'app';
  const metadata: PodMetadata = {
    name: options.name,
    namespace: options.namespace ?? 'default',
    uid: options.uid ?? randomUUID(),
    creationTimestamp: created,
  };
  if (options.labels !== undefined) metadata.labels = { ...options.labels };
  if (options.annotations !== undefined) metadata.annotations = { ...options.annotations };
  if (options.deletionTimestamp !== undefined) {
    Object.assign(metadata, { deletionTimestamp: kubeTime(options.deletionTimestamp), deletionGracePeriodSeconds: 30 });
  }
  const spec: JsonObject = {
    containers: [
      {
        name: container,
        image: 'nginx:1.27',
        ports: [{ containerPort: options.containerPort ?? 80, protocol: 'TCP' }],
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    nodeName: 'kind-control-plane',
    securityContext: {},
    schedulerName: 'default-scheduler',
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
  return { metadata, spec, status: buildStatus(options, container, created) };
}

/** Sets the Ready and ContainersReady conditions and the container's `ready` flag of a pod in place. */
export function setPodReady(pod: FakePod, ready: boolean, at: string | Date = new Date()): void {
  const time = kubeTime(at);
  const status = (pod.status ??= {});
  const container = 'app';
  const conditions = (status.conditions ??= []);
  for (const type of ['Ready', 'ContainersReady']) {
    const fresh = condition(type, ready, time, container);
    const index = conditions.findIndex((c) => c.type === type);
    if (index === -1) conditions.push(fresh);
    else conditions[index] = fresh;
  }
  const statuses = status['containerStatuses'];
  if (Array.isArray(statuses)) for (const s of statuses) Object.assign(s as JsonObject, { ready });
}

/** Marks a pod as terminating in place (`deletionTimestamp` and grace period), as a graceful delete does first. */
export function markPodTerminating(pod: FakePod, at: string | Date = new Date(), graceSeconds = 30): void {
  pod.metadata.deletionTimestamp = kubeTime(at);
  pod.metadata.deletionGracePeriodSeconds = graceSeconds;
}
