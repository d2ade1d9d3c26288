import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  isInCluster,
  KubeConfigError,
  loadKubeConfig,
  type KubeEnvironment,
} from '../../src/streams/load-kube-config.js';

const TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const nowhere: KubeEnvironment = { env: {}, fileExists: () => false, home: '/nonexistent' };
const inPod: KubeEnvironment = {
  env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
  fileExists: (path) => path === TOKEN,
  home: '/nonexistent',
};

describe('loadKubeConfig', () => {
  it('uses KUBE_HOST first, as a plain URL (http allowed), even inside a cluster', () => {
    const access = loadKubeConfig('http://127.0.0.1:8080', inPod);
    assert.equal(access.origin, 'KUBE_HOST');
    assert.equal(access.server, 'http://127.0.0.1:8080');
    assert.equal(access.config.getCurrentCluster()?.skipTLSVerify, true);
  });

  it('keeps TLS verification for an https KUBE_HOST', () => {
    assert.equal(
      loadKubeConfig('https://api.example.com:6443', nowhere).config.getCurrentCluster()?.skipTLSVerify,
      false,
    );
  });

  it('uses the service account inside a cluster', () => {
    const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    process.env['KUBERNETES_SERVICE_HOST'] = '10.96.0.1';
    process.env['KUBERNETES_SERVICE_PORT'] = '443';
    try {
      assert.equal(isInCluster(inPod), true);
      const access = loadKubeConfig(null, inPod);
      assert.deepEqual([access.origin, access.server], ['in-cluster', 'https://10.96.0.1:443']);
    } finally {
      for (const [key, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('reads a kubeconfig outside a cluster', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        'clusters: [{name: k, cluster: {server: "https://10.1.2.3:6443/"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
      ].join('\n'),
    );
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = file;
    try {
      const access = loadKubeConfig(null, { env: { KUBECONFIG: file }, fileExists: () => false, home: '/nonexistent' });
      assert.deepEqual([access.origin, access.server], ['kubeconfig', 'https://10.1.2.3:6443']);
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what to set when nothing is configured', () => {
    assert.throws(
      () => loadKubeConfig(null, nowhere),
      (error: unknown) => error instanceof KubeConfigError && /KUBE_HOST/.test(error.message),
    );
  });
});
