// A large replay runs again in a child process with V8's old space capped (src/commands/replay-heap.ts): the same
// output, the child's exit status, the cap reported by --stats; small files, standard input and a heap size chosen
// in the node options run in the process itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { ensureBuilt } from '../support/built.js';
import { ROOT } from '../support/cli.js';
import { bigRecording } from '../support/replay-input.js';
import { replayV8Options } from '../../src/commands/replay-heap.js';

const tmp = mkdtempSync(join(tmpdir(), 'replay-heap-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const big = join(tmp, 'big.ndjson');
writeFileSync(big, bigRecording(8 * 1024 * 1024 + 1, { hosts: (i) => `app-${i % 40}.test` }));

const replay = (args: readonly string[], options: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}) => {
  ensureBuilt();
  return spawnSync(process.execPath, ['dist/main.js', 'replay', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
    env: { ...process.env, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  });
};
const heapLimit = (stderr: string): number => Number(/heap_limit_mb=(\d+)/.exec(stderr)?.[1]);
// V8 gives a process a heap limit fitted to the machine's memory; where that is 2 GB or less it is small already.
const largeDefault = getHeapStatistics().heap_size_limit > 2 * 1024 * 1024 * 1024;

test('replay-heap: a large file runs capped at 1 GB and prints what the uncapped run prints', () => {
  const cases = [
    { name: 'a file of 8 MiB or more', args: [big], capped: true },
    { name: 'the same bytes on standard input', args: ['-'], input: readFileSync(big), capped: false },
    { name: 'a small file', args: [join(ROOT, 'examples/nodejs-k8s-env.ndjson')], capped: false },
    {
      name: 'a heap size chosen in NODE_OPTIONS',
      args: [big],
      env: { NODE_OPTIONS: '--max-old-space-size=3000' },
      capped: false,
    },
  ];
  const outputs = new Map<string, string>();
  for (const c of cases) {
    const run = replay([...c.args, '--last', '--stats'], c);
    assert.equal(run.status, 0, `${c.name}: ${run.stderr}`);
    const limit = heapLimit(run.stderr);
    // The limit V8 reports is the old space plus the young generation: a little over the cap.
    assert.equal(limit > 1024 && limit < 1200, c.capped && largeDefault, `${c.name}: heap_limit_mb=${limit}`);
    outputs.set(c.name, run.stdout);
  }
  assert.match(outputs.get('a file of 8 MiB or more')!, /server_name app-7\.test;/);
  assert.equal(outputs.get('a file of 8 MiB or more'), outputs.get('the same bytes on standard input'));
});

test('replay-heap: the child’s exit status is the command’s', () => {
  // A bad flag combination is refused by the replay itself, in the child: exit 2 with its message.
  const refused = replay([big, '--last', '--diff']);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /--diff shows every config; it cannot be combined with --last/);
  assert.equal(refused.stderr.match(/cannot be combined/g)?.length, 1, 'reported once, by the child');
});

test('replay-heap: the child is given the heap options, but none that the node options choose themselves', () => {
  const all = ['--max-old-space-size=1024', '--heap-growing-percent=20', '--max-semi-space-size=8'];
  assert.deepEqual(replayV8Options([], {}), all);
  assert.deepEqual(replayV8Options(['--max-semi-space-size=16'], {}), [all[0], all[1]]);
  assert.deepEqual(replayV8Options([], { NODE_OPTIONS: '--heap_growing_percent=50  --trace-gc' }), [all[0], all[2]]);
  assert.deepEqual(replayV8Options(['--max-semi-space-size', '16'], {}), [all[0], all[1]]);
  assert.deepEqual(replayV8Options(['--max-semi-space-sizes=1'], {}), all, 'a name is matched whole');
});

test('replay-heap: a young generation chosen in NODE_OPTIONS reaches the capped child', () => {
  // V8's heap limit is the old space plus three semi-spaces: 1024 + 3 x 8 by default, 1024 + 3 x 32 here.
  const ours = heapLimit(replay([big, '--last', '--stats']).stderr);
  const theirs = replay([big, '--last', '--stats'], { env: { NODE_OPTIONS: '--max-semi-space-size=32' } });
  assert.equal(theirs.status, 0, theirs.stderr);
  if (!largeDefault) return;
  assert.ok(heapLimit(theirs.stderr) > ours, `ours ${ours} MB, with theirs ${heapLimit(theirs.stderr)} MB`);
  assert.ok(heapLimit(theirs.stderr) > 1024 && heapLimit(theirs.stderr) < 1200);
});
