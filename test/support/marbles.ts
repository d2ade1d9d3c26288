import assert from 'node:assert/strict';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';

/** Runs a marble test on a fresh TestScheduler whose assertions are node:assert deep equality. */
export function marbles(body: (helpers: RunHelpers) => void): void {
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected)).run(body);
}
