// Marble specs of the sink operator against a fake nginx: one apply at a time, latest wins, retries with capped
// backoff, the last applied config remembered, and nginx stopped when the configs end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map, of, tap, throwError, type Observable } from 'rxjs';
import type { Membership } from '../../src/model/membership.js';
import { MembersPushError, type Pushed } from '../../src/sinks/members-channel.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { NginxApplyError } from '../../src/sinks/nginx-apply-error.js';
import { applyToNginx, type ApplyOutcome, type MembersTarget, type NginxTarget } from '../../src/sinks/nginx-sink.js';
import type { ApplyResult } from '../../src/sinks/nginx-supervisor.js';
import { testLogger } from '../support/ingress-harness.js';
import { marbles } from '../support/marbles.js';

const configs: Record<string, RenderedConfig> = Object.fromEntries(
  ['a', 'b', 'c'].map((name) => [name, { text: `# ${name}\n`, hash: name, routes: 1, backends: 1, issues: [] }]),
);
const OK: ApplyResult = { action: 'reloaded', confirmed: true };
const REJECTED = new NginxApplyError('check', 'nginx -t rejected x', { detail: 'unknown directive "bogus"' });

/** A fake nginx: `plan(hash, attempt)` says how each apply goes; the hash of the last success is remembered. */
class FakeNginx implements NginxTarget {
  readonly calls: string[] = [];
  stops = 0;
  private applied: string | null = null;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly plan: (hash: string, attempt: number) => Observable<ApplyResult>,
    private readonly stop$: Observable<void>,
  ) {}

  apply(config: { hash: string }): Observable<ApplyResult> {
    const attempt = (this.attempts.get(config.hash) ?? 0) + 1;
    this.attempts.set(config.hash, attempt);
    this.calls.push(config.hash);
    return this.plan(config.hash, attempt).pipe(tap(() => (this.applied = config.hash)));
  }

  health(): { applied: string | null } {
    return { applied: this.applied };
  }

  stop(): Observable<void> {
    this.stops++;
    return this.stop$;
  }
}
const fakeNginx = (
  plan: (hash: string, attempt: number) => Observable<ApplyResult>,
  stop$: Observable<void>,
): FakeNginx => new FakeNginx(plan, stop$);

/** Outcomes as `type:hash:attempt` (plus `+retryInMs` for failures), for readable marbles. */
const short = map((outcome: ApplyOutcome) => {
  if (outcome.type === 'unchanged') return `unchanged:${outcome.config.hash}`;
  if (outcome.type === 'applied') return `applied:${outcome.config.hash}:${outcome.attempt}`;
  if (outcome.type === 'pushed') return `pushed:${outcome.config.hash}:${outcome.version}:${outcome.attempt}`;
  return `${outcome.stage}:${outcome.config.hash}:${outcome.attempt}+${outcome.retryInMs ?? 'none'}`;
});
const options = { logger: testLogger(), retryBackoff: { initialMs: 10, maxMs: 15 } };

