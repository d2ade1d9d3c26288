import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../../src/model/routing-state.js';
import { StatusHolder } from '../../src/status/status-holder.js';
import { aPod, sync } from '../support/pods.js';

const AT = Date.parse('2026-03-01T12:00:00Z');
const summary = (hash: string) => ({ hash, routes: 1, backends: 1 });

test('the status shows the state behind the config in force, not a newer one still being applied', () => {
  const holder = new StatusHolder({ policy: 'host', nginx: true });
  assert.equal(holder.report().config.hash, null, 'nothing in force yet');
  assert.deepEqual(holder.report().pods, []);

  const one = applyEvents(EMPTY_STATE, [sync(aPod('a'))], AT, DEFAULT_REDUCE_OPTIONS);
  holder.state(one);
  holder.rendered('h1');
  assert.equal(holder.report().config.hash, null, 'rendered is not applied');
  holder.applied({ type: 'applied', config: summary('h1'), durationMs: 5, action: 'started' }, AT);
  assert.deepEqual(
    holder.report().pods.map((p) => p.name),
    ['a'],
  );
  assert.deepEqual(holder.report().config, {
    hash: 'h1',
    appliedAt: '2026-03-01T12:00:00.000Z',
    configs: 1,
    reloads: 0,
    pushes: null,
    failed: null,
  });

  const two = applyEvents(one, [sync(aPod('a'), aPod('b', { ip: '10.0.0.2' }))], AT + 1, DEFAULT_REDUCE_OPTIONS);
  holder.state(two);
  holder.rendered('h2');
  assert.deepEqual(
    holder.report().pods.map((p) => p.name),
    ['a'],
    'h2 is not in force yet',
  );
  holder.applied({ type: 'failed', config: summary('h2'), durationMs: 5, stage: 'check' }, AT + 2000);
  assert.deepEqual(holder.report().config.failed, { hash: 'h2', at: '2026-03-01T12:00:02.000Z', stage: 'check' });
  assert.equal(holder.report().config.hash, 'h1');
  holder.applied({ type: 'applied', config: summary('h2'), durationMs: 5, action: 'reloaded' }, AT + 3000);
  assert.deepEqual(
    holder.report().pods.map((p) => p.name),
    ['a', 'b'],
  );
  assert.deepEqual(holder.report().config, {
    hash: 'h2',
    appliedAt: '2026-03-01T12:00:03.000Z',
    configs: 2,
    reloads: 1,
    pushes: null,
    failed: null,
  });
});

test('a state that renders the config in force (an issue only) shows at once; pushes count once fed', () => {
  const holder = new StatusHolder({ policy: 'host', nginx: false });
  const one = applyEvents(EMPTY_STATE, [sync(aPod('a'))], AT, DEFAULT_REDUCE_OPTIONS);
  holder.state(one);
  holder.rendered('h1');
  holder.applied({ type: 'applied', config: summary('h1'), durationMs: 0 }, AT);
  const first = holder.report();
  assert.equal(holder.report(), first, 'built once while nothing changes');
  const bad = applyEvents(one, [sync(aPod('a'), aPod('bad', { hosts: 'bad_host' }))], AT + 1, DEFAULT_REDUCE_OPTIONS);
  holder.state(bad);
  holder.rendered('h1');
  assert.deepEqual(
    holder.report().pods.map((p) => [p.name, p.issues.map((i) => i.code)]),
    [
      ['a', []],
      ['bad', ['invalid-host']],
    ],
  );
  assert.equal(holder.report().config.reloads, null, 'no nginx, no reloads');
  holder.pushed();
  holder.pushed();
  assert.equal(holder.report().config.pushes, 2);
});
