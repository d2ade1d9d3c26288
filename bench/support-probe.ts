// Polling through nginx and the admin port: who answers a host now, and when a condition first held.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpGet } from '../test/support/http-probe.js';

/** Returns the backend that answered `GET /` for `host` through nginx on 127.0.0.1:port, or null (no backend, error). */
export async function answeredBy(port: number, host: string, timeoutMs = 2_000): Promise<string | null> {
  try {
    return (await httpGet(port, host, '/', { timeoutMs })).backend;
  } catch {
    // Unknown hosts get nginx's 444 (connection closed), a port not yet bound refuses: neither is a backend.
    return null;
  }
}

/** Returns the status of `GET path` on 127.0.0.1:port, or null when nothing answers. */
export function statusOf(port: number, path: string, timeoutMs = 2_000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? null));
    });
    req.end();
  });
}

/**
 * Polls `check` every `intervalMs` until it returns true, and resolves with the time (ms since the epoch) the first
 * passing check finished, or null after `timeoutMs`.
 */
export async function firstTrue(
  check: () => Promise<boolean>,
  intervalMs: number,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await sleep(intervalMs);
  }
  return null;
}
