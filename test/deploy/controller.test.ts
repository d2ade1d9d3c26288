// The controller's ReplicationController and Service, cross-checked against the program they run: every variable is
// a setting the program accepts, probes and ports are the ones the settings make it serve, and the pod gets only
// the privileges and writable paths the image needs.
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IReplicationController, IService } from 'kubernetes-models/v1';
import { matchesSelector } from '../../src/model/selector.js';
import { parseInvocation, SETTINGS, type Settings } from '../../src/settings.js';
import { readDockerfile, stageEnv } from '../support/dockerfile.js';
import { loadManifests, type Manifest } from '../support/manifests.js';
import { containerEnv, containerPort, onlyObject, podTemplate } from '../support/pod-spec.js';
import { ENDPOINT_PATHS } from '../../src/http/endpoint-routes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifests: Manifest[] = ['replication-controller.yaml', 'service.yaml', 'pod-disruption-budget.yaml'].flatMap(
  (file) => loadManifests(`${root}deploy/${file}`),
);
const rc = onlyObject<IReplicationController>(manifests, 'ReplicationController');
const pod = podTemplate(rc);
const runtime = readDockerfile(`${root}Dockerfile`).at(-1)!;
// The endpoints the controller really serves on HTTP_PORT.
const ENDPOINTS = ENDPOINT_PATHS;

function settings(): Settings {
  const invocation = parseInvocation(pod.container.args ?? [], containerEnv(pod.container));
  assert.equal(invocation.command, 'run');
  return invocation.settings;
}

test('every variable of the controller container is a setting of the run command, and the program accepts its value', () => {
  const known = new Map(
    Object.values(SETTINGS).flatMap((spec) =>
      'env' in spec && (spec.commands as readonly string[]).includes('run') ? [[spec.env, spec.flag]] : [],
    ),
  );
  for (const name of Object.keys(containerEnv(pod.container)))
    assert.ok(known.has(name), `${name} is not a setting of "run"`);
  const parsed = settings();
  assert.equal(parsed.sink, 'nginx');
  assert.deepEqual(parsed.namespaces, [], 'an empty NAMESPACES watches every namespace');
});

test('the image environment holds only settings and the program accepts it', () => {
  const env = stageEnv(runtime);
  const names = new Set(Object.values(SETTINGS).flatMap((spec) => ('env' in spec ? [spec.env] : [])));
  for (const name of Object.keys(env))
    assert.ok(name === 'NODE_ENV' || names.has(name), `${name} is neither a setting nor NODE_ENV`);
  const fromImage = parseInvocation(['run'], env).settings;
  assert.equal(fromImage.port, settings().port, 'image and manifest agree on the nginx port');
  assert.equal(fromImage.httpsPort, settings().httpsPort, 'image and manifest agree on the HTTPS port');
  assert.equal(fromImage.nginxConf, settings().nginxConf, 'image and manifest agree on NGINX_CONF');
});

test('nginx listens on the container ports the Service targets: 80 to HTTP, 443 to HTTPS', () => {
  const service = onlyObject<IService>(manifests, 'Service');
  const ports = service.spec?.ports ?? [];
  assert.equal(ports.length, 2);
  const [http, https] = ports;
  assert.equal(http!.port, 80);
  assert.equal(https!.port, 443);
  for (const port of ports) assert.equal(port.protocol ?? 'TCP', 'TCP');
  assert.equal(containerPort(pod.container, http!.targetPort), settings().port);
  assert.equal(containerPort(pod.container, https!.targetPort), settings().httpsPort);
  assert.equal(settings().httpsRedirectPort, 443, "the redirect sends clients to the Service's HTTPS port");
  assert.ok(settings().tls, 'TLS is on in deploy/');
  assert.ok(settings().port > 1024 && settings().httpsPort > 1024, 'nginx needs no privilege to bind its ports');
  assert.ok(['LoadBalancer', 'NodePort'].includes(service.spec?.type ?? ''), `Service type ${service.spec?.type}`);
  const exposed = runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.map(Number));
  assert.deepEqual(exposed.sort(), [settings().port, settings().httpsPort, settings().httpPort].sort());
});

