// The real `run` command (stdout sink) against the fake API server, with its admin port on 127.0.0.1, so the status
// endpoints and the page are tested on the state a real pipeline builds from real-looking pods.
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { FakeApiServer } from './fake-api-server.js';
import type { FakePod } from './fake-pods.js';
import { waitFor } from './http-probe.js';
import { startLive, type LiveRun } from './live-harness.js';
import { freePort } from './nginx-processes.js';

/** The example `kubectl get pods -A -o json` output: a namespace with good, rolling, terminating and hostile pods. */
export const SHOP_PODS = 'examples/shop-pods.json';

/** A running controller whose admin port serves /status and the page. */
export interface StatusRun {
  readonly fake: FakeApiServer;
  readonly live: LiveRun;
  /** Base URL of the admin port, e.g. http://127.0.0.1:41234. */
  readonly url: string;
}

/** Reads the pods of a kubectl List file. */
export function podsOf(file: string): FakePod[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { items: FakePod[] }).items;
}

/** Starts the fake cluster with `pods` and `run` against it; waits until a config is in force; stops both after the test. */
export async function startStatusRun(
  t: TestContext,
  pods: readonly FakePod[],
  args: readonly string[] = [],
): Promise<StatusRun> {
  const fake = await FakeApiServer.start();
  for (const pod of pods) fake.addPod(structuredClone(pod));
  const port = await freePort();
  const live = startLive(fake, [
    '--sink',
    'stdout',
    '--http-port',
    String(port),
    '--http-address',
    '127.0.0.1',
    ...args,
  ]);
  t.after(async () => {
    await live.stop();
    await fake.stop();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'a config in force on /status',
    async () => {
      const response = await fetch(`${url}/status`);
      return response.ok && ((await response.json()) as { config: { hash: string | null } }).config.hash !== null;
    },
    30_000,
  );
  return { fake, live, url };
}
