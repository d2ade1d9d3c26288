import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Issue } from '../../src/model/issue.js';
import { reportIssues } from '../../src/operators/report-issues.js';
import { marbles } from '../support/marbles.js';

const x: Issue = { pod: 'ns/p', code: 'invalid-host', message: 'host "x;" ...' };
const y: Issue = { pod: 'ns/q', code: 'invalid-path', message: 'path ...' };

test('reportIssues: each issue is reported once per change, configs pass through untouched', () => {
  const reported: string[][] = [];
  marbles(({ cold, expectObservable }) => {
    const configs = {
      a: { issues: [x] },
      b: { issues: [x] },
      c: { issues: [x, y] },
      d: { issues: [y] },
      e: { issues: [x, y] },
    };
    const report = (added: readonly Issue[]) => reported.push(added.map((i) => i.pod));
    expectObservable(cold('abcde|', configs).pipe(reportIssues(report))).toBe('abcde|', configs);
  });
  assert.deepEqual(reported, [['ns/p'], ['ns/q'], ['ns/p']]);
});

test('reportIssues: empty, never, error, unsubscribe', () => {
  marbles(({ cold, expectObservable, expectSubscriptions }) => {
    const none = () => assert.fail('nothing to report');
    type Config = { issues: Issue[] };
    expectObservable(cold<Config>('|').pipe(reportIssues(none))).toBe('|');
    expectObservable(cold<Config>('-').pipe(reportIssues(none)), '^ 5ms !').toBe('');
    expectObservable(cold('a#', { a: { issues: [] } }).pipe(reportIssues(none))).toBe('a#', { a: { issues: [] } });
    const configs = cold('a-b', { a: { issues: [] }, b: { issues: [] } });
    expectObservable(configs.pipe(reportIssues(none)), '^!').toBe('a', { a: { issues: [] } });
    expectSubscriptions(configs.subscriptions).toBe('^!');
  });
});
