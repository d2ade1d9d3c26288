// Reload economy: 500 pod events a second for 30 s against the fake API server while the controller (`run --sink
// nginx`, a child process) serves a generated cluster. Most events are status churn that changes no routing; in about
// half the batching windows a few events do change it (readiness flips, scale up, the start of a scale down). Each
// reload is traced back to the window whose batch produced it. Prints the figures and writes them as JSON to
// bench/results/.
//
//   npx tsx bench/reload-economy.ts [--pods 1000] [--rate 500] [--seconds 30] [--window 1000] [--changing 0.5]
//                                   [--cpu-prof true]
// Targets: at most one reload per window, none for a window whose events change nothing. Routing changes are made
// only in the middle 40% of a window (the windows run on a drift-free grid from the pipeline's start, read from the
// controller's log), so no change can fall on the other side of an edge.
import { setTimeout as sleep } from 'node:timers/promises';
import { requireNginx } from '../test/support/nginx-check.js';
import { random } from './cluster.js';
import { appliesIn, type Apply } from './support-applies.js';
import { Churn, type RoutingChange } from './support-churn.js';
import { loggedAt, startController, type Controller } from './support-controller.js';
import { clusterFakePods, startFakeCluster } from './support-fake-cluster.js';
import { option, percentile, writeResult } from './report.js';
import { commandLine, loadNow, round } from './support-report.js';

const settings = {
  pods: option('pods', 1000),
  rate: option('rate', 500),
  seconds: option('seconds', 30),
  windowMs: option('window', 1000),
  changing: Math.min(1, option('changing', 0.5)),
  cpuProf: option('cpu-prof', 0) === 1,
};
const METRICS = ['batches_total', 'configs_rendered_total', 'configs_unchanged_total'] as const;

/** One window of the run: its start, and when its routing changes are due (none for a routing-neutral window). */
interface Window {
  readonly start: number;
  readonly changesAt: readonly number[];
  /** In a neutral window: when a pod that began terminating earlier is deleted (a state change, the same config). */
  readonly finishAt: number | null;
}

/** What was sent. */
interface Sent {
  neutral: number;
  terminationsFinished: number;
  routing: Record<RoutingChange, number>;
}

/**
 * Plans the windows: about `changing` of them get 1-3 routing changes, in their middle 40%; the others get, at
 * their middle, the final deletion of a pod whose scale down began in an earlier window (when there is one).
 */
function plan(firstStart: number, next: () => number): Window[] {
  const w = settings.windowMs;
  return Array.from({ length: Math.floor((settings.seconds * 1000) / w) }, (_, k) => {
    const start = firstStart + k * w;
    const count = next() < settings.changing ? 1 + Math.floor(next() * 3) : 0;
    const changesAt = Array.from({ length: count }, () => start + w * (0.3 + 0.4 * next())).sort((a, b) => a - b);
    return { start, changesAt, finishAt: count === 0 ? start + w / 2 : null };
  });
}

/** Sends `rate` events a second until the last window ends: routing changes when due, status churn for the rest. */
async function load(churn: Churn, windows: readonly Window[]): Promise<Sent> {
  const sent: Sent = {
    neutral: 0,
    terminationsFinished: 0,
    routing: { 'readiness flip': 0, 'scale up': 0, 'scale down': 0 },
  };
  const first = windows[0]!.start;
  const end = first + windows.length * settings.windowMs;
  const pending = windows.flatMap((window) => window.changesAt);
  const finishing = windows.flatMap((window) => (window.finishAt === null ? [] : [window.finishAt]));
  let current = -1;
  let total = 0;
  for (let now = Date.now(); now < end; now = Date.now()) {
    const index = Math.floor((now - first) / settings.windowMs);
    if (index !== current) {
      current = index;
      churn.newWindow();
    }
    for (; pending.length > 0 && pending[0]! <= now; total++) {
      pending.shift();
      sent.routing[churn.routingChange()]++;
    }
    if (finishing.length > 0 && finishing[0]! <= now) {
      finishing.shift();
      if (churn.finishTermination()) {
        sent.terminationsFinished++;
        total++;
      }
    }
    for (const due = Math.floor(((now - first) * settings.rate) / 1000); total < due; total++) {
      churn.statusChurn();
      sent.neutral++;
    }
    await sleep(5);
  }
  return sent;
}

