// Issue 8, part 3: resource abuse. Limits per pod bound what one pod can make the controller read, hold and render;
// figures are printed as TAP diagnostics (no timing assertions: the machine is shared).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Subject } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_ROUTES, readPod } from '../../src/model/pod-record.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { configsFrom } from '../../src/pipeline.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import { checkShape } from '../support/config-shape.js';
import { nginxTest } from '../support/nginx-check.js';
import {
  applyBatches,
  projected,
  reduceOptions,
  renderFrom,
  renderPods,
  shippedTemplate,
  templateContract,
  TEST_PORT,
} from '../support/render-pods.js';

const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function measure<T>(t: TestContext, what: string, work: () => T): T {
  global.gc?.();
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  t.diagnostic(
    `${what}: ${ms.toFixed(0)} ms, heap ${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB more`,
  );
  return result;
}

describe('one pod asking for too much', () => {
  it('reads the first MAX_ENTRIES of 10,000 hosts and reports the rest', (t) => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => `h${i}.example`).join(' ');
    const limits = { ...DEFAULT_LIMITS, maxEntries: 100, maxAnnotationLength: 262_144 };
    const record = measure(t, '10,000 hosts (116 KB), MAX_ENTRIES 100', () =>
      readPod(projected({ namespace: 'a', name: 'p', hosts, paths: '80:/' }), limits),
    );
    assert.equal(record.hosts.length, 100);
    assert.deepEqual(
      record.issues.map((i) => i.code),
      ['too-many-entries'],
    );
    assert.match(record.issues[0]!.message, /10000 entries, over the limit of 100/);
  });

  it('ignores a 1 MB annotation outright (over MAX_ANNOTATION_LENGTH) and says how long it was', (t) => {
    const huge = `shop.example.com ${'a'.repeat(1 << 20)}`;
    const { config, state } = measure(t, '1 MB hosts annotation, rendered', () =>
      renderPods([projected({ namespace: 'a', name: 'p', hosts: huge, paths: '80:/' })]),
    );
    assert.equal(config.routes, 0);
    const issue = state.pods.get('a/p')!.issues[0]!;
    assert.equal(issue.code, 'annotation-too-large');
    assert.match(issue.message, /1048593 characters, over the limit of 16384/);
  });

  it(`takes none of a pod's routes when hosts x paths is over ${DEFAULT_MAX_ROUTES}, and all of them at the limit`, (t) => {
    const list = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
    const over = projected({
      namespace: 'a',
      name: 'p',
      hosts: list(100, (i) => `h${i}.example`),
      paths: list(100, (i) => `80:/p${i}`),
    });
    const refused = measure(t, '100 hosts x 100 paths', () => renderPods([over]));
    assert.equal(refused.config.routes, 0);
    assert.deepEqual(
      refused.config.issues.map((i) => i.message),
      [
        `the annotations ask for 100 hosts x 100 paths = 10000 routes, over the limit of ${DEFAULT_MAX_ROUTES} per pod; none were taken`,
      ],
    );
    const full = projected({
      namespace: 'a',
      name: 'p',
      hosts: list(40, (i) => `h${i}.example`),
      paths: list(25, (i) => `80:/p${i}`),
    });
    const rendered = measure(t, '40 hosts x 25 paths = 1000 routes, rendered', () => renderPods([full]));
    assert.equal(rendered.config.routes, 1_000);
    t.diagnostic(`1000 routes of one pod make ${(rendered.config.text.length / 1e6).toFixed(2)} MB of nginx.conf`);
  });

  it('reads 10,000 entries in linear time at the highest MAX_ENTRIES (duplicates found with sets)', (t) => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => `h${i}.example.com`).join(' ');
    const paths = Array.from({ length: 10_000 }, (_, i) => `80:/p${i}`).join(' ');
    const limits = { ...DEFAULT_LIMITS, maxEntries: 10_000, maxAnnotationLength: 262_144 };
    const record = measure(t, '10,000 hosts + 10,000 paths at MAX_ENTRIES 10000', () =>
      readPod(projected({ namespace: 'a', name: 'p', hosts, paths }), limits),
    );
    assert.deepEqual(
      record.issues.map((i) => i.code),
      ['too-many-entries'],
      'bounded by the route limit, not by memory',
    );
    assert.equal(record.hosts.length, 0);
  });

  it("holds the raw annotations of many large pods only up to the API server's own bound (256 KiB per object)", (t) => {
    const value = 'x'.repeat(256 * 1024 - 100);
    const pods = Array.from({ length: 100 }, (_, i) =>
      projected({ namespace: `ns${i}`, name: 'p', hosts: `${value}${i}`, paths: '80:/' }),
    );
    const { config } = measure(t, '100 pods with 256 KiB annotations each', () => renderPods(pods));
    assert.equal(config.routes, 0);
    assert.equal(config.issues.length, 100);
  });
});

