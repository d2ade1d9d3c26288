import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { StatusReport } from '../../src/status/status-report.js';
import { runCli } from '../support/cli.js';

const SHOP = 'examples/shop-pods.json';
const DEMO = 'examples/nodejs-k8s-env.ndjson';
const REAL_LIST = 'test/fixtures/real-k8s/lists/k8s-openapi_v1-25_default_podlist_with_terminating.json';

test("--status prints the final status: the last config's hash, every route and pod, nothing logged", () => {
  const { status, stdout, stderr } = runCli(['replay', SHOP, '--status', '--backends', 'static']);
  assert.equal(status, 0, stderr);
  assert.equal(stderr, '', 'the issues are in the output, not logged again');
  const report = JSON.parse(stdout) as StatusReport;
  // Static mode: --last prints the config alone (dynamic mode adds its members as comments).
  const last = runCli(['replay', SHOP, '--last', '--backends', 'static']).stdout;
  assert.deepEqual(report.config, {
    hash: createHash('sha256').update(last).digest('hex'),
    appliedAt: null,
    configs: 1,
    reloads: null,
    pushes: null,
    failed: null,
  });
  assert.deepEqual(
    report.routes.map((r) => `${r.host}${r.path} ${r.unavailable ? 503 : r.backends.length}`),
    [
      'checkout.example.com/ 1',
      'promo.example.com/sale 1',
      'reports.example.com/ 503',
      'shop.example.com/ 2',
      'shop.example.com/api 2',
    ],
  );
  assert.equal(report.pods.length, 8);
  assert.deepEqual(
    report.pods.filter((p) => p.issues.length > 0).map((p) => p.name),
    ['checkout-5c6b-t7n1v', 'banner-9a4b-z1x7y', 'promo-6f7c-k2j8d'],
  );
  assert.equal(runCli(['replay', SHOP, '--status', '--backends', 'static']).stdout, stdout, 'deterministic');
});

test('--status on a recording: the state after its last event', () => {
  const { status, stdout, stderr } = runCli(['replay', DEMO, '--status', '--backends', 'static']);
  assert.equal(status, 0, stderr);
  const report = JSON.parse(stdout) as StatusReport;
  assert.equal(report.config.configs, 3);
  // Dynamic mode counts the windows that changed only the members too (one more here: a pod turned ready).
  const dynamic = JSON.parse(runCli(['replay', DEMO, '--status']).stdout) as StatusReport;
  assert.equal(dynamic.config.configs, 4);
  assert.deepEqual(dynamic.routes, report.routes);
  assert.deepEqual(
    report.routes.map((r) => [r.host, r.path, r.backends.length]),
    [['test.k8s.local', '/nodejs', 3]],
  );
});

test("--explain tells a pod's story in plain words", () => {
  const cases: { pod: string; args?: string[]; file?: string; says: RegExp[] }[] = [
    {
      pod: 'shop/web-7d9f-q4w9r',
      says: [
        /readiness: not ready, so it serves no traffic: phase is Pending/,
        /shop\.example\.com\/ -> port 8080: not served by this pod, which is not ready; its other pods serve it/,
        /2 ready pods: shop\/web-7d9f-m8z2p \(10\.244\.2\.17:8080\), shop\/web-7d9f-x2k4q \(10\.244\.1\.12:8080\)/,
      ],
    },
    {
      pod: 'team-b/promo-6f7c-k2j8d',
      says: [
        /shop\.example\.com\/sale -> port 80: refused/,
        /host-conflict: host shop\.example\.com belongs to namespace shop/,
        /shop\.example\.com: namespace shop, since 2026-03-01T09:00:00\.000Z, the creation of its oldest claiming pod shop\/web-7d9f-x2k4q/,
      ],
    },
    { pod: 'team-b/reports-8d2e-w3c6f', says: [/not served: no pod of it is ready, so it answers 503/] },
    {
      pod: 'team-b/banner-9a4b-z1x7y',
      says: [/invalid-host: host "<script>alert\(\\"status\\"\)<\/script>" is not a DNS name/, /Routes: none/],
    },
    {
      pod: 'default/k8s-openapi-tests-patch-deployment-696d8f74f9-5h5ns',
      file: REAL_LIST,
      args: ['--selector', 'pod-template-hash'],
      says: [/terminating \(deletionTimestamp is set\)/, /a terminating pod claims nothing/],
    },
  ];
  for (const c of cases) {
    const { status, stdout, stderr } = runCli(['replay', c.file ?? SHOP, '--explain', c.pod, ...(c.args ?? [])]);
    assert.equal(status, 0, `${c.pod}: ${stderr}`);
    assert.equal(stderr, '');
    for (const pattern of c.says) assert.match(stdout, pattern, `${c.pod}:\n${stdout}`);
  }
});

test('an unknown pod exits 2 and names the pods it could have meant; bad combinations are usage errors', () => {
  const cases: { args: string[]; stderr: RegExp }[] = [
    {
      args: ['replay', SHOP, '--explain', 'default/web-7d9f-q4w9r'],
      stderr:
        /^k8s-pods-ingress: no pod default\/web-7d9f-q4w9r in examples\/shop-pods\.json \(8 matched the selector\); did you mean shop\/web-7d9f-q4w9r\?\n$/,
    },
    {
      args: ['replay', SHOP, '--explain', 'shop/web'],
      stderr: /did you mean shop\/web-6c1a-h5v8n, shop\/web-7d9f-m8z2p, shop\/web-7d9f-q4w9r, shop\/web-7d9f-x2k4q\?/,
    },
    {
      args: ['replay', REAL_LIST, '--explain', 'default/patch-deployment'],
      stderr:
        /no pod default\/patch-deployment .* \(0 matched the selector\); no pod in it matches the selector microservice=true/,
    },
    {
      args: ['replay', SHOP, '--explain', 'web-1'],
      stderr: /--explain: "web-1" is not accepted: must be NAMESPACE\/NAME/,
    },
    {
      args: ['replay', SHOP, '--status', '--explain', 'shop/x'],
      stderr: /--status and --explain cannot be used together/,
    },
    {
      args: ['replay', SHOP, '--status', '--last'],
      stderr: /--status prints instead of the configs; drop --last and --out/,
    },
    { args: ['record', '--status'], stderr: /unknown flag --status for "record"/ },
  ];
  for (const c of cases) {
    const { status, stdout, stderr } = runCli(c.args);
    assert.equal(status, 2, `${c.args.join(' ')}: ${stderr}`);
    assert.match(stderr, c.stderr, c.args.join(' '));
    assert.equal(stdout, '', c.args.join(' '));
  }
});
