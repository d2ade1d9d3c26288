// /readyz and /healthz of the real `run` command with the nginx sink, against real faults: lists failing before the
// first config, the nginx master killed, the watch hung or failing for longer than the silence limit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { waitFor } from '../support/http-probe.js';
import { NGINX } from '../support/nginx-check.js';
import {
  adminGet,
  backendPod,
  recordStatuses,
  startRun,
  type RunningController,
  startScene,
} from '../support/run-harness.js';

const APP = 'app.test';

/**
 * Writes a stand-in for nginx that runs the real one unless its block file exists; then it fails after a while, as
 * nginx does when its port stays busy.
 */
function blockableNginx(): { readonly dir: string; readonly bin: string; readonly block: string } {
  const dir = mkdtempSync(join(tmpdir(), 'run-nginx-bin-'));
  const bin = join(dir, 'nginx');
  const block = join(dir, 'block');
  writeFileSync(bin, `#!/bin/sh\n[ -e '${block}' ] && { sleep 0.3; exit 1; }\nexec '${NGINX}' "$@"\n`, { mode: 0o755 });
  return { dir, bin, block };
}

/** Waits until an admin path answers `status` with a body (trimmed) matching `body`, and returns that body. */
function waitForAdmin(
  run: RunningController,
  path: string,
  status: number,
  body: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  return waitFor(
    `${path} to answer ${status} ${String(body)}`,
    async () => {
      const answer = await adminGet(run, path);
      return answer.status === status && body.test(answer.body.trim()) ? answer.body : undefined;
    },
    timeoutMs,
  );
}

it('readiness waits for the first config; health follows nginx and the watch, and recovers with them', async (t) => {
  const { cleanup, backends, fake } = await startScene(t, ['one']);
  fake.addPod(backendPod('one', backends.byName('one').ip, { hosts: APP, paths: `${backends.port}:/` }));
  // Every list fails until the test says otherwise: no state, so no config, so not ready.
  fake.failRequests({ forMs: 600_000 }, 500, 'list');
  const nginx = blockableNginx();
  cleanup(() => rmSync(nginx.dir, { recursive: true, force: true }));
  const run = await startRun(fake, { args: ['--health-watch-silence', '1', '--nginx-bin', nginx.bin] });
  cleanup(() => run.stop());

  const first = await waitFor('the admin port to answer', () => adminGet(run, '/readyz'), 30_000);
  assert.equal(first.status, 503);
  assert.equal(first.body, 'no config applied yet\n');
  await waitForAdmin(run, '/healthz', 503, /^watch not connected after \d+ s \(limit 1 s\)/);
  assert.equal((await adminGet(run, '/readyz')).status, 503, 'still not ready while lists fail');

  fake.failRequests(0);
  await waitForAdmin(run, '/readyz', 200, /^ok$/, 30_000);
  await waitForAdmin(run, '/healthz', 200, /^ok$/);
  await waitFor('traffic through nginx', async () => (await run.get(APP, '/')).backend === 'one');

  await t.test('nginx killed: /healthz is 503 until the controller has restarted it', async () => {
    const killed = await waitFor('nginx.pid', () => run.masterPid() ?? undefined);
    // While the block file exists the restarts fail too, so the outage lasts as long as the test needs to see it.
    writeFileSync(nginx.block, '');
    process.kill(killed, 'SIGKILL');
    await waitForAdmin(run, '/healthz', 503, /^nginx not running \(exited: (signal SIGKILL|code 1)\)$/);
    // Each failed restart spends a while starting; that is not serving either, so no 200 in between.
    const recording = recordStatuses(run, '/healthz');
    try {
      await waitFor(
        'two failed restarts',
        () => run.logs.filter((line) => line['message'] === 'nginx master exited').length >= 3,
      );
    } finally {
      await recording.stop();
    }
    assert.ok(recording.seen.length > 0);
    assert.deepEqual(
      recording.seen.filter((answer) => answer.status !== 503),
      [],
    );
    assert.equal((await adminGet(run, '/readyz')).status, 503, 'not ready without nginx');
    rmSync(nginx.block);
    await waitForAdmin(run, '/healthz', 200, /^ok$/);
    assert.notEqual(run.masterPid(), killed);
    const exit = run.logs.find((line) => line['message'] === 'nginx master exited');
    assert.deepEqual([exit?.['pid'], exit?.['exit']], [killed, 'signal SIGKILL']);
    await waitFor('traffic through the new nginx', async () => (await run.get(APP, '/')).backend === 'one');
  });

  await t.test('watch hung past the silence limit: /healthz is 503 until it streams again', async () => {
    fake.hangWatches(true);
    await waitForAdmin(run, '/healthz', 503, /^watch silent for \d+ s \(limit 1 s\)/);
    fake.hangWatches(false);
    await waitForAdmin(run, '/healthz', 200, /^ok$/);
  });

  await t.test('API requests failing past the silence limit: /healthz is 503 until they succeed', async () => {
    fake.failRequests({ forMs: 600_000 }, 500);
    fake.dropConnections();
    await waitForAdmin(run, '/healthz', 503, /^watch silent for \d+ s \(limit 1 s\)/);
    assert.equal((await adminGet(run, '/readyz')).status, 200, 'readiness does not depend on the watch');
    fake.failRequests(0);
    await waitForAdmin(run, '/healthz', 200, /^ok$/);
    assert.equal((await run.get(APP, '/')).backend, 'one');
  });
});
