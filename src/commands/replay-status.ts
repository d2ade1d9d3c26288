// What `replay --status` and `replay --explain` print once the file has been replayed: the final status document,
// or one pod's explanation (an unknown pod is a usage error, exit 2, naming the pods it could have meant).
import type { OwnershipPolicy } from '../model/ownership.js';
import { buildRoutingTable } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { SettingsError, type Settings } from '../settings.js';
import { buildStatus } from '../status/build-status.js';
import { closestPods, explainPod } from '../status/explain-pod.js';
import { quoteValue } from '../status/safe-text.js';
import type { AppliedFacts } from '../status/status-report.js';

/** What the replay ends with when it prints the status instead of configs. */
export interface StatusOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: 0 | 2;
}

/** Tells whether the settings ask for the status or an explanation; refuses them combined with each other or with config output. */
export function wantsStatus(settings: Settings): boolean {
  const status = settings.status || settings.explain !== null;
  if (settings.status && settings.explain !== null)
    throw new SettingsError('--status and --explain cannot be used together; pick one');
  if (status && (settings.last || settings.outDir !== null)) {
    throw new SettingsError(
      `${settings.status ? '--status' : '--explain'} prints instead of the configs; drop --last and --out`,
    );
  }
  return status;
}

/**
 * Builds the final status of a replay: the state behind the last config, and as applied facts that config's hash
 * and the number of distinct configs (no wall time, reloads or pushes: nothing was applied).
 */
export function replayStatusOutput(
  state: RoutingState,
  lastHash: string | null,
  configs: number,
  settings: Settings,
  file: string,
): StatusOutput {
  const policy: OwnershipPolicy = settings.ownership;
  const facts: AppliedFacts = { hash: lastHash, appliedAt: null, configs, reloads: null, pushes: null, failed: null };
  const report = buildStatus(state, buildRoutingTable(state, policy), facts, { policy, wallClock: false });
  if (settings.explain === null) return { stdout: `${JSON.stringify(report, null, 2)}\n`, stderr: '', exit: 0 };
  const key = settings.explain;
  const text = explainPod(report, key);
  if (text !== null) return { stdout: text, stderr: '', exit: 0 };
  const shown = /^[\x21-\x7e]+$/.test(key) ? key : quoteValue(key);
  const near = closestPods(report, key);
  const hint =
    near.length > 0
      ? `did you mean ${near.join(', ')}?`
      : report.pods.length === 0
        ? `no pod in it matches the selector ${settings.selector.text}`
        : `its pods include ${report.pods
            .slice(0, 5)
            .map((pod) => `${pod.namespace}/${pod.name}`)
            .join(', ')}`;
  return {
    stdout: '',
    stderr: `k8s-pods-ingress: no pod ${shown} in ${file} (${report.pods.length} matched the selector); ${hint}\n`,
    exit: 2,
  };
}