/**
 * Traces each reload to the window whose batch produced it: the window that had just closed when the apply began,
 * or, for an apply that waited for the previous one (latest wins), the latest window with routing changes that had
 * closed by then. Returns the reloads per window.
 */
function attribute(
  reloads: readonly Apply[],
  windows: readonly Window[],
): { perWindow: number[]; queued: number; outside: number } {
  const first = windows[0]!.start;
  const perWindow = windows.map(() => 0);
  let queued = 0;
  let outside = 0;
  let previous: { source: number; appliedAt: number } = { source: -1, appliedAt: -Infinity };
  for (const reload of reloads) {
    const closed = Math.floor((reload.startedAt - first) / settings.windowMs) - 1;
    let source = closed;
    if (reload.startedAt - previous.appliedAt < 20) {
      queued++;
      for (let k = closed; k > previous.source; k--) {
        if ((windows[k]?.changesAt.length ?? 0) > 0) {
          source = k;
          break;
        }
      }
    }
    if (source >= 0 && source < windows.length) perWindow[source]!++;
    else outside++;
    previous = { source, appliedAt: reload.appliedAt };
  }
  return { perWindow, queued, outside };
}

async function counters(controller: Controller): Promise<Record<string, number>> {
  const read = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    (await controller.metric(`k8s_pods_ingress_${name}`, labels)) ?? 0;
  const values: Record<string, number> = { reloads: await read('nginx_reloads_total', { result: 'success' }) };
  for (const name of METRICS) values[name] = await read(name);
  for (const type of ['ADDED', 'MODIFIED', 'DELETED'])
    values[`events_${type}`] = await read('pod_events_total', { type });
  return values;
}

async function main(): Promise<void> {
  requireNginx();
  const pods = clusterFakePods(settings.pods);
  const fake = await startFakeCluster(pods);
  let controller: Controller | null = null;
  try {
    controller = await startController({
      kubeHost: fake.url,
      windowMs: settings.windowMs,
      nodeArgs: settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', 'bench/results/profiles'] : [],
    });
    await controller.waitForLog((fields) => fields['message'] === 'nginx config applied');
    // The pipeline's windows start when it subscribes ("watching pods") and follow a drift-free grid from there.
    const origin = loggedAt(await controller.waitForLog((fields) => fields['message'] === 'watching pods'));
    const firstStart = origin + Math.ceil((Date.now() + 500 - origin) / settings.windowMs) * settings.windowMs;
    const next = random(11);
    const windows = plan(firstStart, next);
    const before = await counters(controller);
    const cpuBefore = controller.cpuSeconds();
    const loadBefore = loadNow();
    await sleep(firstStart - Date.now());
    const sent = await load(new Churn(fake, pods, next), windows);
    const cpuSeconds = controller.cpuSeconds() - cpuBefore;
    // Let the last window close and its config be applied.
    await sleep(2 * settings.windowMs + 3000);
    const after = await counters(controller);
    const reloads = appliesIn(controller.logs).filter(
      (apply) => apply.action === 'reloaded' && apply.startedAt >= firstStart,
    );
    const stopped = await controller.stop();
    controller = null;
    report({
      windows,
      sent,
      reloads,
      delta: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)])),
      cpuSeconds,
      loadBefore,
      stopped,
    });
  } finally {
    await controller?.stop();
    await fake.stop();
  }
}

interface Measured {
  readonly windows: readonly Window[];
  readonly sent: Sent;
  readonly reloads: readonly Apply[];
  readonly delta: Readonly<Record<string, number>>;
  readonly cpuSeconds: number;
  readonly loadBefore: readonly number[];
  readonly stopped: { readonly code: number | null; readonly nginxLeft: number };
}

