import { test } from 'node:test';
import { skipUnchanged } from '../../src/operators/skip-unchanged.js';
import { marbles } from '../support/marbles.js';

const A = { text: 'a' };
const A2 = { text: 'a' };
const B = { text: 'b' };

test('skipUnchanged: an equal text is dropped, a return to an earlier text is not', () => {
  marbles(({ cold, expectObservable, expectSubscriptions }) => {
    expectObservable(cold('a-b-c-d|', { a: A, b: A2, c: B, d: A }).pipe(skipUnchanged())).toBe('a---c-d|', {
      a: A,
      c: B,
      d: A,
    });
    expectObservable(cold<{ text: string }>('|').pipe(skipUnchanged())).toBe('|');
    expectObservable(cold<{ text: string }>('-').pipe(skipUnchanged()), '^ 5ms !').toBe('');
    expectObservable(cold('a#', { a: A }).pipe(skipUnchanged())).toBe('a#', { a: A });
    const configs = cold('a-b', { a: A, b: B });
    expectObservable(configs.pipe(skipUnchanged()), '^!').toBe('a', { a: A });
    expectSubscriptions(configs.subscriptions).toBe('^!');
  });
});
