import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { podLabels, projectPod, samePod } from '../../src/model/pod.js';
import { readPod } from '../../src/model/pod-record.js';
import { REAL_K8S, realJson, withRouting } from '../support/fixtures.js';

const names = { hosts: 'trafficHosts', paths: 'publicPaths' };

test('real pods project onto exactly what routing needs', () => {
  const expected: Record<
    string,
    { phase: string; ip: string | null; ready: boolean; deleting: boolean; backend: boolean }
  > = {
    'fluent-bit_kairosdb-914055854-b63vq.json': {
      phase: 'Running',
      ip: '10.2.39.12',
      ready: true,
      deleting: false,
      backend: true,
    },
    'fluent-plugin-k8s-metadata_fabric8-console-controller-98rqc_2015.json': {
      phase: 'Running',
      ip: '172.17.0.8',
      ready: false,
      deleting: false,
      backend: false,
    },
    'huaweicloud-cce_test-delete-pod-6fd8bd995f-225lr_terminating_delete_response.json': {
      phase: 'Running',
      ip: '10.0.1.133',
      ready: true,
      deleting: true,
      backend: false,
    },
    'k8s-openapi_v1-10_kube-dns-86f4d74b45-tmmnj_multicontainer_running_notready.json': {
      phase: 'Running',
      ip: '172.17.0.2',
      ready: false,
      deleting: false,
      backend: false,
    },
    'k8s-openapi_v1-25_patch-deployment-696d8f74f9-5h5ns_terminating_running_withip.json': {
      phase: 'Running',
      ip: '10.244.0.7',
      ready: false,
      deleting: true,
      backend: false,
    },
    'k8s-openapi_v1-25_patch-deployment-944897db-kt9hq_terminating_pending_noip.json': {
      phase: 'Pending',
      ip: null,
      ready: false,
      deleting: true,
      backend: false,
    },
    'k8s-openapi_v1-36_coredns-589f44dc88-4fpns.json': {
      phase: 'Running',
      ip: '10.244.0.3',
      ready: true,
      deleting: false,
      backend: true,
    },
    'k8s-openapi_v1-36_create-job-5bhw4_failed.json': {
      phase: 'Failed',
      ip: '10.244.0.5',
      ready: false,
      deleting: false,
      backend: false,
    },
    'k8s-openapi_v1-36_patch-deployment-57bbf9bb76-crwhp_pending_noip.json': {
      phase: 'Pending',
      ip: null,
      ready: false,
      deleting: false,
      backend: false,
    },
    'k8s-openapi_v1-36_patch-deployment-6b7dc4c65-57hgq_pending_notready_noip.json': {
      phase: 'Pending',
      ip: null,
      ready: false,
      deleting: false,
      backend: false,
    },
    'k8s-openapi_v1-8_kube-dns-86cc76f8d-glwqh_multicontainer_pending.json': {
      phase: 'Pending',
      ip: null,
      ready: false,
      deleting: false,
      backend: false,
    },
    'k9s_nginx-7fb78fb6d8-2w75j.json': {
      phase: 'Running',
      ip: '10.44.0.229',
      ready: true,
      deleting: false,
      backend: true,
    },
    'k9s_sleep_native-sidecar.json': {
      phase: 'Running',
      ip: '10.244.0.8',
      ready: true,
      deleting: false,
      backend: true,
    },
    'kubeclient_openshift_my-ruby-project-2-build_terminating_failed.json': {
      phase: 'Failed',
      ip: '10.129.0.207',
      ready: false,
      deleting: true,
      backend: false,
    },
    'kubeclient_openshift_redis-1-94zxb_running.json': {
      phase: 'Running',
      ip: '10.129.0.222',
      ready: true,
      deleting: false,
      backend: true,
    },
    'kubectl-neat_myapp_raw.json': { phase: 'Running', ip: '172.17.0.2', ready: true, deleting: false, backend: true },
    'zhaohuabing-blog_network-tool1_running.json': {
      phase: 'Running',
      ip: '10.244.0.6',
      ready: true,
      deleting: false,
      backend: true,
    },
    'zhaohuabing-blog_network-tool_terminating_modified.json': {
      phase: 'Running',
      ip: '10.244.0.8',
      ready: true,
      deleting: true,
      backend: false,
    },
  };
  const files = readdirSync(`${REAL_K8S}pods`)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const checked: string[] = [];
  for (const file of files) {
    const want = expected[file];
    if (want === undefined) continue;
    const raw = withRouting(
      realJson(`pods/${file}`),
      { microservice: 'true' },
      { trafficHosts: 'test.k8s.local', publicPaths: '3000:/nodejs' },
    );
    const pod = projectPod(raw, names);
    assert.ok(typeof pod !== 'string', `${file}: ${String(pod)}`);
    assert.deepEqual(
      { phase: pod.phase, ip: pod.ip, ready: pod.ready, deleting: pod.deleting },
      { phase: want.phase, ip: want.ip, ready: want.ready, deleting: want.deleting },
      file,
    );
    assert.equal(pod.hosts, 'test.k8s.local', file);
    assert.ok(Number.isFinite(pod.created) && pod.created < Date.parse('2027-01-01'), file);
    assert.equal(readPod(pod).address !== null, want.backend, `${file} backend`);
    assert.equal(podLabels(raw)['microservice'], 'true');
    checked.push(file);
  }
  assert.ok(checked.length >= 15, `checked only ${checked.length} fixtures`);
});

