import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defer, type Observable } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { reconnectWithBackoff, type BackoffOptions } from '../../src/streams/reconnect-with-backoff.js';

const OPTIONS: BackoffOptions = { initialMs: 2, maxMs: 8, resetAfterMs: 10, jitter: 0 };

/** Runs a marble test on virtual time; the body gets the scheduler to hand to the operator. */
function marbles(body: (helpers: RunHelpers, scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
  scheduler.run((helpers) => body(helpers, scheduler));
}

describe('reconnectWithBackoff', () => {
  it('resubscribes after each completion, waiting 0, 2, 4, 8, 8 frames while attempts stay short', () => {
    marbles(({ cold, expectObservable, expectSubscriptions }, scheduler) => {
      const source = cold('--a--|');
      const result = source.pipe(reconnectWithBackoff(OPTIONS, scheduler, () => 0));
      expectObservable(result, '^ 40ms !').toBe('--a 4ms a 6ms a 8ms a 12ms a');
      expectSubscriptions(source.subscriptions).toBe([
        '^----!',
        '5ms ^----!',
        '12ms ^----!',
        '21ms ^----!',
        '34ms ^----!',
      ]);
    });
  });

  it('treats errors like completions: never fails', () => {
    marbles(({ cold, expectObservable, expectSubscriptions }, scheduler) => {
      const source = cold('--#');
      const result = source.pipe(reconnectWithBackoff(OPTIONS, scheduler, () => 0));
      expectObservable(result, '^ 20ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '2ms ^-!', '6ms ^-!', '12ms ^-!']);
    });
  });

  it('starts again from no wait once an attempt lasted resetAfterMs', () => {
    const starts: number[] = [];
    marbles(({ cold, expectObservable }, scheduler) => {
      const lengths = ['-|', '-|', '-----------|', '-|', '-|', '-|'];
      let attempt = 0;
      const source: Observable<never> = defer(() => {
        starts.push(scheduler.now());
        return cold<never>(lengths[attempt++] ?? '-');
      });
      expectObservable(source.pipe(reconnectWithBackoff(OPTIONS, scheduler, () => 0)), '^ 30ms !').toBe('');
    });
    // Waits 0 and 2 after the short attempts, 0 after the 11-frame one, then 2 and 4 again.
    assert.deepEqual(starts, [0, 1, 4, 15, 18, 23]);
  });

  it('reports each wait and stops waiting when unsubscribed', () => {
    const waits: [number, number][] = [];
    marbles(({ cold, expectObservable, expectSubscriptions }, scheduler) => {
      const source = cold('-|');
      const result = source.pipe(
        reconnectWithBackoff(OPTIONS, scheduler, () => 0, { waiting: (ms, failures) => waits.push([ms, failures]) }),
      );
      expectObservable(result, '^ 3ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^!', '1ms ^!']);
    });
    assert.deepEqual(waits, [
      [0, 1],
      [2, 2],
    ]);
  });

  it('passes values through and never completes for an empty or never source', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      expectObservable(cold('a|').pipe(reconnectWithBackoff(OPTIONS, scheduler, () => 0)), '^ 10ms !').toBe(
        'a a 2ms a 4ms a',
      );
      expectObservable(cold('-').pipe(reconnectWithBackoff(OPTIONS, scheduler, () => 0)), '^ 9ms !').toBe('');
    });
  });
});
