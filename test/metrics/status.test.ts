import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultWatchSilenceLimitMs, nginxDownReason, Status, type Verdict } from '../../src/metrics/status.js';
import type { NginxState } from '../../src/sinks/nginx-supervisor.js';

const LIMIT = 180_000;
const fresh = (nginx = true): Status => new Status({ watchSilenceLimitMs: LIMIT, nginx, startedAtMs: 0 });

test('the default silence limit is the idle timeout plus a minute', () => {
  assert.equal(defaultWatchSilenceLimitMs(120), 180_000);
});

test('health: the watch must show life within the limit, and nginx (when used) must run', () => {
  const cases: { name: string; nginx?: boolean; steps: (s: Status) => void; at: number; expect: Verdict }[] = [
    { name: 'just started, nothing heard yet', steps: () => {}, at: 1000, expect: { ok: true } },
    {
      name: 'never connected, past the limit',
      steps: () => {},
      at: LIMIT + 1000,
      expect: { ok: false, reason: 'watch not connected after 181 s (limit 180 s)' },
    },
    { name: 'heard within the limit', steps: (s) => s.watchAlive(10_000), at: 10_000 + LIMIT, expect: { ok: true } },
    {
      name: 'silent past the limit',
      steps: (s) => s.watchAlive(10_000),
      at: 10_000 + LIMIT + 93_500,
      expect: { ok: false, reason: 'watch silent for 273 s (limit 180 s)' },
    },
    {
      name: 'an older sign of life does not move the clock back',
      steps: (s) => (s.watchAlive(200_000), s.watchAlive(5_000)),
      at: 300_000,
      expect: { ok: true },
    },
    { name: 'nginx not started yet is fine', steps: (s) => s.watchAlive(0), at: 1, expect: { ok: true } },
    {
      name: 'nginx down',
      steps: (s) => (s.watchAlive(0), s.nginxUp(false)),
      at: 1,
      expect: { ok: false, reason: 'nginx not running' },
    },
    {
      name: 'nginx down, with its reason',
      steps: (s) => s.nginxUp(false, 'nginx exited with status 1; restarting'),
      at: 1,
      expect: { ok: false, reason: 'nginx exited with status 1; restarting' },
    },
    { name: 'nginx back up', steps: (s) => (s.nginxUp(false), s.nginxUp(true)), at: 1, expect: { ok: true } },
    {
      name: 'nginx down, but nginx is not used',
      nginx: false,
      steps: (s) => s.nginxUp(false),
      at: 1,
      expect: { ok: true },
    },
    {
      name: 'silence reported before nginx',
      steps: (s) => s.nginxUp(false),
      at: LIMIT + 1,
      expect: { ok: false, reason: 'watch not connected after 180 s (limit 180 s)' },
    },
  ];
  for (const c of cases) {
    const status = fresh(c.nginx);
    c.steps(status);
    assert.deepEqual(status.health(c.at), c.expect, c.name);
  }
});

test('readiness: after the first applied config, while nginx runs, until shutdown', () => {
  const cases: { name: string; nginx?: boolean; steps: (s: Status) => void; expect: Verdict }[] = [
    { name: 'nothing applied', steps: () => {}, expect: { ok: false, reason: 'no config applied yet' } },
    { name: 'applied', steps: (s) => s.applied('abc', 5), expect: { ok: true } },
    {
      name: 'applied, nginx down',
      steps: (s) => (s.applied('abc', 5), s.nginxUp(false)),
      expect: { ok: false, reason: 'nginx not running' },
    },
    {
      name: 'applied, nginx down, nginx not used',
      nginx: false,
      steps: (s) => (s.applied('abc', 5), s.nginxUp(false)),
      expect: { ok: true },
    },
    {
      name: 'shutting down',
      steps: (s) => (s.applied('abc', 5), s.shuttingDown()),
      expect: { ok: false, reason: 'shutting down' },
    },
    { name: 'watch silence does not unready a serving nginx', steps: (s) => s.applied('abc', 5), expect: { ok: true } },
  ];
  for (const c of cases) {
    const status = fresh(c.nginx);
    c.steps(status);
    assert.deepEqual(status.readiness(), c.expect, c.name);
  }
});

test('the hash of the config in force is kept', () => {
  const status = fresh();
  assert.equal(status.configHash, null);
  status.applied('one', 1);
  status.applied('two', 2);
  assert.equal(status.configHash, 'two');
});

test('nginx counts as down while it is down or starting again after an exit, with how it exited', () => {
  const exit = (code: number | null, signal: string | null, error?: string) => ({
    code,
    signal,
    ...(error === undefined ? {} : { error }),
  });
  const cases: [
    name: string,
    state: NginxState,
    lastExit: ReturnType<typeof exit> | null,
    expected: string | undefined,
  ][] = [
    ['never started (idle): not a failure', 'idle', null, undefined],
    ['starting for the first time', 'starting', null, undefined],
    ['running', 'running', exit(1, null), undefined],
    ['quitting gracefully', 'stopping', null, undefined],
    ['stopped for good', 'stopped', exit(0, null), undefined],
    ['down after an exit code', 'down', exit(1, null), 'nginx not running (exited: code 1)'],
    ['down after a signal', 'down', exit(null, 'SIGKILL'), 'nginx not running (exited: signal SIGKILL)'],
    [
      'down after a spawn error',
      'down',
      exit(null, null, 'spawn nginx ENOENT'),
      'nginx not running (exited: spawn nginx ENOENT)',
    ],
    ['down with no exit recorded', 'down', null, 'nginx not running'],
    [
      'starting again after an exit: not serving yet',
      'starting',
      exit(null, 'SIGKILL'),
      'nginx not running (exited: signal SIGKILL)',
    ],
  ];
  for (const [name, state, lastExit, expected] of cases)
    assert.equal(nginxDownReason({ state, lastExit }), expected, name);
});
