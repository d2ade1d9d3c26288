// Issue 8, part 2: the published configuration-injection payloads of ingress-nginx, adapted to trafficHosts and
// publicPaths. Every hostile entry is refused with an Issue that names it, and nothing of it reaches nginx.conf.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProjectedPod } from '../../src/model/pod.js';
import { isValidHost } from '../../src/model/validate.js';
import { checkShape } from '../support/config-shape.js';
import { namedEntry, names } from '../support/fuzz-case.js';
import { parseConfig, walkConfig } from '../support/nginx-config.js';
import { nginxTest } from '../support/nginx-check.js';
import { MULTI_PAYLOADS, SINGLE_PAYLOADS, type MultiPayload, type SinglePayload } from '../support/payloads.js';
import { configText, projected, renderPods, templateContract } from '../support/render-pods.js';

const good = [
  projected({
    namespace: 'shop',
    name: 'web-1',
    created: 1_000,
    ip: '10.0.0.1',
    hosts: 'shop.example.com',
    paths: '80:/ 8080:/api',
  }),
  projected({
    namespace: 'shop',
    name: 'web-2',
    created: 1_001,
    ip: '10.0.0.2',
    hosts: 'shop.example.com',
    paths: '80:/ 8080:/api',
  }),
];
const goodConfig = configText(good);

function attacker(payload: SinglePayload | MultiPayload, index = 0): ProjectedPod {
  const value = 'entry' in payload ? payload.entry : payload.value;
  return projected({
    namespace: 'evil',
    name: `attacker-${index}`,
    created: 5_000,
    ip: '10.9.0.1',
    hosts: payload.annotation === 'hosts' ? value : 'evil.example.org',
    paths: payload.annotation === 'paths' ? value : '80:/',
  });
}

describe('single-entry payloads', () => {
  for (const payload of SINGLE_PAYLOADS) {
    it(`refuses ${payload.annotation} entry: ${payload.name}`, () => {
      const { state, config } = renderPods([...good, attacker(payload)]);
      const record = state.pods.get('evil/attacker-0')!;
      const issues = record.issues.filter((issue) => issue.code !== 'missing-annotation');
      assert.equal(issues.length, 1, `one issue expected, got ${JSON.stringify(record.issues)}`);
      const [issue] = issues;
      assert.equal(issue!.code, payload.code);
      assert.ok(names(namedEntry(issue!.message), payload.entry), `message must name the entry: ${issue!.message}`);
      assert.match(issue!.message, /^[\x20-\x7e]*$/, 'messages are plain ASCII, safe for any log viewer');
      assert.ok(
        config.issues.some((i) => i.pod === 'evil/attacker-0' && i.code === payload.code),
        'the issue reaches the rendered config',
      );
      assert.equal(config.text, goodConfig, 'nothing of the refused entry reaches nginx.conf');
    });
  }

  it('passes nginx -t with every payload in the cluster at once', () => {
    const { config } = renderPods([...good, ...SINGLE_PAYLOADS.map((payload, i) => attacker(payload, i))]);
    assert.equal(config.text, goodConfig);
    assert.deepEqual(checkShape(config.text, templateContract()), []);
    const tested = nginxTest(config.text);
    assert.ok(tested.ok, tested.output);
  });
});

const META = /[^a-zA-Z0-9.*:/%-]/;

describe('multi-line payloads in the style of the published exploits', () => {
  for (const payload of MULTI_PAYLOADS) {
    it(`refuses every hostile word of: ${payload.name}`, () => {
      const { state, config } = renderPods([...good, attacker(payload)]);
      const record = state.pods.get('evil/attacker-0')!;
      const tokens = payload.value.split(/[ \t\r\n]+/).filter((token) => token !== '');
      const named = record.issues.map((issue) => namedEntry(issue.message));
      for (const token of tokens.filter((t) => META.test(t))) {
        assert.ok(
          named.some((entry) => names(entry, token)),
          `${JSON.stringify(token)} must be reported; issues: ${JSON.stringify(record.issues)}`,
        );
      }
      // Words that are themselves valid entries (a bare `server` or `listen` is a valid DNS label, `80:/x` a valid
      // path) are accepted as what they are: a server_name or a location, never a directive.
      if (payload.annotation === 'hosts') {
        for (const host of record.hosts) assert.ok(isValidHost(host) && tokens.includes(host), `accepted host ${host}`);
      } else {
        for (const entry of record.paths)
          assert.ok(tokens.includes(`${entry.port}:${entry.path}`), `accepted path ${entry.path}`);
      }
      assert.deepEqual(checkShape(config.text, templateContract()), []);
      const accepted = projected({
        ...record.pod,
        hosts: record.hosts.join(' '),
        paths: record.paths.map((e) => `${e.port}:${e.path}`).join(' '),
      });
      assert.equal(config.text, configText([...good, accepted]), 'the config is what the accepted words alone make');
    });
  }

  it('passes nginx -t with every multi-line payload at once', () => {
    const { config } = renderPods([...good, ...MULTI_PAYLOADS.map((payload, i) => attacker(payload, i))]);
    assert.deepEqual(checkShape(config.text, templateContract()), []);
    const directives = new Set<string>();
    walkConfig(parseConfig(config.text), (directive) => directives.add(directive.name));
    for (const name of ['ssl_engine', 'load_module', 'content_by_lua_block', 'include', 'alias', 'autoindex', 'root']) {
      assert.ok(!directives.has(name), `no ${name} directive may reach nginx.conf`);
    }
    const tested = nginxTest(config.text);
    assert.ok(tested.ok, tested.output);
  });
});
