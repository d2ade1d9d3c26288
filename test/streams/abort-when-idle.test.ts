import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { abortWhenIdle } from '../../src/streams/abort-when-idle.js';

const IDLE = new Error('idle');

function marbles(body: (helpers: RunHelpers, scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
  scheduler.run((helpers) => body(helpers, scheduler));
}

describe('abortWhenIdle', () => {
  it('passes values through while they keep coming', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      expectObservable(cold('-a--b---c|').pipe(abortWhenIdle(4, scheduler, () => IDLE))).toBe('-a--b---c|');
    });
  });

  it('fails and unsubscribes the source after idleMs without a value', () => {
    marbles(({ cold, expectObservable, expectSubscriptions }, scheduler) => {
      const source = cold('-a-b-------c');
      expectObservable(source.pipe(abortWhenIdle(4, scheduler, () => IDLE))).toBe('-a-b---#', undefined, IDLE);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('counts from subscription: a source that never emits fails after idleMs', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      expectObservable(cold('-').pipe(abortWhenIdle(4, scheduler, () => IDLE))).toBe('----#', undefined, IDLE);
    });
  });

  it('completes with an empty source and passes errors through', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      expectObservable(cold('|').pipe(abortWhenIdle(4, scheduler, () => IDLE))).toBe('|');
      expectObservable(cold('-a-#').pipe(abortWhenIdle(4, scheduler, () => IDLE))).toBe('-a-#');
    });
  });

  it('does nothing after the consumer unsubscribes', () => {
    marbles(({ cold, expectObservable, expectSubscriptions }, scheduler) => {
      const source = cold('-a------');
      expectObservable(source.pipe(abortWhenIdle(4, scheduler, () => IDLE)), '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
