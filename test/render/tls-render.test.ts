// The TLS parts of nginx.conf: rendered from the real model with real certificates, accepted by `nginx -t` with
// their key files written, shaped by the settings (redirect, its port, HSTS), and refused when a value is forged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PodEvent } from '../../src/model/events.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../../src/model/routing-state.js';
import { checkView, TemplateValueError } from '../../src/render/check-view.js';
import { renderState, type RenderOptions } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { buildView } from '../../src/model/config-view.js';
import { projectSecret } from '../../src/streams/project-secret.js';
import { TlsFiles } from '../../src/sinks/tls-files.js';
import type { ProjectedSecret } from '../../src/model/secret.js';
import { makeCa, makeLeaf, tlsSecret } from '../support/certificates.js';
import { captureLogs } from '../support/log-capture.js';
import { NGINX, requireNginx } from '../support/nginx-check.js';
import { aPod } from '../support/pods.js';

const ca = makeCa();
after(() => ca.dispose());
const shop = projectSecret(tlsSecret('shop', 'tls', makeLeaf(ca, { sans: ['DNS:shop.test'] }))) as ProjectedSecret;
const template = loadTemplate();
const events: PodEvent[] = [
  {
    type: 'SYNC',
    pods: [aPod('web', { namespace: 'shop', hosts: 'shop.test plain.test', paths: '8080:/', tlsSecret: 'tls' })],
  },
  { type: 'SECRET_SYNC', secrets: [shop] },
];
const state = applyEvents(EMPTY_STATE, events, Date.now(), DEFAULT_REDUCE_OPTIONS);
const tls = { defaultSecret: null, httpsPort: 8443, publicHttpsPort: 8443, redirect: true, hstsMaxAge: 0 };
const render = (overrides: Partial<typeof tls> = {}): RenderedConfig =>
  renderState(state, template, { port: 8080, ownership: 'host', tls: { ...tls, ...overrides } } as RenderOptions);

/** Runs `nginx -t` on a rendered config with its key files written next to it. */
function nginxTest(config: RenderedConfig): { ok: boolean; output: string } {
  requireNginx();
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-tls-t-'));
  try {
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, config.text);
    new TlsFiles(file, captureLogs('error').logger).write(config);
    const result = spawnSync(NGINX, ['-t', '-q', '-p', `${prefix}/`, '-c', file, '-e', 'stderr'], { encoding: 'utf8' });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

test('HTTPS parts of the config, by setting, each accepted by nginx -t', () => {
  const cases: [string, Partial<typeof tls>, RegExp[], RegExp[]][] = [
    [
      'redirect to a non-default port',
      {},
      [
        /listen 0\.0\.0\.0:8443 ssl http2;/,
        /return 308 https:\/\/\$host:8443\$request_uri;/,
        /ssl_reject_handshake on;/,
        /ssl_protocols TLSv1\.2 TLSv1\.3;/,
      ],
      [/Strict-Transport-Security/],
    ],
    ['redirect to 443 has no port', { publicHttpsPort: 443 }, [/return 308 https:\/\/\$host\$request_uri;/], []],
    ['redirect off', { redirect: false }, [/ssl_certificate tls\//], [/return 308/]],
    [
      'HSTS on',
      { hstsMaxAge: 31536000 },
      [/https "max-age=31536000";/, /add_header Strict-Transport-Security \$k8s_pods_ingress_hsts always;/],
      [],
    ],
  ];
  for (const [name, overrides, present, absent] of cases) {
    const config = render(overrides);
    for (const pattern of present) assert.match(config.text, pattern, name);
    for (const pattern of absent) assert.doesNotMatch(config.text, pattern, name);
    // Only the covered host is on HTTPS; the other is plain HTTP and reported.
    assert.equal(config.text.match(/ssl_certificate /g)?.length, 1, name);
    assert.deepEqual(
      config.issues.map((issue) => issue.code),
      ['tls-host-not-covered'],
      name,
    );
    const verdict = nginxTest(config);
    assert.ok(verdict.ok, `${name}: ${verdict.output}`);
  }
});

test('a wildcard host redirects only the names its certificate covers, accepted by nginx -t', () => {
  const star = projectSecret(tlsSecret('apps', 'tls', makeLeaf(ca, { sans: ['DNS:*.apps.test'] }))) as ProjectedSecret;
  const wild = applyEvents(
    EMPTY_STATE,
    [
      {
        type: 'SYNC',
        pods: [aPod('web', { namespace: 'apps', hosts: '*.apps.test', paths: '8080:/', tlsSecret: 'tls' })],
      },
      { type: 'SECRET_SYNC', secrets: [star] },
    ],
    Date.now(),
    DEFAULT_REDUCE_OPTIONS,
  );
  const config = renderState(wild, template, { port: 8080, ownership: 'host', tls } as RenderOptions);
  assert.match(
    config.text,
    /if \(\$host !~ "\^\[\^\.\]\+\[\.\]apps\[\.\]test\$"\) \{\n\s+set \$k8s_pods_ingress_redirect_here 0;/,
  );
  assert.match(
    config.text,
    /if \(\$k8s_pods_ingress_redirect_here\) \{\n\s+return 308 https:\/\/\$host:8443\$request_uri;/,
  );
  const verdict = nginxTest(config);
  assert.ok(verdict.ok, verdict.output);
});

test('with TLS on but no host on HTTPS the config is what it was without TLS', () => {
  const plain = applyEvents(
    EMPTY_STATE,
    [
      { type: 'SYNC', pods: [aPod('web', { hosts: 'a.test', paths: '8080:/' })] },
      { type: 'SECRET_SYNC', secrets: [] },
    ],
    0,
  );
  const withTls = renderState(plain, template, { port: 8080, ownership: 'host', tls });
  const without = renderState(plain, template, { port: 8080, ownership: 'host' });
  assert.equal(withTls.text, without.text);
});

test('forged TLS values are refused before they reach the config', () => {
  const base = buildView({ hosts: [], issues: [] }, { port: 80 });
  const server = {
    host: 'shop.test',
    locations: [],
    tls: { certificate: 'tls/../../etc/shadow', redirect: true, redirectPort: null, hsts: false },
  };
  const cases: [string, object][] = [
    ['path escape in the key file', { ...base, servers: [server] }],
    [
      'directive in the key file',
      {
        ...base,
        servers: [{ ...server, tls: { ...server.tls, certificate: `tls/${'a'.repeat(64)}.pem; include /x` } }],
      },
    ],
    [
      'bad redirect port',
      {
        ...base,
        servers: [{ ...server, tls: { ...server.tls, certificate: `tls/${'a'.repeat(64)}.pem`, redirectPort: 70000 } }],
      },
    ],
    [
      'regex in the wildcard suffix',
      {
        ...base,
        servers: [{ ...server, tls: { ...server.tls, certificate: `tls/${'a'.repeat(64)}.pem`, redirectOnly: '.*' } }],
      },
    ],
    [
      'directive in the wildcard suffix',
      {
        ...base,
        servers: [
          {
            ...server,
            tls: {
              ...server.tls,
              certificate: `tls/${'a'.repeat(64)}.pem`,
              redirectOnly: '[.]a") { return 200; } if ($x',
            },
          },
        ],
      },
    ],
    ['bad HTTPS port', { ...base, httpsPort: 0 }],
    ['bad HSTS', { ...base, httpsPort: 443, https: { hstsMaxAge: '1; add_header x' } }],
  ];
  for (const [name, view] of cases) assert.throws(() => checkView(view as never), TemplateValueError, name);
});
