import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplyLatency } from '../../src/metrics/apply-latency.js';

// A tiny script language: arrive@t, batch:n, state, render:hash, apply:hash@t (returns the latency).
function run(steps: readonly string[]): (number | null | boolean)[] {
  const latency = new ApplyLatency();
  const results: (number | null | boolean)[] = [];
  for (const step of steps) {
    const [verb, arg = ''] = step.split(':');
    if (verb!.startsWith('arrive@')) latency.arrived(Number(verb!.slice(7)));
    else if (verb === 'batch') latency.batched(Number(arg));
    else if (verb === 'state') latency.stateChanged();
    else if (verb === 'render') results.push(latency.rendered(arg));
    else if (verb === 'apply') {
      const [hash, at] = arg.split('@');
      results.push(latency.applied(hash!, Number(at)));
    } else throw new Error(`bad step ${step}`);
  }
  return results.filter((r) => typeof r !== 'boolean');
}

test('latency: from the earliest event behind a config to its apply', () => {
  const cases: { name: string; steps: string[]; expect: (number | null)[] }[] = [
    { name: 'one event', steps: ['arrive@100', 'batch:1', 'state', 'render:A', 'apply:A@2150'], expect: [2050] },
    {
      name: 'earliest of a batch',
      steps: ['arrive@100', 'arrive@900', 'batch:2', 'state', 'render:A', 'apply:A@2000'],
      expect: [1900],
    },
    {
      name: 'a routing-neutral batch does not count',
      steps: ['arrive@100', 'batch:1', 'arrive@2100', 'batch:1', 'state', 'render:A', 'apply:A@4000'],
      expect: [1900],
    },
    {
      name: 'an unchanged render is not waited for',
      steps: [
        'arrive@0',
        'batch:1',
        'state',
        'render:A',
        'apply:A@10',
        'arrive@20',
        'batch:1',
        'state',
        'render:A',
        'apply:A@50',
      ],
      expect: [10, null],
    },
    {
      name: 'events behind an unchanged render do not count for the next change',
      steps: [
        'arrive@0',
        'batch:1',
        'state',
        'render:A',
        'apply:A@10',
        'arrive@20',
        'batch:1',
        'state',
        'render:A',
        'arrive@100',
        'batch:1',
        'state',
        'render:B',
        'apply:B@150',
      ],
      expect: [10, 50],
    },
    {
      name: 'a superseded config folds into the next applied one',
      steps: [
        'arrive@0',
        'batch:1',
        'state',
        'render:A',
        'arrive@1000',
        'batch:1',
        'state',
        'render:B',
        'apply:B@3000',
      ],
      expect: [3000],
    },
    {
      name: 'a failed apply keeps waiting until the retry',
      steps: ['arrive@0', 'batch:1', 'state', 'render:A', 'apply:X@500', 'apply:A@5000'],
      expect: [null, 5000],
    },
    {
      name: 'configs applied in order each get their own',
      steps: [
        'arrive@0',
        'batch:1',
        'state',
        'render:A',
        'arrive@1000',
        'batch:1',
        'state',
        'render:B',
        'apply:A@1500',
        'apply:B@2500',
      ],
      expect: [1500, 1500],
    },
    {
      name: 'a render failure carries its events to the next render',
      steps: ['arrive@0', 'batch:1', 'state', 'arrive@1000', 'batch:1', 'state', 'render:B', 'apply:B@2000'],
      expect: [2000],
    },
    { name: 'no event hook: nothing measured', steps: ['batch:3', 'state', 'render:A', 'apply:A@10'], expect: [null] },
    {
      name: 'A B A: the second A is a new config',
      steps: [
        'arrive@0',
        'batch:1',
        'state',
        'render:A',
        'apply:A@1',
        'arrive@10',
        'batch:1',
        'state',
        'render:B',
        'arrive@20',
        'batch:1',
        'state',
        'render:A',
        'apply:B@30',
        'apply:A@40',
      ],
      expect: [1, 20, 20],
    },
  ];
  for (const c of cases) assert.deepEqual(run(c.steps), c.expect, c.name);
});

test('memory stays bounded when applies never come, and the earliest time survives', () => {
  const latency = new ApplyLatency();
  for (let i = 0; i < 5000; i++) {
    latency.arrived(i);
    latency.batched(1);
    latency.stateChanged();
    latency.rendered(`h${i}`);
  }
  assert.equal(latency.applied('h4999', 10_000), 10_000, 'measured from the first event, at 0');
  assert.equal(latency.applied('h1', 10_000), null, 'everything before the applied one is done');
});
