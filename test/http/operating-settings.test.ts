// The settings of issue 5: where the admin port binds, whether Events are posted, when /healthz gives up on the watch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInvocation, SettingsError } from '../../src/settings.js';

test('the new settings: bind address, Events switch, health silence limit', () => {
  const cases: {
    name: string;
    argv: string[];
    env?: Record<string, string>;
    expect: Record<string, unknown> | RegExp;
  }[] = [
    {
      name: 'defaults',
      argv: ['run'],
      expect: { httpAddress: null, postEvents: true, healthWatchSilenceSeconds: null },
    },
    { name: 'address flag', argv: ['run', '--http-address', '127.0.0.1'], expect: { httpAddress: '127.0.0.1' } },
    {
      name: 'address env, IPv6',
      argv: ['run'],
      env: { K8S_PODS_INGRESS_HTTP_ADDRESS: '::' },
      expect: { httpAddress: '::' },
    },
    {
      name: 'address not an IP',
      argv: ['run', '--http-address', 'localhost'],
      expect: /--http-address: "localhost" is not accepted: must be an IP address/,
    },
    { name: 'events off by flag', argv: ['run', '--events=false'], expect: { postEvents: false } },
    {
      name: 'events off by env',
      argv: ['run'],
      env: { K8S_PODS_INGRESS_POST_EVENTS: 'false' },
      expect: { postEvents: false },
    },
    {
      name: 'events bad value',
      argv: ['run'],
      env: { K8S_PODS_INGRESS_POST_EVENTS: 'no' },
      expect: /K8S_PODS_INGRESS_POST_EVENTS: "no" is not accepted: accepted values are true, false/,
    },
    {
      name: 'silence limit',
      argv: ['run', '--health-watch-silence', '300'],
      expect: { healthWatchSilenceSeconds: 300 },
    },
    {
      name: 'silence limit 0',
      argv: ['run'],
      env: { K8S_PODS_INGRESS_HEALTH_WATCH_SILENCE_SECONDS: '0' },
      expect: /K8S_PODS_INGRESS_HEALTH_WATCH_SILENCE_SECONDS/,
    },
    {
      name: 'not for replay',
      argv: ['replay', '--events=false'],
      expect: /unknown flag --events for "replay" \(it belongs to another command\)/,
    },
  ];
  for (const c of cases) {
    if (c.expect instanceof RegExp) {
      assert.throws(
        () => parseInvocation(c.argv, c.env ?? {}),
        (e: unknown) => e instanceof SettingsError && (c.expect as RegExp).test(e.message),
        c.name,
      );
      continue;
    }
    const { settings } = parseInvocation(c.argv, c.env ?? {});
    for (const [key, value] of Object.entries(c.expect))
      assert.deepEqual((settings as Record<string, unknown>)[key], value, c.name);
  }
});
