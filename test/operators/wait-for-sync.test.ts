import { test } from 'node:test';
import { waitForSync } from '../../src/operators/wait-for-sync.js';
import { marbles } from '../support/marbles.js';

const no = { synced: false };
const yes = { synced: true };

test('waitForSync: nothing before the first synced state, everything after', () => {
  marbles(({ cold, expectObservable, expectSubscriptions }) => {
    expectObservable(cold('a-b-S-c|', { a: no, b: no, S: yes, c: yes }).pipe(waitForSync())).toBe('----S-c|', {
      S: yes,
      c: yes,
    });
    expectObservable(cold<{ synced: boolean }>('|').pipe(waitForSync())).toBe('|');
    expectObservable(cold<{ synced: boolean }>('-').pipe(waitForSync()), '^ 5ms !').toBe('');
    expectObservable(cold('a-#', { a: no }).pipe(waitForSync())).toBe('--#');
    const states = cold('S-a', { S: yes, a: yes });
    expectObservable(states.pipe(waitForSync()), '^-!').toBe('S', { S: yes });
    expectSubscriptions(states.subscriptions).toBe('^-!');
  });
});