describe('applyToNginx', () => {
  it('applies each config, then stops nginx and completes when the configs end', () => {
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('--r|', { r: OK }), cold('--|'));
      const source = cold('-a----b---|', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('---A----B---|', {
        A: 'applied:a:1',
        B: 'applied:b:1',
      });
    });
  });

  it('keeps only the newest config while an apply runs (latest wins)', () => {
    let calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('---r|', { r: OK }), cold('|'));
      calls = nginx.calls;
      const source = cold('-abc------|', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('----A--C--|', {
        A: 'applied:a:1',
        C: 'applied:c:1',
      });
    });
    assert.deepEqual(calls, ['a', 'c']);
  });

  it('retries a failed config with capped backoff until it applies', () => {
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(
        (_hash, attempt) => (attempt < 3 ? cold('-#', {}, REJECTED) : cold('-r|', { r: OK })),
        cold('|'),
      );
      const source = cold('-a', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('--F 10ms G 15ms A', {
        F: 'check:a:1+10',
        G: 'check:a:2+15',
        A: 'applied:a:3',
      });
    });
  });

  it('drops the retry of a failed config when a newer one arrives, and applies that at once', () => {
    let calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx((hash) => (hash === 'a' ? cold('-#', {}, REJECTED) : cold('-r|', { r: OK })), cold('|'));
      calls = nginx.calls;
      const source = cold('-a---b', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('--F---B', {
        F: 'check:a:1+10',
        B: 'applied:b:1',
      });
    });
    assert.deepEqual(calls, ['a', 'b']);
  });

  it('does not apply the config already in force (a failed change undone), and ends its retries', () => {
    let calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx((hash) => (hash === 'b' ? cold('-#', {}, REJECTED) : cold('-r|', { r: OK })), cold('|'));
      calls = nginx.calls;
      const source = cold('-a--b--a', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('--A--F-U', {
        A: 'applied:a:1',
        F: 'check:b:1+10',
        U: 'unchanged:a',
      });
    });
    assert.deepEqual(calls, ['a', 'b']);
  });

  it('finishes the apply under way when the configs end, drops the pending one, then stops nginx', () => {
    let calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('---r|', { r: OK }), cold('-|'));
      calls = nginx.calls;
      const source = cold('-ab|', configs);
      expectObservable(source.pipe(applyToNginx(nginx, options), short)).toBe('----A|', { A: 'applied:a:1' });
    });
    assert.deepEqual(calls, ['a']);
  });

  it('reports no retry for a failure while the configs end', () => {
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('--#', {}, REJECTED), cold('|'));
      expectObservable(cold('-a|', configs).pipe(applyToNginx(nginx, options), short)).toBe('---(F|)', {
        F: 'check:a:1+none',
      });
    });
  });

  it('stops nginx and then passes on an error of the configs', () => {
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('r|', { r: OK }), cold('--|'));
      expectObservable(cold('-a-#', configs, new Error('source broke')).pipe(applyToNginx(nginx, options), short)).toBe(
        '-A---#',
        { A: 'applied:a:1' },
        new Error('source broke'),
      );
    });
  });

  it('completes when nginx refuses applies because it was stopped', () => {
    marbles(({ cold, expectObservable }) => {
      const stopped = new NginxApplyError('stopped', 'nginx is stopping');
      const nginx = fakeNginx(() => cold('-#', {}, stopped), cold('|'));
      expectObservable(cold('-a---b', configs).pipe(applyToNginx(nginx, options), short)).toBe('--(S|)', {
        S: 'stopped:a:1+none',
      });
    });
  });

  it('stops nginx when unsubscribed, and does nothing for empty or silent configs', () => {
    let nginx: FakeNginx | undefined;
    marbles(({ cold, expectObservable }) => {
      nginx = fakeNginx(() => cold('-r|', { r: OK }), cold('|'));
      expectObservable(cold('-a--------', configs).pipe(applyToNginx(nginx, options), short), '^----!').toBe('--A', {
        A: 'applied:a:1',
      });
    });
    assert.equal(nginx?.stops, 1);
    marbles(({ cold, expectObservable }) => {
      nginx = fakeNginx(() => cold('-r|', { r: OK }), cold('|'));
      expectObservable(cold('|', configs).pipe(applyToNginx(nginx, options))).toBe('|');
      expectObservable(cold('-', configs).pipe(applyToNginx(nginx, options))).toBe('-');
    });
    assert.deepEqual(nginx?.calls, []);
  });
});

/** A fake members channel: records writes and pushes as text; `fail` makes the next pushes fail. */
class FakeMembers implements MembersTarget {
  readonly log: string[] = [];
  current: Membership | null = null;
  fail: MembersPushError | null = null;
  /** Pushes that succeed before `fail` applies. */
  failAfter = 0;
  private pushes = 0;
  private written = 0;
  private confirmed = 0;

  get inSync(): boolean {
    return this.current !== null && this.confirmed >= this.written;
  }

