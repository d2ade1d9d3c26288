// The file sink (`--sink file`): atomic replacement (temp file in the same directory, then rename), identical bytes
// skipped, failures reported as outcomes; and through the real pipeline.
import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { asyncScheduler, from, lastValueFrom, Subject, toArray } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { DEFAULT_REDUCE_OPTIONS } from '../../src/model/routing-state.js';
import { configsFrom } from '../../src/pipeline.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { fileSink, writeFileAtomically } from '../../src/sinks/file-sink.js';
import { waitFor } from '../support/http-probe.js';
import { testLogger } from '../support/ingress-harness.js';
import { aPod, added, sync } from '../support/pods.js';

const config = (text: string): RenderedConfig => ({ text, hash: text, routes: 0, backends: 0, issues: [] });

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('writeFileAtomically', () => {
  it('replaces the file by rename: a reader holding the old file still reads all of the old bytes', (t) => {
    const path = join(tempDir(t), 'nginx.conf');
    writeFileSync(path, 'old '.repeat(10_000));
    const before = statSync(path).ino;
    const fd = openSync(path, 'r');
    try {
      assert.equal(writeFileAtomically(path, 'new '.repeat(20_000)), true);
      const buffer = Buffer.alloc(80_000);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      assert.equal(buffer.subarray(0, read).toString(), 'old '.repeat(10_000));
    } finally {
      closeSync(fd);
    }
    assert.notEqual(statSync(path).ino, before);
    assert.equal(readFileSync(path, 'utf8'), 'new '.repeat(20_000));
    assert.deepEqual(readdirSync(join(path, '..')), ['nginx.conf'], 'no temporary file left');
  });

  it('skips identical bytes and leaves the file alone', (t) => {
    const path = join(tempDir(t), 'nginx.conf');
    assert.equal(writeFileAtomically(path, 'same\n'), true);
    const before = statSync(path);
    assert.equal(writeFileAtomically(path, 'same\n'), false);
    assert.equal(statSync(path).ino, before.ino);
    assert.equal(statSync(path).mtimeMs, before.mtimeMs);
  });

  it('throws and leaves no temporary file when the rename fails', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'nginx.conf');
    mkdirSync(path);
    assert.throws(() => writeFileAtomically(path, 'text'), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    assert.deepEqual(readdirSync(dir), ['nginx.conf']);
  });
});

describe('fileSink', () => {
  it('writes each config, reports unchanged bytes, and reports a failed write without ending', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'nginx.conf');
    writeFileSync(path, 'b');
    const outcomes = await lastValueFrom(
      from([config('a'), config('a'), config('b')]).pipe(fileSink(path, testLogger()), toArray()),
    );
    assert.deepEqual(
      outcomes.map((outcome) => outcome.type),
      ['written', 'unchanged', 'written'],
    );
    assert.equal(readFileSync(path, 'utf8'), 'b');
    const missing = join(dir, 'no-such-dir', 'nginx.conf');
    const failed = await lastValueFrom(from([config('a')]).pipe(fileSink(missing, testLogger()), toArray()));
    assert.equal(failed[0]?.type, 'failed');
    assert.match(
      failed[0]?.type === 'failed' ? failed[0].message : '',
      /cannot write .*no-such-dir\/nginx.conf: ENOENT/,
    );
  });

  it('writes what the real pipeline renders, after the first SYNC', async (t) => {
    const path = join(tempDir(t), 'nginx.conf');
    const events = new Subject<PodEvent>();
    const template = loadTemplate();
    const done = lastValueFrom(
      configsFrom(events, {
        windowMs: 20,
        reduce: DEFAULT_REDUCE_OPTIONS,
        render: { port: 8080, ownership: 'host' },
        template,
        scheduler: asyncScheduler,
      }).pipe(fileSink(path, testLogger()), toArray()),
    );
    events.next(sync(aPod('one', { ip: '10.0.0.1' })));
    await waitFor('the first config on disk', () => existsSync(path));
    events.next(added(aPod('two', { ip: '10.0.0.2' })));
    events.complete();
    const outcomes = await done;
    assert.deepEqual(
      outcomes.map((outcome) => outcome.type),
      ['written', 'written'],
    );
    const text = readFileSync(path, 'utf8');
    assert.equal(text, outcomes[1]?.config.text);
    assert.match(text, /server 10\.0\.0\.1:3000;.*\n\s*server 10\.0\.0\.2:3000;/);
    assert.match(text, /listen 0\.0\.0\.0:8080;/);
  });
});
