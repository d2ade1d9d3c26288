// oldWorkers over a made-up /proc: which processes count as an old worker generation of a master's group.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { oldWorkers } from '../../src/sinks/nginx-workers.js';

/** One process of the fake /proc: pid, comm, state, process group, cmdline (NUL-separated as the kernel writes it). */
type FakeProcess = [number, string, string, number, string];

function fakeProc(processes: readonly FakeProcess[]): string {
  const proc = mkdtempSync(join(tmpdir(), 'fake-proc-'));
  for (const [pid, comm, state, group, cmdline] of processes) {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${comm}) ${state} 1 ${group} ${group} 0 -1 4194560 0 0\n`);
    writeFileSync(join(proc, String(pid), 'cmdline'), `${cmdline}\0`);
  }
  mkdirSync(join(proc, 'self'));
  writeFileSync(join(proc, 'uptime'), '1.0 1.0\n');
  return proc;
}

test("oldWorkers counts the shutting-down workers of the master's group, nothing else", () => {
  const master = 100;
  const cases: [string, FakeProcess[], number][] = [
    ['no process', [], 0],
    [
      'the master and current workers',
      [
        [100, 'nginx', 'S', master, 'nginx: master process nginx -p /x/'],
        [101, 'nginx', 'S', master, 'nginx: worker process'],
      ],
      0,
    ],
    [
      'two old workers of this master',
      [
        [101, 'nginx', 'S', master, 'nginx: worker process is shutting down'],
        [102, 'nginx', 'S', master, 'nginx: worker process is shutting down'],
        [103, 'nginx', 'S', master, 'nginx: worker process'],
      ],
      2,
    ],
    ['an old worker of another nginx', [[201, 'nginx', 'S', 200, 'nginx: worker process is shutting down']], 0],
    ['a zombie is not alive', [[101, 'nginx', 'Z', master, 'nginx: worker process is shutting down']], 0],
    [
      'a comm with spaces and parentheses',
      [[101, 'odd) (name', 'S', master, 'nginx: worker process is shutting down']],
      1,
    ],
    [
      'a process of the group that is not nginx',
      [[104, 'sh', 'S', master, 'sh -c nginx: worker process is shutting down']],
      0,
    ],
  ];
  for (const [name, processes, expected] of cases)
    assert.equal(oldWorkers(master, fakeProc(processes)), expected, name);
});

test('oldWorkers without a master or without /proc is 0', () => {
  assert.equal(oldWorkers(null, fakeProc([[101, 'nginx', 'S', 100, 'nginx: worker process is shutting down']])), 0);
  assert.equal(oldWorkers(100, '/no/such/proc'), 0);
});
