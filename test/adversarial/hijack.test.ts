// Issue 8, part 3: a namespace trying to take traffic that another namespace serves. Under the default policy a host
// belongs to the namespace of its oldest claiming pod, kept through restarts and for a grace period after its last pod.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import type { PodEvent } from '../../src/model/events.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { configsFrom } from '../../src/pipeline.js';
import { ReplayClock } from '../../src/streams/replay-clock.js';
import {
  applyBatches,
  projected,
  reduceOptions,
  renderFrom,
  renderPods,
  shippedTemplate,
  TEST_PORT,
  type Rendered,
  type RenderPodsOptions,
} from '../support/render-pods.js';

const GRACE_MS = 60_000;
const owner = (name: string, created: number, extra: Partial<ProjectedPod> = {}): ProjectedPod =>
  projected({
    namespace: 'shop',
    name,
    created,
    ip: `10.0.0.${created % 250}`,
    hosts: 'shop.example.com',
    paths: '80:/',
    ...extra,
  });
const attacker = (created: number, extra: Partial<ProjectedPod> = {}): ProjectedPod =>
  projected({
    namespace: 'evil',
    name: 'thief',
    created,
    ip: '10.9.9.9',
    hosts: 'shop.example.com',
    paths: '80:/',
    ...extra,
  });

/** Which namespaces serve each path of a host (backends and waiting pods), or undefined when the host is not served. */
function servedBy(rendered: Rendered, host: string): Record<string, string[]> | undefined {
  const routes = rendered.table.hosts.find((h) => h.host === host)?.routes;
  if (routes === undefined) return undefined;
  return Object.fromEntries(
    routes.map((r) => [r.path, [...new Set([...r.backends, ...r.waiting].map((p) => p.namespace))]]),
  );
}

function conflicts(rendered: Rendered, pod: string): string[] {
  return rendered.config.issues
    .filter((i) => i.pod === pod && (i.code === 'host-conflict' || i.code === 'route-conflict'))
    .map((i) => i.message);
}

const at = (time: number, ...events: PodEvent[]) => ({ at: time, events });
const added = (pod: ProjectedPod): PodEvent => ({ type: 'ADDED', pod });
const deleted = (pod: ProjectedPod): PodEvent => ({ type: 'DELETED', pod });
const run = (batches: Parameters<typeof applyBatches>[0], options: RenderPodsOptions = {}) =>
  renderFrom(applyBatches(batches, options), options);

