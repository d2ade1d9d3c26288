import assert from 'node:assert/strict';
import { test } from 'node:test';
import { map } from 'rxjs';
import type { PodRecord } from '../../src/model/pod-record.js';
import { applyEvents, EMPTY_STATE, type RoutingState } from '../../src/model/routing-state.js';
import { renderConfigs } from '../../src/operators/render-configs.js';
import { TemplateValueError } from '../../src/render/check-view.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { marbles } from '../support/marbles.js';
import { aPod, sync } from '../support/pods.js';

const template = loadTemplate();
const options = { port: 80, ownership: 'host' as const };
const good = applyEvents(EMPTY_STATE, [sync(aPod('web'))], 0);

/** A state whose record skipped the annotation allow-lists, as if a bug let a hostile host through. */
function smuggled(host: string): RoutingState {
  const record = good.pods.get('default/web')!;
  const bad: PodRecord = { ...record, hosts: [host] };
  return { ...good, pods: new Map([[bad.key, bad]]), holds: new Map([[host, good.holds.get('test.k8s.local')!]]) };
}

test('renderConfigs: a state the renderer refuses is reported and dropped; the stream lives on', () => {
  const errors: unknown[] = [];
  marbles(({ cold, expectObservable }) => {
    const states = cold('a-b-c|', { a: good, b: smuggled('evil.com;\n  return 200'), c: good });
    expectObservable(
      states.pipe(
        renderConfigs(template, options, (e) => errors.push(e)),
        map((c) => c.routes),
      ),
    ).toBe('a---c|', { a: 1, c: 1 });
  });
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof TemplateValueError);
  assert.ok(String(errors[0]).includes(String.raw`host "evil.com;\n  return 200"`), String(errors[0]));
});

test('renderConfigs: empty, never, error, unsubscribe', () => {
  marbles(({ cold, expectObservable, expectSubscriptions }) => {
    const fail = () => assert.fail('no render error expected');
    expectObservable(cold<RoutingState>('|').pipe(renderConfigs(template, options, fail))).toBe('|');
    expectObservable(cold<RoutingState>('-').pipe(renderConfigs(template, options, fail)), '^ 5ms !').toBe('');
    expectObservable(cold<RoutingState>('#').pipe(renderConfigs(template, options, fail))).toBe('#');
    const states = cold('a-a', { a: good });
    expectObservable(
      states.pipe(
        renderConfigs(template, options, fail),
        map((c) => c.backends),
      ),
      '^!',
    ).toBe('a', { a: 1 });
    expectSubscriptions(states.subscriptions).toBe('^!');
  });
});