test('projection keeps none of the bulk of a Pod object', () => {
  const pod = projectPod(realJson('pods/k8s-openapi_v1-36_kube-apiserver-v1.36-control-plane.json'), names);
  assert.ok(typeof pod !== 'string');
  assert.deepEqual(Object.keys(pod).sort(), [
    'created',
    'deleting',
    'hosts',
    'ip',
    'name',
    'namespace',
    'paths',
    'phase',
    'ready',
    'uid',
  ]);
  assert.equal(pod.hosts, null);
});

test('malformed objects are refused with a reason, never thrown', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /metadata.name/],
    ['array', [], /metadata.name/],
    ['no metadata', { kind: 'Pod' }, /metadata.name/],
    ['no namespace', { metadata: { name: 'a' } }, /namespace/],
    ['name not a string', { metadata: { name: 5, namespace: 'x' } }, /metadata.name/],
  ];
  for (const [name, raw, reason] of cases) {
    const result = projectPod(raw, names);
    assert.equal(typeof result, 'string', name);
    assert.match(result as string, reason, name);
  }
});

test('odd field types degrade safely: no IP, not ready, newest', () => {
  const pod = projectPod(
    {
      metadata: { name: 'a', namespace: 'b', creationTimestamp: 'yesterday', annotations: { trafficHosts: 7 } },
      status: { podIP: 5, conditions: 'x' },
    },
    names,
  );
  assert.ok(typeof pod !== 'string');
  assert.equal(pod.ip, null);
  assert.equal(pod.ready, false);
  assert.equal(pod.hosts, null);
  assert.equal(pod.created, Number.MAX_SAFE_INTEGER);
});

test('samePod ignores everything routing does not read (status churn costs no render)', () => {
  const raw = withRouting(
    realJson('pods/k9s_nginx-7fb78fb6d8-2w75j.json'),
    {},
    { trafficHosts: 'a.com', publicPaths: '80:/' },
  );
  const again = structuredClone(raw) as { metadata: { resourceVersion: string }; status: { startTime: string } };
  again.metadata.resourceVersion = '99999999';
  again.status.startTime = '2030-01-01T00:00:00Z';
  const a = projectPod(raw, names);
  const b = projectPod(again, names);
  assert.ok(typeof a !== 'string' && typeof b !== 'string');
  assert.equal(samePod(a, b), true);
  assert.equal(samePod(a, { ...b, ready: false }), false);
});
