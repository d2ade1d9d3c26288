// The demo's ReplicationController and Dockerfile, cross-checked against the controller that routes it: its pods
// match the controller's selector, their annotations are read by the real model without an issue, and the port
// they claim is the one the image listens on and the readiness probe checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IReplicationController } from 'kubernetes-models/v1';
import { projectPod } from '../../src/model/pod.js';
import { readPod } from '../../src/model/pod-record.js';
import { matchesSelector } from '../../src/model/selector.js';
import { parseInvocation } from '../../src/settings.js';
import { readDockerfile, readDockerignore, stageEnv } from '../support/dockerfile.js';
import { simulateBuild } from '../support/image-files.js';
import { loadManifests } from '../support/manifests.js';
import { containerEnv, containerPort, onlyObject, podTemplate } from '../support/pod-spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const demo = podTemplate(
  onlyObject<IReplicationController>(loadManifests(`${root}demo/rc.yaml`), 'ReplicationController'),
);
const controller = podTemplate(
  onlyObject<IReplicationController>(
    loadManifests(`${root}deploy/replication-controller.yaml`),
    'ReplicationController',
  ),
);
const controllerSettings = parseInvocation(
  controller.container.args ?? [],
  containerEnv(controller.container),
).settings;
const stages = readDockerfile(`${root}demo/Dockerfile`);

test('the demo pods carry the label and annotations of the original demo, and the deployed controller selects them', () => {
  assert.equal(demo.labels['microservice'], 'true');
  assert.equal(demo.annotations['trafficHosts'], 'test.k8s.local');
  assert.equal(demo.annotations['publicPaths'], '3000:/nodejs');
  assert.ok(matchesSelector(controllerSettings.selector, demo.labels), 'ROUTABLE_LABEL_SELECTOR matches the demo pods');
});

// The demo pod as the API would report it once ready (the IP is data only: nothing is sent to it).
function demoRecord(): ReturnType<typeof readPod> {
  const names = { hosts: controllerSettings.hostsAnnotation, paths: controllerSettings.pathsAnnotation };
  const pod = {
    metadata: {
      name: 'nodejs-k8s-env-x7k2p',
      namespace: 'default',
      uid: 'u1',
      labels: demo.labels,
      annotations: demo.annotations,
    },
    status: { phase: 'Running', podIP: '10.244.1.5', conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const projected = projectPod(pod, names);
  assert.ok(typeof projected !== 'string', String(projected));
  return readPod(projected);
}

test('the routing model reads the demo annotations into one route to port 3000, without an issue', () => {
  const record = demoRecord();
  assert.deepEqual(record.issues, []);
  assert.deepEqual(record.hosts, ['test.k8s.local']);
  assert.deepEqual(
    record.paths.map((entry) => [entry.port, entry.path]),
    [[3000, '/nodejs']],
  );
  assert.notEqual(record.address, null, 'a ready pod is a backend');
});

test('the claimed port is the one the container listens on and the readiness probe checks', () => {
  const [claimed] = demoRecord().paths;
  assert.ok(claimed);
  const probe = demo.container.readinessProbe?.httpGet;
  assert.ok(probe, 'a readiness probe over HTTP');
  assert.equal(containerPort(demo.container, probe.port), claimed.port);
  assert.ok((demo.container.ports ?? []).some((port) => port.containerPort === claimed.port));
  assert.equal(containerEnv(demo.container)['PORT'], String(claimed.port));
  assert.equal(stageEnv(stages.at(-1)!)['PORT'], String(claimed.port), 'the image default');
});

test('the demo image copies only files of demo/, holds its ES module marker and runs as the pod user', () => {
  assert.deepEqual(
    stages.map((stage) => stage.base),
    ['node:20-bookworm-slim'],
  );
  const build = simulateBuild(stages, `${root}demo`, readDockerignore(`${root}demo/.dockerignore`), () => []);
  assert.deepEqual(build.problems, []);
  const image = build.trees.get('0')!;
  const stage = stages[0]!;
  const entrypoint = stage.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  assert.ok(entrypoint?.json && entrypoint.args[0] === 'node', 'ENTRYPOINT runs node in exec form');
  const script = entrypoint.args.at(-1)!;
  assert.equal(image.get(script), 'file', `${script} is in the image`);
  assert.equal(
    image.get(posix.join(posix.dirname(script), 'package.json')),
    'file',
    'package.json is next to the script',
  );
  const manifest = JSON.parse(readFileSync(`${root}demo/package.json`, 'utf8')) as {
    type?: string;
    dependencies?: object;
  };
  assert.equal(manifest.type, 'module', 'package.json makes server.js an ES module');
  assert.equal(manifest.dependencies, undefined, 'the demo has no dependencies to install');
  const user = stage.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args[0] ?? '';
  assert.match(user, /^[1-9][0-9]*:[0-9]+$/);
  const context = demo.spec.securityContext ?? {};
  assert.equal(`${context.runAsUser}:${context.runAsGroup}`, user);
  assert.equal(context.runAsNonRoot, true);
  assert.equal(demo.container.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(demo.container.securityContext?.allowPrivilegeEscalation, false);
});