describe('many pods', () => {
  it('renders thousands of pods on one route as one upstream that nginx accepts', (t) => {
    const pods = Array.from({ length: 3_000 }, (_, i) =>
      projected({ namespace: 'shop', name: `web-${i}`, ip: ip(i), hosts: 'shop.example.com', paths: '80:/' }),
    );
    const { config } = measure(t, '3000 pods on one route', () => renderPods(pods));
    assert.equal(config.routes, 1);
    assert.equal(config.backends, 3_000);
    assert.deepEqual(checkShape(config.text, templateContract()), []);
    const tested = nginxTest(config.text);
    assert.ok(tested.ok, tested.output);
  });

  it('gives one host to the oldest of 2,000 namespaces claiming it, and reports each of the others once', (t) => {
    const pods = Array.from({ length: 2_000 }, (_, i) =>
      projected({
        namespace: `team-${i}`,
        name: 'web',
        created: 10_000 - i,
        ip: ip(i),
        hosts: 'shop.example.com',
        paths: '80:/',
      }),
    );
    const { config, table } = measure(t, '2000 namespaces on one host', () => renderPods(pods));
    assert.equal(table.hosts[0]!.routes[0]!.backends[0]!.namespace, 'team-1999');
    assert.equal(config.issues.filter((i) => i.code === 'host-conflict').length, 1_999);
  });

  it('keeps same-named pods of different namespaces apart (keys are namespace/name)', () => {
    const a = projected({
      namespace: 'a',
      name: 'web',
      uid: 'uid-a',
      ip: '10.0.0.1',
      hosts: 'a.example',
      paths: '80:/',
    });
    const b = projected({
      namespace: 'b',
      name: 'web',
      uid: 'uid-b',
      ip: '10.0.0.2',
      hosts: 'b.example',
      paths: '80:/',
    });
    const both = renderPods([a, b]);
    assert.deepEqual(
      both.table.hosts.map((h) => [h.host, h.routes[0]!.backends[0]!.address]),
      [
        ['a.example', '10.0.0.1:80'],
        ['b.example', '10.0.0.2:80'],
      ],
    );
    const stale = { ...a, uid: 'uid-old' };
    const after = renderFrom(
      applyBatches([
        { at: 0, events: [{ type: 'SYNC', pods: [a, b] }] },
        { at: 1_000, events: [{ type: 'DELETED', pod: stale }] },
        { at: 2_000, events: [{ type: 'DELETED', pod: b }] },
      ]),
    );
    assert.deepEqual(
      after.table.hosts.map((h) => h.host),
      ['a.example'],
      'a stale DELETED of an older a/web is ignored; b/web goes',
    );
  });
});

describe('pods flapping between ready and not ready', () => {
  const replicas = [1, 2, 3].map((n) =>
    projected({ namespace: 'shop', name: `web-${n}`, ip: `10.0.0.${n}`, hosts: 'shop.example.com', paths: '80:/' }),
  );
  const flapper = replicas[2]!;

  function run(steps: ReadonlyArray<readonly PodEvent[]>): Array<{ window: number; config: RenderedConfig }> {
    const clock = new ReplayClock();
    const events$ = new Subject<PodEvent>();
    const out: Array<{ window: number; config: RenderedConfig }> = [];
    const options = {
      windowMs: 1_000,
      scheduler: clock,
      template: shippedTemplate(),
      reduce: reduceOptions(),
      render: { port: TEST_PORT, ownership: 'host' as const },
    };
    const subscription = configsFrom(events$, options).subscribe((config) =>
      out.push({ window: Math.floor(clock.now() / 1_000), config }),
    );
    try {
      steps.forEach((events, window) => {
        clock.advanceTo(window * 1_000 + 100);
        events.forEach((event) => events$.next(event));
      });
      clock.advanceTo(steps.length * 1_000 + 1_000);
    } finally {
      subscription.unsubscribe();
    }
    return out;
  }

  const modified = (pod: ProjectedPod, ready: boolean): PodEvent => ({ type: 'MODIFIED', pod: { ...pod, ready } });

  it('renders the right backends in every window, one config per real change', () => {
    const steps: PodEvent[][] = [[{ type: 'SYNC', pods: replicas }]];
    for (let i = 0; i < 10; i++) steps.push([modified(flapper, i % 2 === 1)]);
    const out = run(steps);
    assert.equal(out.length, 11);
    out.forEach(({ window, config }, i) => {
      const serving = i % 2 === 0 ? 3 : 2;
      // The first full list is rendered as it arrives (the first window closes at once); each change after it at the
      // end of its own window.
      assert.equal(window, i === 0 ? 0 : i + 1, 'each change is applied at the end of its own window');
      assert.equal(config.backends, serving);
      assert.equal(config.text.includes('server 10.0.0.3:80;'), serving === 3);
    });
  });

  it('makes no new config when a pod flaps and comes back within one window', () => {
    const steps: PodEvent[][] = [[{ type: 'SYNC', pods: replicas }]];
    for (let i = 0; i < 10; i++) steps.push([modified(flapper, false), modified(flapper, true)]);
    assert.equal(run(steps).length, 1);
  });

  it('keeps a single-pod route in place while it flaps, answering 503 when not ready', () => {
    const solo = projected({ namespace: 'blog', name: 'solo', ip: '10.0.1.1', hosts: 'blog.example', paths: '80:/' });
    const out = run([
      [{ type: 'SYNC', pods: [solo] }],
      [modified(solo, false)],
      [modified(solo, true)],
      [modified(solo, false)],
    ]);
    assert.deepEqual(
      out.map(({ config }) => [config.routes, /return 503;/.test(config.text)]),
      [
        [1, false],
        [1, true],
        [1, false],
        [1, true],
      ],
    );
  });
});

describe('defaults', () => {
  it('are the documented ones', () => {
    assert.deepEqual(DEFAULT_LIMITS, { maxEntries: 100, maxAnnotationLength: 16_384, maxRoutes: 1_000 });
  });
});