describe('a namespace claiming a host another namespace owns (policy host)', () => {
  it('is refused when it arrives after the owner', () => {
    const rendered = run([at(0, { type: 'SYNC', pods: [owner('web-1', 1_000)] }), at(5_000, added(attacker(2_000)))]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.deepEqual(conflicts(rendered, 'evil/thief'), [
      'host shop.example.com belongs to namespace shop; claims on it from namespace evil are refused',
    ]);
  });

  it('is refused when it arrives first but its pod is younger: arrival order does not decide', () => {
    const rendered = run([at(0, { type: 'SYNC', pods: [attacker(2_000)] }), at(5_000, added(owner('web-1', 1_000)))]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.equal(conflicts(rendered, 'evil/thief').length, 1);
  });

  it('wins when its pod is genuinely older: first come, first served (the later team sees a host-conflict Issue)', () => {
    const rendered = renderPods([attacker(500), owner('web-1', 1_000)]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['evil'] });
    assert.equal(conflicts(rendered, 'shop/web-1').length, 1);
  });

  it("is refused for a sub-path of the host too (/admin would divert what the owner's / serves)", () => {
    const rendered = renderPods([owner('web-1', 1_000), attacker(2_000, { paths: '80:/admin 80:/' })]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.equal(conflicts(rendered, 'evil/thief').length, 1);
  });

  it('is refused whatever the case of the host and however it is spelt with upper-case letters', () => {
    const rendered = renderPods([owner('web-1', 1_000), attacker(2_000, { hosts: 'SHOP.Example.COM' })]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.deepEqual(conflicts(rendered, 'evil/thief'), [
      'host shop.example.com belongs to namespace shop; claims on it from namespace evil are refused',
    ]);
  });

  it('cannot make a second identity with a trailing dot (refused: nginx strips it from Host, so it is the same site)', () => {
    const rendered = renderPods([owner('web-1', 1_000), attacker(2_000, { hosts: 'shop.example.com.' })]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.equal(rendered.state.pods.get('evil/thief')!.issues[0]?.code, 'invalid-host');
  });

  it('treats IPv4-literal hosts like names: the oldest claim owns 10.0.0.1', () => {
    const rendered = renderPods([owner('web-1', 1_000, { hosts: '10.0.0.1' }), attacker(2_000, { hosts: '10.0.0.1' })]);
    assert.deepEqual(servedBy(rendered, '10.0.0.1'), { '/': ['shop'] });
    assert.equal(conflicts(rendered, 'evil/thief').length, 1);
  });

  it('treats punycode (IDN) hosts as their own names; a look-alike punycode name is another host, not a hijack', () => {
    const rendered = renderPods([
      owner('web-1', 1_000, { hosts: 'xn--80ak6aa92e.com apple.example' }),
      attacker(2_000, { hosts: 'xn--80ak6aa92e.com xn--pple-43d.example \u0430pple.example' }),
    ]);
    assert.deepEqual(servedBy(rendered, 'xn--80ak6aa92e.com'), { '/': ['shop'] });
    assert.deepEqual(servedBy(rendered, 'apple.example'), { '/': ['shop'] });
    // Requests for apple.example never carry Host xn--pple-43d.example, so the look-alike only gets its own traffic.
    assert.deepEqual(servedBy(rendered, 'xn--pple-43d.example'), { '/': ['evil'] });
    assert.deepEqual(
      rendered.state.pods.get('evil/thief')!.issues.map((i) => i.code),
      ['invalid-host'],
    );
  });
});

describe('restarts of the owner while an attacker waits (policy host, grace 60 s)', () => {
  const old = owner('web-old', 1_000);
  const thief = attacker(2_000);
  const fresh = owner('web-new', 3_000);

  it("keeps the host through a rolling restart whose new pods are younger than the attacker's", () => {
    const rendered = run([
      at(0, { type: 'SYNC', pods: [old, thief] }),
      at(10_000, added(fresh)),
      at(20_000, deleted(old)),
    ]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.equal(rendered.table.hosts[0]!.routes[0]!.backends[0]!.name, 'web-new');
    assert.equal(conflicts(rendered, 'evil/thief').length, 1);
  });

  it('keeps the host through delete-then-create within the grace period (nobody serves it in between)', () => {
    const gap = run([at(0, { type: 'SYNC', pods: [old, thief] }), at(10_000, deleted(old))]);
    assert.equal(
      servedBy(gap, 'shop.example.com'),
      undefined,
      'in the gap the host answers 444, it is not handed over',
    );
    assert.equal(conflicts(gap, 'evil/thief').length, 1);
    const back = run([
      at(0, { type: 'SYNC', pods: [old, thief] }),
      at(10_000, deleted(old)),
      at(10_000 + GRACE_MS - 1, added(fresh)),
    ]);
    assert.deepEqual(servedBy(back, 'shop.example.com'), { '/': ['shop'] });
  });

  it('hands the host to the oldest remaining claimant once the grace period is over (documented behaviour)', () => {
    // The reducer wakes itself when the grace period ends (an empty batch), as the next test shows.
    const late = run([
      at(0, { type: 'SYNC', pods: [old, thief] }),
      at(10_000, deleted(old)),
      at(10_000 + GRACE_MS),
      at(11_000 + GRACE_MS, added(fresh)),
    ]);
    assert.deepEqual(servedBy(late, 'shop.example.com'), { '/': ['evil'] });
    assert.equal(conflicts(late, 'shop/web-new').length, 1);
  });

  it('hands over at the end of the grace period even when no further event arrives (the pipeline wakes itself)', () => {
    const clock = new ReplayClock();
    const events$ = new Subject<PodEvent>();
    const configs: Array<{ at: number; config: RenderedConfig }> = [];
    const options = {
      windowMs: 1_000,
      scheduler: clock,
      template: shippedTemplate(),
      reduce: reduceOptions(),
      render: { port: TEST_PORT, ownership: 'host' as const },
    };
    const subscription = configsFrom(events$, options).subscribe((config) => configs.push({ at: clock.now(), config }));
    try {
      events$.next({ type: 'SYNC', pods: [old, thief] });
      clock.advanceTo(5_000);
      events$.next(deleted(old));
      clock.advanceTo(200_000);
    } finally {
      subscription.unsubscribe();
    }
    assert.deepEqual(
      configs.map((c) => c.config.routes),
      [1, 0, 1],
    );
    assert.ok(
      configs[2]!.at >= 6_000 + GRACE_MS && configs[2]!.at <= 6_000 + GRACE_MS + 1_000,
      `handed over at ${configs[2]!.at}`,
    );
    assert.match(configs[2]!.config.text, /# Pod thief \(evil\)/);
  });
});

describe('a long-lived pod of the attacker, annotated later (its creationTimestamp is old)', () => {
  it('takes the host at once under the oldest-pod rule: a documented risk (see the README security section)', () => {
    // The attacker's pod has run since before the shop existed; only now does it get the shop's host annotation.
    const sleeper = attacker(500, { hosts: null, paths: null });
    const rendered = run([
      at(0, { type: 'SYNC', pods: [owner('web-1', 1_000), sleeper] }),
      at(10_000, { type: 'MODIFIED', pod: { ...sleeper, hosts: 'shop.example.com', paths: '80:/' } }),
    ]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['evil'] });
    assert.equal(conflicts(rendered, 'shop/web-1').length, 1, 'the owner at least sees a host-conflict Issue');
  });
});

describe('wildcard hosts overlapping exact hosts of another namespace', () => {
  const wild = (created: number, hosts = '*.example.com') =>
    projected({ namespace: 'apps', name: 'router', created, ip: '10.0.1.1', hosts, paths: '80:/' });

  it('refuses a younger exact host under an older foreign wildcard (nginx would prefer the exact name: a hijack)', () => {
    const rendered = renderPods([wild(1_000), attacker(2_000)]);
    assert.equal(servedBy(rendered, 'shop.example.com'), undefined);
    assert.deepEqual(servedBy(rendered, '*.example.com'), { '/': ['apps'] });
    assert.deepEqual(conflicts(rendered, 'evil/thief'), [
      'host shop.example.com is covered by wildcard *.example.com of namespace apps, which holds it since earlier; claims on it from namespace evil are refused',
    ]);
  });

  it('refuses a younger, narrower foreign wildcard under it too (nginx prefers the longest wildcard)', () => {
    const rendered = renderPods([wild(1_000), attacker(2_000, { hosts: '*.shop.example.com' })]);
    assert.equal(servedBy(rendered, '*.shop.example.com'), undefined);
    assert.equal(conflicts(rendered, 'evil/thief').length, 1);
  });

  it('lets an older exact host keep its traffic when a wildcard arrives later (the wildcard never served it)', () => {
    const rendered = renderPods([owner('web-1', 1_000), wild(2_000)]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'] });
    assert.deepEqual(servedBy(rendered, '*.example.com'), { '/': ['apps'] });
    assert.deepEqual(rendered.config.issues, []);
  });

  it('lets one namespace combine its own wildcard and exact names', () => {
    const rendered = renderPods([
      wild(1_000),
      projected({ namespace: 'apps', name: 'admin', created: 2_000, hosts: 'admin.example.com', paths: '80:/' }),
    ]);
    assert.deepEqual(servedBy(rendered, 'admin.example.com'), { '/': ['apps'] });
  });

  it("releases the covered name when the wildcard's grace period is over", () => {
    const router = wild(1_000);
    const rendered = run([
      at(0, { type: 'SYNC', pods: [router, attacker(2_000)] }),
      at(1_000, deleted(router)),
      at(1_000 + GRACE_MS, { type: 'SYNC', pods: [attacker(2_000)] }),
    ]);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['evil'] });
  });

  it('refuses it under the per-route policy as well (an exact server block would take every path of the name)', () => {
    const rendered = renderPods([wild(1_000), attacker(2_000, { paths: '80:/admin' })], { ownership: 'route' });
    assert.equal(servedBy(rendered, 'shop.example.com'), undefined);
    assert.equal(
      conflicts(rendered, 'evil/thief')[0]?.startsWith(
        'route shop.example.com/admin is covered by wildcard *.example.com',
      ),
      true,
    );
  });
});

describe('the per-route policy (OWNERSHIP=route)', () => {
  const options: RenderPodsOptions = { ownership: 'route' };

  it('lets another namespace serve a different path of the same host', () => {
    const rendered = renderPods([owner('web-1', 1_000), attacker(2_000, { paths: '80:/admin' })], options);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'], '/admin': ['evil'] });
    assert.deepEqual(rendered.config.issues, []);
  });

  it('still refuses the same (host, path) from a younger namespace', () => {
    const rendered = renderPods([owner('web-1', 1_000), attacker(2_000, { paths: '80:/ 80:/admin' })], options);
    assert.deepEqual(servedBy(rendered, 'shop.example.com'), { '/': ['shop'], '/admin': ['evil'] });
    assert.deepEqual(conflicts(rendered, 'evil/thief'), [
      'route shop.example.com/ belongs to namespace shop; claims on it from namespace evil are refused',
    ]);
  });
});
