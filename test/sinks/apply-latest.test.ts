// Marble spec of applyLatest: one item at a time, the newest waits, retries inside, ends after the work under way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tap, type Observable } from 'rxjs';
import { applyLatest } from '../../src/sinks/apply-latest.js';
import { marbles } from '../support/marbles.js';

type Work = (item: string, attempt: number) => Observable<string>;

/** applyLatest where a value ending in `!` asks for a retry in 2 frames (unless superseded). */
const operator = (work: Work, calls: string[] = []) =>
  applyLatest<string, string>({
    work: (item, attempt) => {
      calls.push(`${item}${attempt}`);
      return work(item, attempt);
    },
    retryInMs: (last) => (last?.endsWith('!') === true ? 2 : null),
  });

describe('applyLatest', () => {
  it('applies each item when idle (happy path)', () => {
    marbles(({ cold, expectObservable }) => {
      const source = cold('-a---b--|');
      expectObservable(source.pipe(operator((item) => cold('-x|', { x: item.toUpperCase() })))).toBe('--A---B-|');
    });
  });

  it('keeps only the newest item while one is applied (latest wins)', () => {
    const calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const source = cold('-abc-------|');
      expectObservable(source.pipe(operator((item) => cold('---x|', { x: item.toUpperCase() }), calls))).toBe(
        '----A---C--|',
      );
    });
    assert.deepEqual(calls, ['a1', 'c1']);
  });

  it('retries an item whose work asks for it, and drops the retry when a newer item arrives', () => {
    const calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      const work: Work = (item, attempt) => cold('(x|)', { x: item === 'a' ? `a${attempt}!` : item });
      expectObservable(cold('-a----b-|').pipe(operator(work, calls))).toBe('-x-y-zb-|', {
        x: 'a1!',
        y: 'a2!',
        z: 'a3!',
        b: 'b',
      });
    });
    assert.deepEqual(calls, ['a1', 'a2', 'a3', 'b1']);
  });

  it('finishes the work under way when the items end, drops the waiting item, then completes', () => {
    const calls: string[] = [];
    marbles(({ cold, expectObservable }) => {
      expectObservable(cold('-ab|').pipe(operator((item) => cold('---x|', { x: item }), calls))).toBe('----a|');
    });
    assert.deepEqual(calls, ['a1']);
  });

  it('tells the work it is superseded once a newer item waits or the items ended', () => {
    const seen: boolean[] = [];
    marbles(({ cold, expectObservable }) => {
      const op = applyLatest<string, string>({
        work: (item, _attempt, queue) => cold('--x|', { x: item }).pipe(tap(() => seen.push(queue.superseded()))),
        retryInMs: () => null,
      });
      // c waits behind b, then the items end: b's work is superseded, c is dropped.
      expectObservable(cold('-a-----bc|').pipe(op)).toBe('---a-----b|');
    });
    assert.deepEqual(seen, [false, true]);
  });

  it('passes on an error of the items after the work under way, and on errors of the work at once', () => {
    marbles(({ cold, expectObservable }) => {
      expectObservable(
        cold('-a#', {}, new Error('items broke')).pipe(operator((item) => cold('--x|', { x: item }))),
      ).toBe('---a#', {}, new Error('items broke'));
      expectObservable(cold('-a-').pipe(operator(() => cold('-#', {}, new Error('bug'))))).toBe(
        '--#',
        {},
        new Error('bug'),
      );
    });
  });

  it('empty, never, and unsubscribe: nothing applied, the retry timer and the work cancelled', () => {
    marbles(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('|').pipe(operator(() => cold('x|')))).toBe('|');
      expectObservable(cold('-').pipe(operator(() => cold('x|')))).toBe('-');
      const work = cold('----x|');
      expectObservable(cold('-a-').pipe(operator(() => work)), '^--!').toBe('---');
      expectSubscriptions(work.subscriptions).toBe('-^-!');
    });
  });
});
