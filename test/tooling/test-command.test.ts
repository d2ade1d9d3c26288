// The test command (`npm test` = scripts/test.sh) finds test files at any depth, runs them with the TAP reporter,
// and refuses to pass when it finds none.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'test-command-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Without NODE_TEST_CONTEXT: set by the runner that runs this file, it would make the inner runner report to it.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT'));
const runTests = (...roots: string[]) =>
  spawnSync('bash', ['scripts/test.sh', ...roots], { cwd: root, encoding: 'utf8', env });

test('finds test files at every depth, and only *.test.ts files', (t) => {
  const dir = scratch(t);
  const cases: [name: string, file: string][] = [
    ['top level', 'top.test.ts'],
    ['one folder down', 'a/one.test.ts'],
    ['three folders down', 'a/b/c/three.test.ts'],
  ];
  for (const [name, file] of cases) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), `import { test } from 'node:test';\ntest(${JSON.stringify(name)}, () => {});\n`);
  }
  writeFileSync(join(dir, 'a', 'helper.ts'), "throw new Error('not a test file: must not run');\n");
  const result = runTests(dir);
  assert.equal(result.status, 0, result.stderr + result.stdout);
  for (const [name] of cases) assert.match(result.stdout, new RegExp(`^ok \\d+ - ${name}$`, 'm'));
  assert.match(result.stdout, /^# tests 3$/m);
  assert.match(result.stdout, /^TAP version 13$/m);
});

test('fails when a test fails', (t) => {
  const dir = scratch(t);
  writeFileSync(
    join(dir, 'red.test.ts'),
    "import { test } from 'node:test';\ntest('red', () => { throw new Error('red'); });\n",
  );
  assert.equal(runTests(dir).status, 1);
});

test('finding no test file is a failure, not zero passing tests', (t) => {
  const cases: [name: string, root: string][] = [
    ['an empty folder', scratch(t)],
    ['a missing folder', join(scratch(t), 'missing')],
  ];
  for (const [name, where] of cases) {
    const result = runTests(where);
    assert.equal(result.status, 1, name);
    assert.match(result.stderr, /scripts\/test\.sh: /, name);
  }
});