  write(membership: Membership): number {
    this.current = membership;
    this.log.push(
      `write:${membership.routes.map((r) => `${r.id}=${r.backends.map((b) => b.name).join('+')}`).join(',')}`,
    );
    return ++this.written;
  }

  pushCurrent(): Observable<Pushed> {
    this.log.push('push');
    if (this.fail !== null && ++this.pushes > this.failAfter) return throwError(() => this.fail);
    this.confirmed = this.written;
    return of({ version: this.written, durationMs: 0 });
  }
}

const route = (id: string, ...pods: string[]) => ({
  id,
  host: `${id}.test`,
  path: '/',
  backends: pods.map((name) => ({ name, namespace: 'default', address: '10.0.0.1:80' })),
  waiting: [],
});
const dynamicConfig = (hash: string, ...routes: ReturnType<typeof route>[]): RenderedConfig => ({
  text: `# ${hash}\n`,
  hash,
  routes: routes.length,
  backends: 1,
  issues: [],
  members: { routes },
});

describe('applyToNginx (dynamic members)', () => {
  it('pushes a change of members alone without touching nginx; an equal one is unchanged', () => {
    const members = new FakeMembers();
    let nginx: FakeNginx | undefined;
    marbles(({ cold, expectObservable }) => {
      nginx = fakeNginx(() => cold('-r|', { r: OK }), cold('|'));
      const source = cold('-a--b--c-|', {
        a: dynamicConfig('s', route('r1', 'p1')),
        b: dynamicConfig('s', route('r1', 'p1', 'p2')),
        c: dynamicConfig('s', route('r1', 'p1', 'p2')),
      });
      expectObservable(source.pipe(applyToNginx(nginx, { ...options, members }), short)).toBe('--A-P--U-|', {
        A: 'applied:s:1',
        P: 'pushed:s:3:1',
        U: 'unchanged:s',
      });
    });
    assert.deepEqual(nginx?.calls, ['s']);
    // Written before the first start (nginx loads the file); this fake nginx has no ready step that pushes, so the
    // sink pushes after the start.
    assert.deepEqual(members.log, ['write:r1=p1', 'write:r1=p1', 'push', 'write:r1=p1+p2', 'push']);
  });

  it('a structural change: the union pushed first, then the reload, then the new members', () => {
    const members = new FakeMembers();
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('-r|', { r: OK }), cold('|'));
      const source = cold('-a---b-|', {
        a: dynamicConfig('s1', route('r1', 'p1')),
        b: dynamicConfig('s2', route('r2', 'p2')),
      });
      expectObservable(source.pipe(applyToNginx(nginx, { ...options, members }), short)).toBe('--A---B|', {
        A: 'applied:s1:1',
        B: 'applied:s2:1',
      });
    });
    assert.deepEqual(members.log, [
      'write:r1=p1',
      'write:r1=p1',
      'push',
      'write:r1=p1,r2=p2',
      'push',
      'write:r2=p2',
      'push',
    ]);
  });

  it('a push nginx has no memory for fails with what to raise, and is retried', () => {
    const members = new FakeMembers();
    const messages: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const nginx = fakeNginx(() => cold('r|', { r: OK }), cold('|'));
      const source = cold('-a-b', {
        a: dynamicConfig('s', route('r1', 'p1')),
        b: dynamicConfig('s', route('r1', 'p2')),
      });
      members.fail = new MembersPushError('no-memory', 'nginx answered the members push with 507: no memory', 507);
      members.failAfter = 1;
      const outcomes = source.pipe(
        applyToNginx(nginx, { ...options, members }),
        tap((o) => o.type === 'failed' && messages.push(o.message)),
        short,
      );
      expectObservable(outcomes, '^-------------------!').toBe('-A-F 9ms G', {
        A: 'applied:s:1',
        F: 'push:s:1+10',
        G: 'push:s:2+15',
      });
    });
    assert.match(messages[0] ?? '', /507: no memory \(shared memory short: raise --lua-shared-dict-min/);
  });
});
