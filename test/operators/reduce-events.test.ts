import { test } from 'node:test';
import { map } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import { DEFAULT_REDUCE_OPTIONS, type RoutingState } from '../../src/model/routing-state.js';
import { reduceEvents } from '../../src/operators/reduce-events.js';
import { marbles } from '../support/marbles.js';
import { aPod, deleted, modified, sync } from '../support/pods.js';

const summary = (state: RoutingState): string =>
  [...state.pods.keys()].sort().join(',') + (state.synced ? '' : ' (unsynced)');
const owners = (state: RoutingState): string =>
  [...state.holds].map(([host, hold]) => `${host}:${hold.namespace}`).join(',');

test('reduceEvents: folds batches, emits only states that changed', () => {
  marbles(({ cold, expectObservable }) => {
    const batches = cold<PodEvent[]>('a-b-c-d|', {
      a: [sync(aPod('x'))],
      b: [modified(aPod('x'))], // routing-neutral: no new state
      c: [modified(aPod('x', { ready: false })), sync(aPod('x'), aPod('y'))],
      d: [deleted(aPod('y'))],
    });
    expectObservable(batches.pipe(reduceEvents(), map(summary))).toBe('a---c-d|', {
      a: 'default/x',
      c: 'default/x,default/y',
      d: 'default/x',
    });
  });
});

test('reduceEvents: wakes up when an ownership grace period ends, with no further event', () => {
  marbles(({ cold, expectObservable }) => {
    const owner = aPod('a1', { namespace: 'team-a', created: 0 });
    const rival = aPod('b1', { namespace: 'team-b', created: 1000 });
    const batches = cold<PodEvent[]>('a 9ms b 100ms |', { a: [sync(owner, rival)], b: [deleted(owner)] });
    const options = { ...DEFAULT_REDUCE_OPTIONS, ownershipGraceMs: 50 };
    expectObservable(batches.pipe(reduceEvents(options), map(owners))).toBe('a 9ms b 49ms c 50ms |', {
      a: 'test.k8s.local:team-a',
      b: 'test.k8s.local:team-a',
      c: 'test.k8s.local:team-b',
    });
  });
});

test('reduceEvents: empty, never, error, unsubscribe (timers cancelled)', () => {
  marbles(({ cold, expectObservable, expectSubscriptions }) => {
    expectObservable(cold<PodEvent[]>('|').pipe(reduceEvents())).toBe('|');
    expectObservable(cold<PodEvent[]>('-').pipe(reduceEvents()), '^ 10ms !').toBe('');
    expectObservable(cold<PodEvent[]>('a #', { a: [sync()] }).pipe(reduceEvents(), map(summary))).toBe('a #', {
      a: '',
    });
    const owner = aPod('a1', { namespace: 'team-a', created: 0 });
    const rival = aPod('b1', { namespace: 'team-b', created: 1000 });
    const batches = cold<PodEvent[]>('a b', { a: [sync(owner, rival)], b: [deleted(owner)] });
    const options = { ...DEFAULT_REDUCE_OPTIONS, ownershipGraceMs: 5 };
    expectObservable(batches.pipe(reduceEvents(options), map(owners)), '^ 3ms !').toBe('ab', {
      a: 'test.k8s.local:team-a',
      b: 'test.k8s.local:team-a',
    });
    expectSubscriptions(batches.subscriptions).toBe('^ 3ms !');
  });
});
