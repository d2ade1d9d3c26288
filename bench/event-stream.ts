// Writes a timestamped event stream in the recorder's format, shaped like a busy cluster's watch: pods are added,
// their status churns (routing-neutral MODIFIED, 85%), readiness flips (4%), annotations are edited (2%), pods are
// replaced by rollouts (DELETED + ADDED, 9%). The number of pods stays constant. Seeded: every run, the same bytes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { random, services } from './cluster.js';

/** What to generate. */
export interface StreamShape {
  readonly events: number;
  readonly pods: number;
  /** Events per second of recorded time: sets how many batching windows the stream spans. */
  readonly eventsPerSecond: number;
  readonly seed?: number;
}

const START = Date.parse('2026-11-01T00:00:00Z');

/** Writes the stream to `path`; resolves with the byte count. */
export async function writeEventStream(path: string, shape: StreamShape): Promise<number> {
  const next = random(shape.seed ?? 7);
  const svc = services(shape.pods, shape.seed ?? 7);
  const slots: { service: number; generation: number; ready: boolean; paths: string }[] = [];
  svc.forEach((s, i) => {
    for (let r = 0; r < s.replicas; r++) slots.push({ service: i, generation: 0, ready: false, paths: s.paths });
  });
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (line: string): Promise<void> => {
    bytes += line.length + 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write(JSON.stringify({ at: new Date(START).toISOString(), type: 'START' }));
  let rv = 1000;
  for (let n = 0; n < shape.events; n++) {
    const at = new Date(START + Math.floor((n * 1000) / shape.eventsPerSecond)).toISOString();
    const index = n < slots.length ? n : Math.floor(next() * slots.length);
    const slot = slots[index]!;
    let type = 'ADDED';
    let replace = false;
    if (n >= slots.length) {
      // A busy cluster's mix: mostly status churn routing ignores, some readiness flips, rollouts replacing pods
      // (DELETED + ADDED under a new name), and now and then an annotation edit.
      const roll = next();
      type = 'MODIFIED';
      if (roll < 0.04) slot.ready = !slot.ready;
      else if (roll < 0.06) slot.paths = `${slot.paths.split(' ')[0]} 8080:/v${Math.floor(next() * 5)}`;
      else if (roll < 0.15) replace = true;
    } else {
      slot.ready = next() > 0.1;
    }
    const service = svc[slot.service]!;
    if (!replace) {
      await write(
        JSON.stringify({
          at,
          type,
          object: podObject(service, index, slot.generation, slot.ready, slot.paths, ++rv, n),
        }),
      );
      continue;
    }
    await write(
      JSON.stringify({
        at,
        type: 'DELETED',
        object: podObject(service, index, slot.generation, slot.ready, slot.paths, ++rv, n),
      }),
    );
    slot.generation++;
    await write(
      JSON.stringify({
        at,
        type: 'ADDED',
        object: podObject(service, index, slot.generation, false, slot.paths, ++rv, n),
      }),
    );
    // The new pod turns ready with its next status update.
    slot.ready = true;
    n++;
  }
  out.end();
  await once(out, 'close');
  return bytes;
}

function podObject(
  service: { namespace: string; name: string; hosts: string },
  index: number,
  generation: number,
  ready: boolean,
  paths: string,
  rv: number,
  n: number,
): object {
  const name = `${service.name}-${index.toString(36)}-${generation}`;
  const created = new Date(START + index * 10 + generation * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = new Date(START + n * 2).toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
  });
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      generateName: `${service.name}-`,
      namespace: service.namespace,
      uid: `7c0a${index.toString(16).padStart(8, '0')}-0000-4000-8000-${generation.toString(16).padStart(12, '0')}`,
      resourceVersion: String(rv),
      creationTimestamp: created,
      labels: { app: service.name, microservice: 'true', 'pod-template-hash': '5d8f7c9b6d' },
      annotations: { trafficHosts: service.hosts, publicPaths: paths, 'kubectl.kubernetes.io/restartedAt': created },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${service.name}-5d8f7c9b6d`,
          uid: '0b7c2f54-1d3e-4c55-9a8e-8f4f0c1d2e3a',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: created,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:generateName': {},
              'f:labels': { '.': {}, 'f:app': {}, 'f:microservice': {} },
              'f:ownerReferences': { '.': {} },
            },
            'f:spec': { 'f:containers': {} },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: now,
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': {},
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': {},
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: `registry.example.com/${service.name}:1.4.2`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: `node-${index % 50}`,
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: 'Running',
      conditions: [
        condition('Initialized', true),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      hostIP: `172.20.${index % 50}.10`,
      podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
      podIPs: [{ ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` }],
      startTime: created,
      containerStatuses: [
        {
          name: 'app',
          state: { running: { startedAt: created } },
          lastState: {},
          ready,
          restartCount: n % 3,
          image: `registry.example.com/${service.name}:1.4.2`,
          imageID: '',
          containerID: `containerd://${rv.toString(16).padStart(16, '0')}`,
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  };
}
