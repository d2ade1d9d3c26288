// `record` runs the live pipeline and writes what it was fed; `replay` of that file must print the same configs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-api-server.js';
import { convergence, microservice, replayText, startLive } from '../support/live-harness.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('record', () => {
  it('writes a recording whose replay prints exactly the live config sequence', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'record-'));
    const file = join(dir, 'events.ndjson');
    const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
    t.after(async () => {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const bulky = microservice('a', 'default', '/a');
    bulky.metadata['managedFields'] = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:metadata': {} } }];
    fake.addPod(bulky);
    fake.addPod(microservice('b', 'default', '/b'));
    const live = startLive(fake, ['--out', file], 'record');
    await convergence(live, fake);
    // Changes well apart from each other...
    fake.addPod(microservice('c', 'default', '/c'));
    await convergence(live, fake);
    await pause(300);
    fake.modifyPod('default', 'a', { metadata: { annotations: { publicPaths: '8080:/a 8080:/a2' } } });
    await convergence(live, fake);
    // ...a relist after a lost, compacted history...
    fake.failRequests({ forMs: 300 }, 503, 'watch');
    fake.dropConnections();
    fake.deletePod('default', 'b');
    fake.compact();
    await convergence(live, fake);
    // ...and a burst whose changes straddle window boundaries (the live clock makes even those replay the same).
    for (const name of ['d', 'e', 'f', 'g']) {
      fake.addPod(microservice(name, 'default', `/${name}`));
      await pause(70);
    }
    await convergence(live, fake);
    assert.equal(await live.stop(), 0);

    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((line) => line['type']).slice(0, 2), ['START', 'SYNC']);
    assert.ok(
      lines.every(
        (line) => typeof line['at'] === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(line['at']),
      ),
    );
    assert.equal((lines[1]?.['object'] as { kind: string }).kind, 'PodList');
    assert.equal(lines.filter((line) => line['type'] === 'SYNC').length, 2, 'the first list and the relist');
    assert.ok(!readFileSync(file, 'utf8').includes('managedFields'));
    assert.ok(live.configs().length >= 5);
    // Replay with the same window as the recording run (FAST_ARGS).
    assert.equal(await replayText(file, ['--window', '200', '--backends', 'static']), live.output());
  });

  it('refuses to start without --out', async () => {
    const fake = await FakeApiServer.start();
    try {
      const live = startLive(fake, [], 'record');
      await assert.rejects(live.stop(), /record needs --out FILE/);
    } finally {
      await fake.stop();
    }
  });
});
