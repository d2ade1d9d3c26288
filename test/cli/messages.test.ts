// Log and error messages say what happened (issue: "watch failed with status 200" for a lost connection, a backoff
// whose length was never said, "the previous config stays in force" with none, template errors at offset 61).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastValueFrom, Subject } from 'rxjs';
import { run$ } from '../../src/commands/run.js';
import { compileTemplate } from '../../src/render/template.js';
import { parseInvocation } from '../../src/settings.js';
import { KubeApiError } from '../../src/streams/kube-get.js';
import { runCli } from '../support/cli.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { waitFor } from '../support/http-probe.js';
import { capturingLogger, FAST_ARGS, microservice } from '../support/live-harness.js';

test('an API error names what went wrong: a refusal by its status, a stream that broke off after 200 as such', () => {
  const cases: [number | null, RegExp][] = [
    [null, /^watch http:\/\/x failed: socket hang up$/],
    [200, /^watch http:\/\/x failed after it was answered \(200\): socket hang up$/],
    [403, /^watch http:\/\/x failed with status 403: socket hang up$/],
  ];
  for (const [status, message] of cases)
    assert.match(new KubeApiError('watch', 'http://x', 'socket hang up', { status }).message, message, String(status));
});

test('a template that cannot be parsed is quoted at the line the user wrote', () => {
  const cases: [string, RegExp][] = [
    [
      'events {}\nhttp {\n  server { listen {{port}; }\n}\n',
      /Unclosed tag at \d+ \(line 3: " {2}server \{ listen \{\{port\}; \}"\)/,
    ],
    ['a\n{{#servers}}\nb\n', /Unclosed section "servers" at \d+ \(line 2: "\{\{#servers\}\}"\)/],
  ];
  for (const [text, message] of cases) assert.throws(() => compileTemplate(text, 'mine.mustache'), message);
  const dir = mkdtempSync(join(tmpdir(), 'messages-'));
  writeFileSync(join(dir, 'mine.mustache'), cases[0]![0]);
  const { status, stderr } = runCli([
    'replay',
    'examples/nodejs-k8s-env.ndjson',
    '--template',
    join(dir, 'mine.mustache'),
  ]);
  assert.equal(status, 2);
  assert.match(stderr, /line 3: " {2}server \{ listen \{\{port\}; \}"/);
});

test('a lost list or watch is retried after a backoff whose length is logged', async () => {
  const fake = await FakeApiServer.start();
  fake.addPod(microservice('a'));
  const { settings } = parseInvocation(['run', ...FAST_ARGS, '--sink', 'stdout', '--http-port', '0', '--no-events'], {
    KUBE_HOST: fake.url,
  });
  const { logger, lines } = capturingLogger();
  const stop$ = new Subject<void>();
  const done = lastValueFrom(
    run$({
      settings,
      logger,
      io: { stdout: { write: () => true } },
      stop$,
      options: { backoff: { initialMs: 200, maxMs: 400, resetAfterMs: 60_000, jitter: 0 } },
    }),
  );
  try {
    await waitFor('a watch', () => fake.openWatchCount > 0);
    await fake.stop();
    const line = await waitFor(
      'the wait to be logged',
      () => lines.find((l) => /^reconnecting in \d+\.\d s$/.test(String(l['message'])) && Number(l['delayMs']) > 0),
      20_000,
    );
    assert.equal(line['level'], 'info');
  } finally {
    stop$.next();
    await done;
  }
});
