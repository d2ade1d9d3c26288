// A bounded load of real requests while a test changes things: a few clients, a fresh connection per request,
// every answer recorded with the backend that gave it.
import type { Answer } from './http-probe.js';

/** What a loop saw: answers by backend, and every failure (a non-200 status or a socket error). */
export interface LoopResult {
  readonly requests: number;
  readonly failures: readonly string[];
  readonly backends: ReadonlyMap<string, number>;
}

/** A running loop: `stop()` waits for the clients and returns what they saw. */
export interface RequestLoop {
  readonly requests: () => number;
  stop(): Promise<LoopResult>;
}

/** Starts `clients` clients calling `get` in a loop until stopped, or until `maxRequests` in all (a bound). */
export function startRequestLoop(get: () => Promise<Answer>, clients = 4, maxRequests = 200_000): RequestLoop {
  let running = true;
  let requests = 0;
  const failures: string[] = [];
  const backends = new Map<string, number>();
  const client = async (): Promise<void> => {
    while (running && requests < maxRequests) {
      requests++;
      try {
        const answer = await get();
        if (answer.status !== 200) failures.push(`status ${answer.status}`);
        else backends.set(answer.backend ?? '(none)', (backends.get(answer.backend ?? '(none)') ?? 0) + 1);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const all = Promise.all(Array.from({ length: clients }, client));
  return {
    requests: () => requests,
    stop: async () => {
      running = false;
      await all;
      return { requests, failures, backends };
    },
  };
}
