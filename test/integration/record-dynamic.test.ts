// record -> replay in dynamic mode: the recording's replay prints exactly the configs and members blocks the live
// pipeline printed, through changes of members alone (no config printed) and a change of structure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { FakeApiServer } from '../support/fake-api-server.js';
import { buildPod } from '../support/fake-pods.js';
import { replayText, startLive, waitFor } from '../support/live-harness.js';

/** A pod of the one route `app.test` + `/`. */
const replica = (name: string) =>
  buildPod({
    name,
    labels: { microservice: 'true' },
    annotations: { trafficHosts: 'app.test', publicPaths: '8080:/' },
  });
const count = (output: string, header: 'config' | 'members'): number =>
  output.match(new RegExp(`^# ${header} \\d+ `, 'gm'))?.length ?? 0;

it('a dynamic recording replays to the same configs and members blocks as the live run printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-dynamic-'));
  const file = join(dir, 'events.ndjson');
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  fake.addPod(replica('a'));
  const live = startLive(fake, ['--out', file, '--backends', 'dynamic'], 'record');
  await waitFor(() => count(live.output(), 'members') === 1, 'the first members block');
  // Scale the route up and down: members only, the config stays as printed.
  fake.addPod(replica('b'));
  await waitFor(() => count(live.output(), 'members') === 2, 'the scale-up printed');
  fake.deletePod('default', 'a');
  await waitFor(() => count(live.output(), 'members') === 3, 'the scale-down printed');
  assert.equal(count(live.output(), 'config'), 1, 'no config printed for a change of members');
  // A new host: a new config, and its members.
  fake.addPod(
    buildPod({
      name: 'api',
      labels: { microservice: 'true' },
      annotations: { trafficHosts: 'api.test', publicPaths: '8080:/v1' },
    }),
  );
  await waitFor(
    () => count(live.output(), 'config') === 2 && count(live.output(), 'members') === 4,
    'the new host printed',
  );
  assert.equal(await live.stop(), 0);

  const output = live.output();
  assert.match(output, /^# microservice\d+ app\.test \/ 10\.244\.\d+\.\d+:8080\(b default\)$/m);
  assert.equal(await replayText(file, ['--window', '200']), output);
});
