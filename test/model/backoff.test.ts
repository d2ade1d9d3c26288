import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, type Backoff } from '../../src/model/backoff.js';

const OPTIONS: Backoff = { initialMs: 2, maxMs: 8, jitter: 0 };
const NGINX_RETRY: Backoff = { initialMs: 1_000, maxMs: 30_000 };

describe('backoffDelay', () => {
  const cases: [name: string, retry: number, backoff: Backoff, random: number, expected: number][] = [
    ['no wait after a healthy attempt', 0, OPTIONS, 0, 0],
    ['no wait for a negative count', -3, OPTIONS, 0, 0],
    ['initial wait after one short attempt', 1, OPTIONS, 0, 2],
    ['doubles', 3, OPTIONS, 0, 8],
    ['capped', 4, OPTIONS, 0, 8],
    ['capped after very many failures (no Infinity or NaN)', 5000, OPTIONS, 0, 8],
    ['jitter takes up to its fraction off', 2, { ...OPTIONS, jitter: 0.5 }, 1, 2],
    ['jitter in between', 2, { ...OPTIONS, jitter: 0.5 }, 0.5, 3],
    ["the live source's defaults", 3, { initialMs: 500, maxMs: 30_000, jitter: 0.5 }, 0, 2000],
    ['no jitter when none is given, whatever random says', 2, NGINX_RETRY, 0.9, 2_000],
    ['the nginx retry: first retry', 1, NGINX_RETRY, 0, 1_000],
    ['the nginx retry: capped at 30 s', 6, NGINX_RETRY, 0, 30_000],
    ['the nginx restart: 0.2 s doubling', 3, { initialMs: 200, maxMs: 10_000 }, 0, 800],
  ];
  for (const [name, retry, backoff, random, expected] of cases) {
    it(name, () =>
      assert.equal(
        backoffDelay(retry, backoff, () => random),
        expected,
      ),
    );
  }
});