function report(m: Measured): void {
  const { perWindow, queued, outside } = attribute(m.reloads, m.windows);
  const changing = m.windows.map((window) => window.changesAt.length > 0);
  const neutralReloads = perWindow.reduce((sum, count, k) => sum + (changing[k] ? 0 : count), 0);
  const routingEvents = Object.values(m.sent.routing).reduce((a, b) => a + b, 0);
  const events = m.sent.neutral + m.sent.terminationsFinished + routingEvents;
  const durations = m.reloads.map((reload) => reload.durationMs);
  const result = {
    command: commandLine('reload-economy'),
    settings,
    loadBefore: m.loadBefore,
    windows: m.windows.length,
    changingWindows: changing.filter(Boolean).length,
    neutralWindows: changing.filter((c) => !c).length,
    eventsSent: events,
    eventsPerSecond: round(events / settings.seconds),
    sent: m.sent,
    eventsReceived: {
      ADDED: m.delta['events_ADDED'],
      MODIFIED: m.delta['events_MODIFIED'],
      DELETED: m.delta['events_DELETED'],
    },
    batches: m.delta['batches_total'],
    configsRendered: m.delta['configs_rendered_total'],
    configsUnchanged: m.delta['configs_unchanged_total'],
    reloads: m.delta['reloads'],
    reloadsPerWindow: round((m.delta['reloads'] ?? 0) / m.windows.length),
    maxReloadsInAWindow: Math.max(0, ...perWindow),
    reloadsInNeutralWindows: neutralReloads,
    changingWindowsWithoutReload: perWindow.filter((count, k) => changing[k] && count === 0).length,
    reloadsThatWaitedForThePrevious: queued,
    reloadsOutsideTheRun: outside,
    applyMs:
      durations.length === 0
        ? null
        : {
            p50: round(percentile(durations, 50)),
            p99: round(percentile(durations, 99)),
            max: round(Math.max(...durations)),
          },
    controllerCpuPercent: round((100 * m.cpuSeconds) / settings.seconds),
    exitCode: m.stopped.code,
    nginxProcessesLeft: m.stopped.nginxLeft,
  };
  const file = writeResult('reload-economy', result);
  process.stdout.write(
    `pods=${settings.pods} window_ms=${settings.windowMs} seconds=${settings.seconds} load_before=${m.loadBefore.join('/')} load_after=${loadNow().join('/')}\n` +
      `events_sent=${events} (${result.eventsPerSecond}/s: neutral=${m.sent.neutral} terminations_finished=${m.sent.terminationsFinished} ` +
      `routing=${JSON.stringify(m.sent.routing)}) received=${JSON.stringify(result.eventsReceived)}\n` +
      `windows=${result.windows} changing=${result.changingWindows} neutral=${result.neutralWindows} batches=${String(result.batches)} ` +
      `rendered=${String(result.configsRendered)} unchanged=${String(result.configsUnchanged)}\n` +
      `reloads=${String(result.reloads)} reloads_per_window=${result.reloadsPerWindow} max_in_a_window=${result.maxReloadsInAWindow} ` +
      `in_neutral_windows=${neutralReloads} changing_windows_without_reload=${result.changingWindowsWithoutReload} ` +
      `waited_for_previous=${queued} outside=${outside}\n` +
      `apply_ms p50=${result.applyMs?.p50 ?? '-'} p99=${result.applyMs?.p99 ?? '-'} max=${result.applyMs?.max ?? '-'} controller_cpu=${result.controllerCpuPercent}%\n` +
      `exit_code=${String(m.stopped.code)} nginx_processes_left=${m.stopped.nginxLeft}\nwrote ${file}\n`,
  );
  if (m.stopped.nginxLeft > 0 || m.stopped.code !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`reload-economy: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
