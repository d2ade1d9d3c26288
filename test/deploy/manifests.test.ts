// Every manifest we ship is checked against the Kubernetes API schemas, deploy/ is checked to be one consistent
// kustomization, and the RBAC is checked to be exactly the least privilege the controller needs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IClusterRole, IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IReplicationController } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { loadManifests, schemaProblems, type Manifest } from '../support/manifests.js';
import { kustomize } from '../support/kustomize.js';
import { onlyObject, podTemplate } from '../support/pod-spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deployFiles = readdirSync(`${root}deploy`)
  .filter((file) => file !== 'kustomization.yaml')
  .sort();
const deploy: Manifest[] = deployFiles.flatMap((file) => loadManifests(`${root}deploy/${file}`));
const shipped: Manifest[] = [
  ...deploy,
  ...loadManifests(`${root}deploy-deployment/deployment.yaml`),
  ...loadManifests(`${root}demo/rc.yaml`),
];
const NAMESPACE = 'k8s-pods-ingress';
// Kinds that live outside any namespace; every other kind we ship is namespaced.
const CLUSTER_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

test('every manifest matches the Kubernetes API schema of its kind', async (t) => {
  assert.ok(
    deployFiles.every((file) => file.endsWith('.yaml')),
    `deploy/ holds only YAML: ${deployFiles.join(', ')}`,
  );
  for (const { file, object } of shipped) {
    await t.test(`${file.slice(root.length)}: ${object.kind} ${object.metadata.name}`, async () => {
      assert.deepEqual(await schemaProblems(object), []);
    });
  }
});

