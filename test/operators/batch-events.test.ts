import { test } from 'node:test';
import { batchEvents } from '../../src/operators/batch-events.js';
import { marbles as run } from '../support/marbles.js';

test('batchEvents: fixed windows of windowMs, empty windows dropped', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('ab 7ms c 4ms |').pipe(batchEvents(4))).toBe('4ms x 7ms y 1ms |', {
      x: ['a', 'b'],
      y: ['c'],
    });
  });
});

test('batchEvents: constant churn still yields a batch every window (no starvation)', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('-ab-cd-ef|').pipe(batchEvents(3))).toBe('3ms x 2ms y 2ms (z|)', {
      x: ['a', 'b'],
      y: ['c', 'd'],
      z: ['e', 'f'],
    });
  });
});

test('batchEvents: a burst larger than maxBatch is cut early', () => {
  run(({ cold, expectObservable }) => {
    expectObservable(cold('(abcde)|').pipe(batchEvents(4, { maxBatch: 2 }))).toBe('(xy) z 2ms |', {
      x: ['a', 'b'],
      y: ['c', 'd'],
      z: ['e'],
    });
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

test('batchEvents closeFirstOn: the first window closes at the first full list, the fixed windows start there', () => {
  const isSync = (event: string): boolean => event === 'S';
  const cases: [string, string, string, Record<string, string[]>][] = [
    [
      'events before the list come with it',
      '-a-S-b-------c--|',
      '---x---y-------z|',
      { x: ['a', 'S'], y: ['b'], z: ['c'] },
    ],
    ['the list first: emitted at once', 'S-a-------|', 'x---y-----|', { x: ['S'], y: ['a'] }],
    ['only the first list closes early', 'S-S-------|', 'x---y-----|', { x: ['S'], y: ['S'] }],
    ['no list: what came is flushed at the end', '-a-b|', '----(x|)', { x: ['a', 'b'] }],
    ['before the list the windows run as usual', '-a---b-S--|', '----x--y--|', { x: ['a'], y: ['b', 'S'] }],
    ['no list: the windows run as usual', '-a---b--|', '----x---(y|)', { x: ['a'], y: ['b'] }],
    ['the list and more in one frame', '(Sab)----|', 'x---y----|', { x: ['S'], y: ['a', 'b'] }],
  ];
  for (const [name, events, expected, values] of cases) {
    try {
      run(({ cold, expectObservable }) => {
        expectObservable(cold(events).pipe(batchEvents(4, { closeFirstOn: isSync }))).toBe(expected, values);
      });
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  }
});

test('batchEvents closeFirstOn: maxBatch before the list, errors, unsubscribe', () => {
  const isSync = (event: string): boolean => event === 'S';
  run(({ cold, expectObservable, expectSubscriptions }) => {
    expectObservable(cold('(abcS)|').pipe(batchEvents(4, { maxBatch: 2, closeFirstOn: isSync }))).toBe('(xy)--|', {
      x: ['a', 'b'],
      y: ['c', 'S'],
    });
    expectObservable(cold('a-#').pipe(batchEvents(4, { closeFirstOn: isSync }))).toBe('--#');
    expectObservable(cold('S-a#').pipe(batchEvents(4, { closeFirstOn: isSync }))).toBe('x--#', { x: ['S'] });
    const events = cold('S 20ms a');
    expectObservable(events.pipe(batchEvents(4, { closeFirstOn: isSync })), '^ 9ms !').toBe('x', { x: ['S'] });
    expectSubscriptions(events.subscriptions).toBe('^ 9ms !');
  });
});
