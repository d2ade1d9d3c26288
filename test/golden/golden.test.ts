// One test runs every golden case through the real replay pipeline and compares whole files.
// `UPDATE_GOLDEN=1 npm test` rewrites the files and then fails every case it rewrote (as Traefik's golden tests
// do), so a run that changed the expectations can never be green: review `git diff test/golden`, then run again.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nginxTest } from '../support/nginx-check.js';
import { replayLast } from '../support/replay.js';
import { goldenCases } from './cases.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

for (const [name, golden] of Object.entries(goldenCases())) {
  test(`golden: ${name}`, async () => {
    const dir = `${DIR}${name}/`;
    const events = golden.lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
    if (UPDATE) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}events.ndjson`, events);
    }
    assert.equal(readFileSync(`${dir}events.ndjson`, 'utf8'), events, 'events.ndjson is out of date with cases.ts (UPDATE_GOLDEN=1)');
    // Static mode reproduces the single-file view the product always had; dynamic mode (the default) prints the
    // final config followed by its members as comment lines.
    for (const [mode, file] of [['static', 'expected.conf'], ['dynamic', 'expected.dynamic.conf']] as const) {
      const { stdout, status } = await replayLast(`${dir}events.ndjson`, [...(golden.flags ?? []), '--backends', mode]);
      assert.equal(status, 0);
      if (UPDATE) writeFileSync(`${dir}${file}`, stdout);
      assert.equal(stdout, readFileSync(`${dir}${file}`, 'utf8'), `${mode} mode`);
      const verdict = nginxTest(stdout);
      assert.ok(verdict.ok, `nginx -t refused ${name} (${mode}): ${verdict.output}`);
    }
    assert.ok(!UPDATE, `UPDATE_GOLDEN=1 rewrote test/golden/${name}/: review git diff test/golden, then run again without it`);
  });
}
