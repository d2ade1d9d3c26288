// A large replay file is parsed on a worker thread, in the compiled program (dist/, what npm run replay and the
// package's bin run) and under tsx: it prints what the same bytes print from standard input, which is always
// parsed inline, and the process exits when the replay ends (a worker left running would keep it alive).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { lastValueFrom, toArray } from 'rxjs';
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
  test(`${name}: a large file replays through the worker as standard input replays inline, and the process exits`, () => {
    if (name === 'compiled') ensureBuilt();
    const run = (file: string, input?: Buffer) =>
      spawnSync(process.execPath, [...program, 'replay', file, '--last'], {
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
    assert.match(fromFile.stdout, /server_name app-7\.test;/);
    assert.equal(fromFile.stdout, fromStdin.stdout);
  });
}

test('compiled: replayFile resolves its worker beside itself in dist/', async () => {
  ensureBuilt();
  const dist = (relative: string): string => pathToFileURL(join(ROOT, 'dist', relative)).href;
  const { replayFile } = (await import(
    dist('streams/replay-file.js')
  )) as typeof import('../../src/streams/replay-file.js');
  const { ReplayClock } = (await import(
    dist('streams/replay-clock.js')
  )) as typeof import('../../src/streams/replay-clock.js');
  let workers = 0;
  const events = await lastValueFrom(
    replayFile(big, {
      names: { hosts: 'trafficHosts', paths: 'publicPaths' },
      selector: [],
      clock: new ReplayClock(),
      parser: 'worker',
      onBadLine: (line, reason) => assert.fail(`line ${line}: ${reason}`),
      onWorker: () => workers++,
    }).pipe(toArray()),
  );
  assert.equal(workers, 1);
  assert.ok(events.length > 1000, `${events.length} events`);
});
