// How the controller finds the API server, in the order the original project and the README promise:
// KUBE_HOST (a plain URL), then the in-cluster service account, then a kubeconfig file.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** No way to reach an API server was found (exit 2: the user has to point us at one). */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

/** Where the configuration came from. */
export type KubeOrigin = 'KUBE_HOST' | 'in-cluster' | 'kubeconfig';

/** An API server and the client configuration (auth, TLS, proxy) used to reach it. */
export interface ClusterAccess {
  readonly config: KubeConfig;
  /** Base URL of the API server, without a trailing slash (it may carry a path prefix). */
  readonly server: string;
  readonly origin: KubeOrigin;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** What the lookup reads from the machine; tests pass their own. */
export interface KubeEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fileExists: (path: string) => boolean;
  readonly home: string;
}

const MACHINE: KubeEnvironment = { env: process.env, fileExists: existsSync, home: homedir() };

/** Tells whether this process runs in a pod with a service account (the API's env variables and token are there). */
export function isInCluster(machine: KubeEnvironment = MACHINE): boolean {
  return (machine.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && machine.fileExists(SERVICE_ACCOUNT_TOKEN);
}

/** Loads the client configuration: `kubeHost` if given, else the in-cluster service account, else a kubeconfig. */
export function loadKubeConfig(kubeHost: string | null, machine: KubeEnvironment = MACHINE): ClusterAccess {
  const config = new KubeConfig();
  let origin: KubeOrigin;
  try {
    if (kubeHost !== null) {
      // The client refuses http: unless TLS verification is "skipped"; a plain URL has no TLS to verify.
      const cluster = { name: 'kube-host', server: kubeHost, skipTLSVerify: kubeHost.startsWith('http:') };
      config.loadFromClusterAndUser(cluster, { name: 'anonymous' });
      origin = 'KUBE_HOST';
    } else if (isInCluster(machine)) {
      config.loadFromCluster();
      origin = 'in-cluster';
    } else if (hasKubeconfig(machine)) {
      config.loadFromDefault();
      allowPlainHttp(config);
      origin = 'kubeconfig';
    } else {
      throw new KubeConfigError(
        'no Kubernetes API configured: set KUBE_HOST (e.g. http://127.0.0.1:8080 with `kubectl proxy --port 8080`), ' +
          'run in a cluster with a service account, or provide a kubeconfig (KUBECONFIG or ~/.kube/config)',
      );
    }
  } catch (error) {
    if (error instanceof KubeConfigError) throw error;
    throw new KubeConfigError(`cannot load the Kubernetes configuration: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const server = config.getCurrentCluster()?.server;
  if (server === undefined || server === '')
    throw new KubeConfigError(`the ${origin} configuration names no API server`);
  return { config, server: server.replace(/\/+$/, ''), origin };
}

// kubectl accepts a kubeconfig whose server is http://…; the client refuses it ("HTTP protocol is not allowed when
// skipTLSVerify is not set") unless TLS verification is marked skipped, which on a plain connection skips nothing.
function allowPlainHttp(config: KubeConfig): void {
  const current = config.getCurrentCluster();
  if (current === null || !current.server.startsWith('http:') || current.skipTLSVerify) return;
  config.loadFromOptions({
    clusters: config.clusters.map((cluster) =>
      cluster.name === current.name ? { ...cluster, skipTLSVerify: true } : cluster,
    ),
    users: config.users,
    contexts: config.contexts,
    currentContext: config.currentContext,
  });
}

function hasKubeconfig(machine: KubeEnvironment): boolean {
  const listed = (machine.env['KUBECONFIG'] ?? '').split(':').filter((path) => path !== '');
  return listed.length > 0 || machine.fileExists(join(machine.home, '.kube', 'config'));
}
