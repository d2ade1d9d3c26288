// A large replay file is parsed on a worker thread, in the compiled program (dist/, what npm run replay and the
// package's bin run: a bundle whose worker entry sits beside the code that starts it) and under tsx. It says so at
// debug level, prints what the same bytes print from standard input (always parsed inline), and the process exits
// when the replay ends (a worker left running would keep it alive).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureBuilt } from '../support/built.js';
import { ROOT } from '../support/cli.js';
import { bigRecording } from '../support/replay-input.js';

const tmp = mkdtempSync(join(tmpdir(), 'replay-parse-worker-'));
// Tens of megabytes of generated recordings: removed at the end.
after(() => rmSync(tmp, { recursive: true, force: true }));
const big = join(tmp, 'big.ndjson');
writeFileSync(big, bigRecording(8 * 1024 * 1024 + 1, { hosts: (i) => `app-${i % 40}.test` }));

const RUNS = [
  { name: 'compiled', program: ['dist/main.js'] },
  { name: 'under tsx', program: ['--import', 'tsx', 'src/main.ts'] },
];

for (const { name, program } of RUNS) {
  test(`${name}: a large file replays through the worker (said at debug level) as standard input replays inline, and the process exits`, () => {
    if (name === 'compiled') ensureBuilt();
    const run = (file: string, input?: Buffer) =>
      spawnSync(process.execPath, [...program, 'replay', file, '--last', '--log-level', 'debug'], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
        ...(input === undefined ? {} : { input }),
      });
    const fromFile = run(big);
    const fromStdin = run('-', readFileSync(big));
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.match(fromFile.stderr, /parsing the file on a worker thread/);
    assert.doesNotMatch(fromStdin.stderr, /worker thread/);
    assert.match(fromFile.stdout, /server_name app-7\.test;/);
    assert.equal(fromFile.stdout, fromStdin.stdout);
  });
}
