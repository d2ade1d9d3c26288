// The supervisor against a fake machine and a hand-moved clock: file steps, start/reload verdicts from nginx's lines,
// restarts with backoff, and the graceful stop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observable } from 'rxjs';
import { NginxApplyError } from '../../src/sinks/nginx-apply-error.js';
import { NginxSupervisor, type ApplyResult, type NginxHealth } from '../../src/sinks/nginx-supervisor.js';
import { FakeSystem, ManualClock } from '../support/fake-nginx-system.js';
import { testLogger } from '../support/ingress-harness.js';

const LIVE = '/srv/ingress/nginx.conf';
const CANDIDATE = '/srv/ingress/nginx.conf.candidate';
const config = (name: string) => ({ text: `# ${name}\n`, hash: `hash-${name}` });

function setUp() {
  const system = new FakeSystem();
  const clock = new ManualClock();
  const states: NginxHealth[] = [];
  const nginx = new NginxSupervisor({
    bin: 'nginx',
    confPath: LIVE,
    logger: testLogger(),
    scheduler: clock,
    system,
    confirmTimeoutMs: 1_000,
    stopTimeoutMs: 5_000,
    restartBackoff: { initialMs: 100, maxMs: 400 },
    hooks: { health: (health) => states.push(health) },
  });
  return { system, clock, nginx, states };
}

/** Subscribes and records what the observable did (synchronously, or later as the clock moves). */
function watch<T>(observable: Observable<T>) {
  const seen: { values: T[]; error: unknown; done: boolean } = { values: [], error: null, done: false };
  observable.subscribe({
    next: (value) => seen.values.push(value),
    error: (error: unknown) => (seen.error = error),
    complete: () => (seen.done = true),
  });
  return seen;
}

