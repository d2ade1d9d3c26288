// The controller's applies as its log tells them: when each began and ended, whether nginx was started or reloaded,
// and (with --log-level verbose, which forwards nginx's notices) when the master got the HUP and when it had parsed
// the new config ("start worker processes").
import { loggedAt, type LogLine } from './support-controller.js';

/** One config put in force, with times in ms since the epoch. */
export interface Apply {
  readonly action: 'started' | 'reloaded' | 'pushed';
  /** When the sink began: write, then `nginx -t`, then start or HUP. */
  readonly startedAt: number;
  /** When the sink logged it in force (nginx confirmed, or the confirmation timed out). */
  readonly appliedAt: number;
  readonly durationMs: number;
  /** When the master logged the HUP (null for a start, or without verbose logs). */
  readonly hangUpAt: number | null;
  /** When the master had parsed the config and started workers (null without verbose logs). */
  readonly workersAt: number | null;
}

/** Returns every successful apply in the log, in order. */
export function appliesIn(logs: readonly LogLine[]): Apply[] {
  const notices = logs.filter((line) => line.fields['nginx'] === 'notice');
  const firstNotice = (after: number, match: (message: string) => boolean): number | null => {
    const found = notices.find((line) => loggedAt(line) >= after && match(String(line.fields['message'])));
    return found === undefined ? null : loggedAt(found);
  };
  return logs.flatMap((line): Apply[] => {
    if (line.fields['message'] !== 'nginx config applied') return [];
    const durationMs = Number(line.fields['durationMs']);
    const appliedAt = loggedAt(line);
    const startedAt = appliedAt - durationMs;
    const action = line.fields['action'] === 'started' ? 'started' : 'reloaded';
    const hangUpAt =
      action === 'reloaded' ? firstNotice(startedAt, (message) => message.endsWith('reconfiguring')) : null;
    const workersAt = firstNotice(hangUpAt ?? startedAt, (message) => message === 'start worker processes');
    return [
      {
        action,
        startedAt,
        appliedAt,
        durationMs,
        hangUpAt: clip(hangUpAt, appliedAt),
        workersAt: clip(workersAt, appliedAt),
      },
    ];
  });
}

/** Returns every membership push the log tells of ("members pushed": no reload), in order. */
export function pushesIn(logs: readonly LogLine[]): Apply[] {
  return logs.flatMap((line): Apply[] => {
    if (line.fields['message'] !== 'members pushed') return [];
    const durationMs = Number(line.fields['durationMs']);
    const appliedAt = loggedAt(line);
    return [
      { action: 'pushed', startedAt: appliedAt - durationMs, appliedAt, durationMs, hangUpAt: null, workersAt: null },
    ];
  });
}

/** Returns the first apply that began at or after `at`, or undefined. */
export function applyAfter(applies: readonly Apply[], at: number): Apply | undefined {
  return applies.find((apply) => apply.startedAt >= at);
}

// A notice logged after the apply ended belongs to a later one.
function clip(at: number | null, end: number): number | null {
  return at === null || at > end ? null : at;
}
