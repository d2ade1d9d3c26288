// Drives the real `run`/`record` pipeline in-process against the fake API server and reads what it prints.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Subject } from 'rxjs';
import { record$ } from '../../src/commands/record.js';
import { run$ } from '../../src/commands/run.js';
import { parseInvocation } from '../../src/settings.js';
import type { RestartCause } from '../../src/streams/kube-event.js';
import type { FakeApiServer } from './fake-api-server.js';
import { buildPod, type FakePod } from './fake-pods.js';
import { httpGet, waitFor as waitForAsync } from './http-probe.js';
import { captureLogs, eventually } from './log-capture.js';
import { freePort } from './nginx-processes.js';
import { parseExposition, valueOf } from './prom-text.js';
import { replayCapture } from './replay.js';

/** Short timings so faults heal within a second or two. */
export const FAST_ARGS = ['--window', '200', '--watch-timeout', '3', '--idle-timeout', '1'] as const;
/** Settings of `run` only: no admin port (tests that need it pick a free one). */
export const RUN_ARGS = ['--http-port', '0'] as const;
/** Backoff for tests: quick, but still growing and jittered. */
export const FAST_BACKOFF = { initialMs: 50, maxMs: 400, resetAfterMs: 1000, jitter: 0.5 };

/** Returns a debug-level logger with the program's format whose JSON lines are kept for assertions. */
export const capturingLogger = (): ReturnType<typeof captureLogs> => captureLogs('debug');

/** Polls `check` every 10 ms until it holds, failing after a generous deadline. */
export const waitFor = eventually;

/** Builds a routed pod: label microservice=true, host `<name>.test`, one path. */
export function microservice(name: string, namespace = 'default', path = '/'): FakePod {
  return buildPod({
    name,
    namespace,
    labels: { microservice: 'true' },
    annotations: { trafficHosts: `${name}.test`, publicPaths: `8080:${path}` },
  });
}

