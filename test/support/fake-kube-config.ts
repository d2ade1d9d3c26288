/** A KubeConfig for the real `@kubernetes/client-node` pointed at a fake API server. */
import { KubeConfig } from '@kubernetes/client-node';

/** Builds a KubeConfig for a plain-HTTP server URL (the client refuses `http:` unless `skipTLSVerify` is set). */
export function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kc;
}
