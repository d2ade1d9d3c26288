// A config nginx refuses, through the real `run` command: a user template that is valid while every route has one
// pod and writes an unknown directive as soon as a route gets an upstream (two pods). The refused config is reported
// (metrics, a log line with nginx's own words), the old one keeps serving, and the next good config is applied.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DEFAULT_TEMPLATE_PATH } from '../../src/package-files.js';
import { waitFor } from '../support/http-probe.js';
import { valueOf, type Exposition } from '../support/prom-text.js';
import { backendPod, scrape, sha256OfFile, startRun, startScene } from '../support/run-harness.js';

const P = 'k8s_pods_ingress_';
const APP = 'app.test';
const API = 'api.test';

/** Writes the shipped template with `bogus_directive on;` in the http block for each upstream, and returns its path. */
function templateRefusedWithUpstreams(dir: string): string {
  const shipped = readFileSync(DEFAULT_TEMPLATE_PATH, 'utf8');
  assert.ok(shipped.includes('\nhttp {\n'), 'the shipped template has an http block');
  const path = join(dir, 'upstreams-refused.mustache');
  writeFileSync(
    path,
    shipped.replace('\nhttp {\n', '\nhttp {\n{{#upstreams}}\n  bogus_directive on;\n{{/upstreams}}\n'),
  );
  return path;
}

const applies = (m: Exposition, result: string): number => valueOf(m, `${P}config_applies_total`, { result }) ?? NaN;

it('a config nginx refuses leaves the old one serving, is reported, and the next good config is applied', async (t) => {
  const { cleanup, backends, fake } = await startScene(t, ['one', 'two', 'api']);
  const routing = { hosts: APP, paths: `${backends.port}:/` };
  fake.addPod(backendPod('one', backends.byName('one').ip, routing));
  const dir = mkdtempSync(join(tmpdir(), 'run-template-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  // Upstream blocks exist only in static mode.
  const run = await startRun(fake, { args: ['--backends', 'static', '--template', templateRefusedWithUpstreams(dir)] });
  cleanup(() => run.stop());
  await waitFor('traffic to pod one', async () => (await run.get(APP, '/')).backend === 'one', 30_000);
  const good = sha256OfFile(run.confPath);

  // Scale up: the route gets an upstream, and nginx -t refuses the config.
  fake.addPod(backendPod('two', backends.byName('two').ip, routing));
  const refused = await waitFor(
    'the refused apply reported',
    async () => {
      const m = await scrape(run);
      return applies(m, 'failure') >= 1 ? m : undefined;
    },
    20_000,
  );
  assert.equal(valueOf(refused, `${P}last_apply_success`), 0);
  const line = await waitFor('the log line', () =>
    run.logs.find((entry) => entry['message'] === 'nginx config not applied; the previous config stays in force'),
  );
  assert.equal(line['level'], 'error');
  assert.equal(line['stage'], 'check');
  assert.match(
    String(line['error']),
    /^nginx -t rejected .*nginx\.conf\.candidate: unknown directive "bogus_directive" in /,
  );

  // The old config is in force: the live file, config_info, and the traffic (pod two never gets a request).
  assert.equal(sha256OfFile(run.confPath), good);
  assert.equal(valueOf(refused, `${P}config_info`, { sha256: good }), 1);
  assert.equal(valueOf(refused, `${P}backends`), 1);
  for (let i = 0; i < 6; i++) assert.equal((await run.get(APP, '/')).backend, 'one');
  assert.equal(backends.byName('two').hits, 0);
  assert.doesNotMatch(readFileSync(run.confPath, 'utf8'), /bogus_directive/);

  // The next good config (no upstream any more, and a new host) is applied.
  const succeeded = applies(refused, 'success');
  fake.deletePod('default', 'two');
  fake.addPod(backendPod('api', backends.byName('api').ip, { hosts: API, paths: `${backends.port}:/` }));
  await waitFor('the new host served', async () => (await run.get(API, '/')).backend === 'api', 20_000);
  const m = await scrape(run);
  assert.equal(valueOf(m, `${P}last_apply_success`), 1);
  assert.ok(applies(m, 'success') > succeeded);
  assert.equal(valueOf(m, `${P}config_info`, { sha256: sha256OfFile(run.confPath) }), 1);
  assert.equal((await run.get(APP, '/')).backend, 'one');
});