describe('NginxSupervisor', () => {
  it('starts a foreground master in the prefix on the first config, which the start parses (no nginx -t first)', () => {
    const { system, nginx } = setUp();
    const result = watch(nginx.apply(config('a')));
    assert.deepEqual(system.checked, []);
    assert.equal(system.files.get(LIVE), '# a\n');
    assert.equal(system.files.has(CANDIDATE), false);
    assert.deepEqual(system.master.args, [
      '-p',
      '/srv/ingress/',
      '-c',
      LIVE,
      '-e',
      'stderr',
      '-g',
      'daemon off; error_log stderr notice;',
    ]);
    assert.equal(nginx.health().state, 'starting');
    assert.deepEqual(result.values, []);
    system.master.started();
    assert.deepEqual(result.values, [{ action: 'started', confirmed: true }]);
    assert.equal(result.done, true);
    assert.deepEqual(nginx.health(), {
      state: 'running',
      running: true,
      pid: 1000,
      applied: 'hash-a',
      reloads: 0,
      restarts: 0,
      lastExit: null,
    });
  });

  it("never lets a config that fails nginx -t replace the live one, and passes on nginx's message", () => {
    const { system, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    system.verdict = () => ({
      code: 1,
      output:
        'nginx: [emerg] unknown directive "bogus" in /srv/ingress/nginx.conf.candidate:3\nnginx: configuration file /srv/ingress/nginx.conf.candidate test failed',
      error: null,
    });
    const result = watch(nginx.apply(config('b')));
    assert.ok(result.error instanceof NginxApplyError);
    assert.equal(result.error.stage, 'check');
    assert.equal(
      result.error.message,
      'nginx -t rejected /srv/ingress/nginx.conf.candidate: unknown directive "bogus" in /srv/ingress/nginx.conf.candidate:3',
    );
    assert.equal(system.files.get(LIVE), '# a\n');
    assert.deepEqual(system.master.signals, []);
    assert.equal(nginx.health().applied, 'hash-a');
  });

  it('reloads with SIGHUP and records the config only when nginx has started the new workers', () => {
    const { system, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const result = watch(nginx.apply(config('b')));
    assert.deepEqual(system.master.signals, ['SIGHUP']);
    assert.equal(nginx.health().applied, 'hash-a');
    system.master.say('start worker processes'); // before "reconfiguring": not this reload's
    assert.deepEqual(result.values, []);
    system.master.reloaded();
    assert.deepEqual(result.values, [{ action: 'reloaded', confirmed: true }]);
    assert.equal(nginx.health().applied, 'hash-b');
    assert.equal(nginx.health().reloads, 1);
  });

  it('fails a reload nginx refuses after its bind retries, and puts the applied config back in the live file', () => {
    const { system, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const result = watch(nginx.apply(config('b')));
    system.master.say('reconfiguring');
    system.master.say('bind() to 0.0.0.0:80 failed (98: Address already in use)', 'emerg');
    system.master.say('try again to bind() after 500ms');
    assert.equal(String(result.error), 'null', 'a bind retry is not the end');
    system.master.say('still could not bind()', 'emerg');
    assert.ok(result.error instanceof NginxApplyError);
    assert.equal(result.error.stage, 'reload');
    assert.match(result.error.message, /Address already in use.*still could not bind/);
    assert.equal(system.files.get(LIVE), '# a\n');
    assert.equal(nginx.health().applied, 'hash-a');
    assert.equal(nginx.isRunning(), true);
  });

  it('counts a silent reload as applied but unconfirmed once the deadline passes', () => {
    const { system, clock, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const result = watch(nginx.apply(config('b')));
    clock.advance(999);
    assert.deepEqual(result.values, []);
    clock.advance(1);
    assert.deepEqual(result.values, [{ action: 'reloaded', confirmed: false }]);
  });

  it('fails a start when the master exits, and starts afresh on the next apply', () => {
    const { system, nginx } = setUp();
    const first = watch(nginx.apply(config('a')));
    system.master.say('bind() to 0.0.0.0:80 failed (13: Permission denied)', 'emerg');
    system.master.exit({ code: 1, signal: null });
    assert.ok(first.error instanceof NginxApplyError);
    assert.equal(first.error.stage, 'start');
    assert.match(
      first.error.message,
      /exited while starting \(code 1\): bind\(\) to 0.0.0.0:80 failed \(13: Permission denied\)/,
    );
    assert.equal(nginx.health().state, 'down');
    const second = watch(nginx.apply(config('a')));
    assert.equal(system.masters.length, 2);
    system.master.started();
    assert.deepEqual(second.values, [{ action: 'started', confirmed: true }]);
  });

  it('restarts a dead master after a backoff on the last applied config, reporting it down meanwhile', () => {
    const { system, clock, nginx, states } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const dead = system.master;
    system.files.set(LIVE, '# something else\n');
    dead.exit({ code: null, signal: 'SIGKILL' });
    assert.deepEqual(dead.groupSignals, ['SIGQUIT'], 'its orphaned workers are told to quit');
    assert.equal(nginx.isRunning(), false);
    assert.equal(states.at(-1)?.state, 'down');
    clock.advance(99);
    assert.equal(system.masters.length, 1);
    clock.advance(1);
    assert.equal(system.masters.length, 2);
    assert.equal(system.files.get(LIVE), '# a\n');
    system.master.exit({ code: 1, signal: null });
    clock.advance(199);
    assert.equal(system.masters.length, 2, 'the second restart waits twice as long');
    clock.advance(1);
    assert.equal(system.masters.length, 3);
    system.master.started();
    assert.equal(nginx.health().restarts, 2);
    assert.equal(nginx.isRunning(), true);
    clock.advance(5_000);
    assert.deepEqual(
      dead.groupSignals,
      ['SIGQUIT', 'SIGKILL'],
      'orphans still there after the stop timeout are killed',
    );
  });

  it('runs operations one at a time: an apply waits for the one before it', () => {
    const { system, nginx } = setUp();
    const first = watch(nginx.apply(config('a')));
    const second = watch(nginx.apply(config('b')));
    assert.deepEqual(system.checked, []);
    system.master.started();
    assert.deepEqual(first.values.length, 1);
    assert.deepEqual(system.checked, ['# b\n']);
    system.master.reloaded();
    assert.deepEqual(second.values, [{ action: 'reloaded', confirmed: true }] satisfies ApplyResult[]);
  });

  it('stops with SIGQUIT and completes when the master has exited; later applies are refused', () => {
    const { system, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const stopped = watch(nginx.stop());
    assert.deepEqual(system.master.signals, ['SIGQUIT']);
    assert.equal(stopped.done, false);
    system.master.exit({ code: 0, signal: null });
    assert.equal(stopped.done, true);
    assert.equal(nginx.health().state, 'stopped');
    assert.deepEqual(system.master.groupSignals, [], 'a clean quit leaves nothing to kill');
    const late = watch(nginx.apply(config('b')));
    assert.ok(late.error instanceof NginxApplyError);
    assert.equal(late.error.stage, 'stopped');
    assert.equal(watch(nginx.stop()).done, true, 'stop is idempotent');
  });

  it('kills the whole group when a graceful quit outlasts the stop timeout', () => {
    const { system, clock, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    const stopped = watch(nginx.stop());
    clock.advance(5_000);
    assert.deepEqual(system.master.groupSignals, ['SIGKILL']);
    system.master.exit({ code: null, signal: 'SIGKILL' });
    assert.equal(stopped.done, true);
  });

  it('stops at once when nginx never started, and cancels a pending restart', () => {
    const idle = setUp();
    assert.equal(watch(idle.nginx.stop()).done, true);
    const { system, clock, nginx } = setUp();
    watch(nginx.apply(config('a')));
    system.master.started();
    system.master.exit({ code: null, signal: 'SIGSEGV' });
    assert.equal(watch(nginx.stop()).done, true);
    clock.advance(10_000);
    assert.equal(system.masters.length, 1);
  });

  it('reports a failed write as stage write, without touching the live file', () => {
    const { system, nginx } = setUp();
    system.failWrites = true;
    const result = watch(nginx.apply(config('a')));
    assert.ok(result.error instanceof NginxApplyError);
    assert.equal(result.error.stage, 'write');
    assert.match(result.error.message, /cannot write \/srv\/ingress\/nginx.conf.candidate: EACCES/);
    assert.equal(system.masters.length, 0);
  });
});