test('probes and the scrape annotations use the endpoints on HTTP_PORT', () => {
  const httpPort = settings().httpPort;
  assert.equal(httpPort, Number(SETTINGS.httpPort.defaultText), 'the manifest keeps the default admin port');
  for (const path of Object.values(ENDPOINTS))
    assert.ok(SETTINGS.httpPort.help.includes(path), `HTTP_PORT serves ${path}`);
  const probes = {
    startupProbe: ENDPOINTS.liveness,
    livenessProbe: ENDPOINTS.liveness,
    readinessProbe: ENDPOINTS.readiness,
  } as const;
  for (const [name, path] of Object.entries(probes) as [keyof typeof probes, string][]) {
    const probe = pod.container[name];
    assert.equal(probe?.httpGet?.path, path, name);
    assert.equal(containerPort(pod.container, probe.httpGet.port), httpPort, `${name} port`);
  }
  assert.equal(pod.annotations['prometheus.io/path'], ENDPOINTS.metrics);
  assert.equal(pod.annotations['prometheus.io/port'], String(httpPort));
});

test('the pod runs as the image user, non-root, without privileges, and writes only to its emptyDirs', () => {
  const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args[0] ?? '';
  assert.match(user, /^[1-9][0-9]*:[0-9]+$/, 'the image user is numeric (uid:gid) and not root');
  const [uid, gid] = user.split(':').map(Number);
  const podContext = pod.spec.securityContext ?? {};
  const context = pod.container.securityContext ?? {};
  assert.equal(context.runAsNonRoot ?? podContext.runAsNonRoot, true);
  assert.equal(context.runAsUser ?? podContext.runAsUser, uid);
  assert.equal(context.runAsGroup ?? podContext.runAsGroup, gid);
  assert.equal((context.seccompProfile ?? podContext.seccompProfile)?.type, 'RuntimeDefault');
  assert.equal(context.allowPrivilegeEscalation, false);
  assert.equal(context.readOnlyRootFilesystem, true);
  assert.notEqual(context.privileged, true);
  assert.deepEqual(context.capabilities, { drop: ['ALL'] });
  assert.equal(pod.spec.hostNetwork ?? false, false);
  for (const volume of pod.spec.volumes ?? []) assert.ok(volume.emptyDir, `volume ${volume.name} is an emptyDir`);
  const mounts = new Map((pod.container.volumeMounts ?? []).map((mount) => [mount.mountPath, mount]));
  const prefix = mounts.get(posix.dirname(settings().nginxConf));
  assert.ok(prefix, `the nginx prefix ${posix.dirname(settings().nginxConf)} is a mounted volume`);
  assert.notEqual(prefix.readOnly, true);
});

test('requests and limits are set, and the grace period covers the preStop pause and a graceful nginx quit', () => {
  const resources = pod.container.resources ?? {};
  for (const kind of ['requests', 'limits'] as const) {
    assert.deepEqual(Object.keys(resources[kind] ?? {}).sort(), ['cpu', 'memory'], kind);
  }
  const pause = pod.container.lifecycle?.preStop?.exec?.command ?? [];
  assert.equal(pause[0], 'sleep');
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  assert.ok(grace >= Number(pause[1]) + 30, `grace ${grace}s leaves 30s for nginx after the ${pause[1]}s pause`);
});

test('the Service, the budget and the spread select exactly the controller pods, which are not routed themselves', () => {
  const selects = (selector: Record<string, string> | undefined): boolean =>
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => pod.labels[key] === value);
  assert.ok(selects(rc.spec?.selector), 'the ReplicationController selects its template');
  assert.ok(selects(onlyObject<IService>(manifests, 'Service').spec?.selector), 'the Service selects the pods');
  assert.ok(
    selects(onlyObject<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget').spec?.selector?.matchLabels),
    'the budget',
  );
  for (const spread of pod.spec.topologySpreadConstraints ?? [])
    assert.ok(selects(spread.labelSelector?.matchLabels), 'the spread');
  assert.ok(
    !matchesSelector(settings().selector, pod.labels),
    'the controller pods must not match the routable selector',
  );
  assert.equal(rc.spec?.replicas, 2);
});