/** Splits printed output into config texts (header lines removed). */
export function configsIn(output: string): string[] {
  return output.split(/^# config \d+[^\n]*\n/m).slice(1);
}

/** A live run in progress. */
export interface LiveRun {
  /** Everything printed so far. */
  readonly output: () => string;
  /** The configs printed so far, without headers. */
  readonly configs: () => string[];
  readonly logs: Record<string, unknown>[];
  readonly restarts: RestartCause[];
  /** Stops like SIGTERM does and resolves with the exit status. */
  readonly stop: () => Promise<number>;
}

/** A live `run` whose admin port serves /metrics, read through `sample`. */
export interface ObservedRun extends LiveRun {
  /** Scrapes /metrics and returns one sample's value (0 when absent). */
  readonly sample: (name: string, labels?: Readonly<Record<string, string>>) => Promise<number>;
  /**
   * Resolves once the pipeline has folded a batch past `batches` (a count read before a change): the window holding
   * the change has closed, so whatever it would print has been printed (the stdout sink writes synchronously).
   */
  readonly batchedPast: (batches: number) => Promise<void>;
}

/** The counter of non-empty batches folded into the routing state. */
export const BATCHES = 'k8s_pods_ingress_batches_total';

/** Starts `run` (or `record`) in-process against the fake server with short timings. */
export function startLive(
  fake: FakeApiServer,
  args: readonly string[] = [],
  command: 'run' | 'record' = 'run',
): LiveRun {
  return launch(fake, [...(command === 'run' ? RUN_ARGS : []), ...args], command);
}

/** Starts `run` in-process like `startLive`, with the admin port on a free loopback port. */
export async function startObservedLive(fake: FakeApiServer, args: readonly string[] = []): Promise<ObservedRun> {
  const port = await freePort();
  const live = launch(fake, ['--http-port', String(port), '--http-address', '127.0.0.1', ...args], 'run');
  const sample = async (name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> => {
    const answer = await httpGet(port, '127.0.0.1', '/metrics', { timeoutMs: 5_000 });
    return valueOf(parseExposition(answer.body), name, labels) ?? 0;
  };
  const batchedPast = async (batches: number): Promise<void> => {
    await waitForAsync(`a batch past ${batches}`, async () => (await sample(BATCHES)) > batches);
  };
  await waitForAsync('the admin port', () =>
    sample(BATCHES).then(
      () => true,
      () => false,
    ),
  );
  return { ...live, sample, batchedPast };
}

function launch(fake: FakeApiServer, args: readonly string[], command: 'run' | 'record'): LiveRun {
  // Static backends unless asked otherwise: these tests compare whole printed configs with fresh renders (the
  // source's faithfulness); the members view of dynamic mode is covered by the replay and golden tests.
  const { settings } = parseInvocation([command, ...FAST_ARGS, '--backends', 'static', ...args], {
    KUBE_HOST: fake.url,
  });
  const { logger, lines } = capturingLogger();
  let output = '';
  const stdout = { write: (text: string) => (output += text) };
  const stop$ = new Subject<void>();
  const restarts: RestartCause[] = [];
  const options = { backoff: FAST_BACKOFF, hooks: { restarted: (cause: RestartCause) => void restarts.push(cause) } };
  const done = lastValueFrom(
    command === 'run'
      ? run$({ settings, logger, io: { stdout }, stop$, options })
      : record$({ settings, logger, io: { stdout }, stop$, options }),
  );
  done.catch(() => {});
  return {
    output: () => output,
    configs: () => configsIn(output),
    logs: lines,
    restarts,
    stop: async () => {
      stop$.next();
      return done;
    },
  };
}

/** Lists the fake server's matching pods (all, or the given namespaces) as one PodList, the way a fresh list would. */
export async function freshList(
  fake: FakeApiServer,
  namespaces: readonly string[] = [],
): Promise<{ items: unknown[] }> {
  const paths = namespaces.length === 0 ? ['/api/v1/pods'] : namespaces.map((ns) => `/api/v1/namespaces/${ns}/pods`);
  const items: unknown[] = [];
  for (const path of paths) {
    const url = `${fake.url}${path}?labelSelector=${encodeURIComponent('microservice=true')}`;
    // A fresh connection each time (tests drop sockets), and past any injected failures.
    let response = await fetch(url, { headers: { connection: 'close' } });
    for (let attempt = 0; response.status !== 200 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      response = await fetch(url, { headers: { connection: 'close' } });
    }
    items.push(...((await response.json()) as { items: unknown[] }).items);
  }
  return { items };
}

/** Returns what `replay` prints for a recording file, with the given flags. */
export async function replayText(file: string, args: readonly string[] = []): Promise<string> {
  return (await replayCapture(file, args)).stdout;
}

/** Returns the config `replay --last` renders from a PodList of the fake server's current pods. */
export async function freshConfig(fake: FakeApiServer, namespaces: readonly string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fresh-list-'));
  try {
    const file = join(dir, 'list.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ kind: 'PodList', apiVersion: 'v1', ...(await freshList(fake, namespaces)) })}\n`,
    );
    return await replayText(file, ['--last', '--backends', 'static']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until the last printed config equals what a fresh list gives, and returns how many configs were printed. */
export async function convergence(
  live: LiveRun,
  fake: FakeApiServer,
  namespaces: readonly string[] = [],
): Promise<number> {
  const expected = await freshConfig(fake, namespaces);
  await waitFor(() => live.configs().at(-1) === expected, 'the printed config to match a fresh list');
  return live.configs().length;
}

/** Fails if two consecutive printed configs are the same (state that did not change was printed again). */
export function assertNoRepeats(live: LiveRun): void {
  const configs = live.configs();
  for (let i = 1; i < configs.length; i++) {
    if (configs[i] === configs[i - 1]) throw new Error(`config ${i + 1} repeats config ${i}`);
  }
}
