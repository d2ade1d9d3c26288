import { test } from 'node:test';
import { batchEvents } from '../../src/operators/batch-events.js';
import { marbles as run } from '../support/marbles.js';

test('batchEvents: fixed windows of windowMs, empty windows dropped', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('ab 7ms c 4ms |').pipe(batchEvents(4))).toBe('4ms x 7ms y 1ms |', { x: ['a', 'b'], y: ['c'] });
  });
});

test('batchEvents: constant churn still yields a batch every window (no starvation)', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('-ab-cd-ef|').pipe(batchEvents(3))).toBe('3ms x 2ms y 2ms (z|)', { x: ['a', 'b'], y: ['c', 'd'], z: ['e', 'f'] });
  });
});

test('batchEvents: a burst larger than maxBatch is cut early', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('(abcde)|').pipe(batchEvents(4, undefined, 2))).toBe('(xy) z 2ms |', { x: ['a', 'b'], y: ['c', 'd'], z: ['e'] });
  });
});

test('batchEvents: empty, never, error, unsubscribe', () => {
  run(({ cold, expectObservable, expectSubscriptions }) => {
    expectObservable(cold('|').pipe(batchEvents(4))).toBe('|');
    expectObservable(cold('-').pipe(batchEvents(4)), '^ 20ms !').toBe('');
    expectObservable(cold('a 5ms #').pipe(batchEvents(4))).toBe('4ms x 1ms #', { x: ['a'] });
    const events = cold('a 20ms b');
    expectObservable(events.pipe(batchEvents(4)), '^ 9ms !').toBe('4ms x', { x: ['a'] });
    expectSubscriptions(events.subscriptions).toBe('^ 9ms !');
  });
});
