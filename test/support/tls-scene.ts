// The scene of the TLS end-to-end tests: a CA made with openssl, the fake API server, backends as pods, and the real
// `run` with the nginx sink serving HTTP and HTTPS on free loopback ports.
import { X509Certificate } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { FakePod } from './fake-pods.js';
import { buildPod } from './fake-pods.js';
import { makeCa, type TestCa } from './certificates.js';
import { freePort } from './nginx-processes.js';
import { startRun, startScene, type RunningController, type Scene } from './run-harness.js';

/** A scene with TLS: the CA, the HTTPS port, and a started controller. */
export interface TlsScene extends Scene {
  readonly ca: TestCa;
  readonly httpsPort: number;
  readonly run: RunningController;
}

/** Starts backends, the fake server (with `prepare` run before the controller starts) and `run` with HTTPS on. */
export async function startTlsScene(
  t: TestContext,
  names: readonly string[],
  prepare: (scene: Scene & { ca: TestCa }) => void,
  args: readonly string[] = [],
): Promise<TlsScene> {
  const scene = await startScene(t, names);
  const ca = makeCa();
  scene.cleanup(() => ca.dispose());
  prepare({ ...scene, ca });
  const httpsPort = await freePort();
  const run = await startRun(scene.fake, { args: ['--https-port', String(httpsPort), ...args] });
  scene.cleanup(() => run.stop());
  return { ...scene, ca, httpsPort, run };
}

/** A routed pod on a backend's loopback address, in a namespace, naming a TLS Secret (or none). */
export function tlsPod(
  scene: Scene,
  options: {
    name: string;
    namespace?: string;
    backend?: string;
    hosts: string;
    path?: string;
    tlsSecret?: string;
    created?: string;
  },
): FakePod {
  const backend = scene.backends.byName(options.backend ?? options.name);
  const annotations: Record<string, string> = {
    trafficHosts: options.hosts,
    publicPaths: `${scene.backends.port}:${options.path ?? '/'}`,
  };
  if (options.tlsSecret !== undefined) annotations['tlsSecret'] = options.tlsSecret;
  return buildPod({
    name: options.name,
    namespace: options.namespace ?? 'default',
    podIP: backend.ip,
    labels: { microservice: 'true' },
    annotations,
    ...(options.created === undefined ? {} : { creationTimestamp: options.created }),
  });
}

/** Returns the SHA-256 fingerprint of a PEM certificate as node's TLS sockets report it. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