test('the schema check rejects a misspelt field, a wrong type and an unknown kind', async () => {
  const rc = structuredClone(onlyObject<IReplicationController>(deploy, 'ReplicationController'));
  const container = podTemplate(rc).container as unknown as Record<string, unknown>;
  container['readinesProbe'] = container['readinessProbe'];
  (podTemplate(rc).spec as unknown as Record<string, unknown>)['terminationGracePeriodSeconds'] = '60';
  const problems = await schemaProblems(rc as never);
  assert.ok(
    problems.some((problem) => problem.includes('unknown field "readinesProbe"')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((problem) => problem.includes('terminationGracePeriodSeconds must be integer')),
    problems.join('\n'),
  );
  const typo = await schemaProblems({ apiVersion: 'v1', kind: 'ReplicationControler', metadata: { name: 'x' } });
  assert.deepEqual(typo, ['kubernetes-models has no ReplicationControler in v1']);
});

test('the kustomization lists exactly the manifests in deploy/ and overrides the image the controller runs', () => {
  const kustomization = parse(readFileSync(`${root}deploy/kustomization.yaml`, 'utf8')) as {
    apiVersion: string;
    kind: string;
    resources: string[];
    images: { name: string; newName: string; newTag: string }[];
  };
  assert.equal(kustomization.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  assert.equal(kustomization.kind, 'Kustomization');
  assert.deepEqual([...kustomization.resources].sort(), deployFiles);
  assert.equal(new Set(kustomization.resources).size, kustomization.resources.length, 'a resource is listed twice');
  const image = podTemplate(onlyObject<IReplicationController>(deploy, 'ReplicationController')).container.image ?? '';
  const [imageName] = image.split(':');
  assert.deepEqual(
    kustomization.images.map((entry) => entry.name),
    [imageName],
  );
  const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
  assert.equal(image, `${imageName}:${version}`, 'the manifest image is tagged with the package version');
  assert.equal(kustomization.images[0]!.newTag, version);
});

test('every object in deploy/ is unique and lives in the namespace deploy/ creates', () => {
  assert.equal(onlyObject<{ metadata: { name: string } }>(deploy, 'Namespace').metadata.name, NAMESPACE);
  const keys = deploy.map(({ object }) => `${object.kind}/${object.metadata.name}`);
  assert.equal(new Set(keys).size, keys.length, `duplicate objects: ${keys.join(', ')}`);
  for (const { file, object } of deploy) {
    const expected = CLUSTER_KINDS.has(object.kind) ? undefined : NAMESPACE;
    assert.equal(object.metadata.namespace, expected, `${file}: ${object.kind} ${object.metadata.name}`);
  }
});

test('the ClusterRole grants exactly get/list/watch on pods and Secrets and create/patch on core events', () => {
  const role = onlyObject<IClusterRole>(deploy, 'ClusterRole');
  assert.equal(role.aggregationRule, undefined);
  const rules = (role.rules ?? []).map((rule) => ({
    apiGroups: [...(rule.apiGroups ?? [])].sort(),
    resources: [...(rule.resources ?? [])].sort(),
    verbs: [...rule.verbs].sort(),
    resourceNames: rule.resourceNames,
    nonResourceURLs: rule.nonResourceURLs,
  }));
  assert.deepEqual(rules, [
    {
      apiGroups: [''],
      resources: ['pods'],
      verbs: ['get', 'list', 'watch'],
      resourceNames: undefined,
      nonResourceURLs: undefined,
    },
    {
      apiGroups: [''],
      resources: ['secrets'],
      verbs: ['get', 'list', 'watch'],
      resourceNames: undefined,
      nonResourceURLs: undefined,
    },
    {
      apiGroups: [''],
      resources: ['events'],
      verbs: ['create', 'patch'],
      resourceNames: undefined,
      nonResourceURLs: undefined,
    },
  ]);
  assert.ok(
    deploy.every(({ object }) => object.kind !== 'Role' && object.kind !== 'RoleBinding'),
    'no other grants',
  );
});

test('the ClusterRoleBinding gives that role to the ServiceAccount the controller pods run as', () => {
  const role = onlyObject<IClusterRole>(deploy, 'ClusterRole');
  const binding = onlyObject<IClusterRoleBinding>(deploy, 'ClusterRoleBinding');
  const account = onlyObject<{ metadata: { name: string; namespace: string } }>(deploy, 'ServiceAccount');
  assert.deepEqual(binding.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: role.metadata?.name,
  });
  assert.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
  ]);
  const pod = podTemplate(onlyObject<IReplicationController>(deploy, 'ReplicationController'));
  assert.equal(pod.spec.serviceAccountName, account.metadata.name);
  assert.notEqual(pod.spec.automountServiceAccountToken, false, 'the controller needs its token to watch pods');
});

test('deploy-deployment/ is deploy/ with a Deployment (rolling, surge 1, unavailable 0) in place of the ReplicationController', async (t) => {
  const base = kustomize(`${root}deploy`);
  const variant = kustomize(`${root}deploy-deployment`);
  const keys = (manifests: Manifest[]): string[] =>
    manifests.map(({ object }) => `${object.kind}/${object.metadata.name}`).sort();
  assert.deepEqual(keys(base), keys(deploy), 'deploy/kustomization.yaml builds exactly the files of deploy/');
  assert.deepEqual(
    keys(variant),
    keys(base)
      .map((key) => key.replace(/^ReplicationController\//, 'Deployment/'))
      .sort(),
  );
  for (const { file, object } of loadManifests(`${root}deploy-deployment/deployment.yaml`)) {
    await t.test(`${file.slice(root.length)}: ${object.kind} ${object.metadata.name}`, async () =>
      assert.deepEqual(await schemaProblems(object), []),
    );
  }
  const rc = onlyObject<IReplicationController>(base, 'ReplicationController');
  const deployment = onlyObject<IDeployment>(variant, 'Deployment');
  assert.deepEqual(deployment.spec?.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });
  assert.deepEqual(deployment.spec?.template, rc.spec?.template, 'the same pod template as the ReplicationController');
  assert.deepEqual(deployment.spec?.selector, { matchLabels: rc.spec?.selector });
  assert.equal(deployment.spec?.replicas, rc.spec?.replicas);
  assert.deepEqual(deployment.metadata, rc.metadata);
});
