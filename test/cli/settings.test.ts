import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../src/help-text.js';
import { parseInvocation, SETTINGS, SettingsError } from '../../src/settings.js';

test('defaults', () => {
  const { command, settings } = parseInvocation([], {});
  assert.equal(command, 'run');
  assert.equal(settings.port, 80);
  assert.equal(settings.windowMs, 2000);
  assert.equal(settings.hostsAnnotation, 'trafficHosts');
  assert.equal(settings.pathsAnnotation, 'publicPaths');
  assert.deepEqual([...settings.selector], [{ key: 'microservice', op: 'in', values: ['true'] }]);
  assert.equal(settings.selector.text, 'microservice=true');
  assert.equal(settings.ownership, 'host');
  assert.equal(settings.logLevel, 'info');
  assert.equal(settings.template, null);
});

test('values: accepted and refused, by flag and by environment', () => {
  const cases: {
    name: string;
    argv: string[];
    env?: Record<string, string>;
    expect: Record<string, unknown> | RegExp;
  }[] = [
    { name: 'port flag', argv: ['replay', 'f', '--port', '8080'], expect: { port: 8080 } },
    { name: 'port inline', argv: ['replay', 'f', '--port=8080'], expect: { port: 8080 } },
    { name: 'port env', argv: ['replay', 'f'], env: { K8S_PODS_INGRESS_PORT: '8081' }, expect: { port: 8081 } },
    {
      name: 'flag beats env',
      argv: ['replay', 'f', '--port', '1'],
      env: { K8S_PODS_INGRESS_PORT: '2' },
      expect: { port: 1 },
    },
    { name: 'port 0', argv: ['replay', 'f', '--port', '0'], expect: /--port: "0" is not accepted/ },
    {
      name: 'port 65536',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_PORT: '65536' },
      expect: /K8S_PODS_INGRESS_PORT: "65536"/,
    },
    { name: 'port sign', argv: ['replay', 'f', '--port', '+80'], expect: /whole number/ },
    { name: 'window', argv: ['replay', 'f', '--window', '250'], expect: { windowMs: 250 } },
    { name: 'window 0', argv: ['replay', 'f', '--window', '0'], expect: /--window/ },
    {
      name: 'log level',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_LOG_LEVEL: 'debug' },
      expect: { logLevel: 'debug' },
    },
    {
      name: 'bad log level',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_LOG_LEVEL: 'verbose!' },
      expect: /K8S_PODS_INGRESS_LOG_LEVEL/,
    },
    { name: 'log format', argv: ['replay', 'f', '--log-format', 'text'], expect: { logFormat: 'text' } },
    { name: 'bad log format', argv: ['replay', 'f', '--log-format', 'xml'], expect: /accepted values are json, text/ },
    {
      name: 'annotation with prefix',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_HOSTS_ANNOTATION: 'ingress.example.com/hosts' },
      expect: { hostsAnnotation: 'ingress.example.com/hosts' },
    },
    {
      name: 'bad annotation',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_PATHS_ANNOTATION: 'public paths' },
      expect: /K8S_PODS_INGRESS_PATHS_ANNOTATION/,
    },
    { name: 'empty selector', argv: ['replay', 'f', '--selector', ''], expect: /must select something/ },
    { name: 'ownership route', argv: ['replay', 'f', '--ownership', 'route'], expect: { ownership: 'route' } },
    {
      name: 'bad ownership',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_OWNERSHIP: 'none' },
      expect: /K8S_PODS_INGRESS_OWNERSHIP/,
    },
    { name: 'booleans', argv: ['replay', 'f', '--last', '--stats'], expect: { last: true, stats: true } },
    { name: 'boolean inline', argv: ['replay', 'f', '--last=false'], expect: { last: false } },
    {
      name: 'kube host',
      argv: ['run'],
      env: { KUBE_HOST: 'http://127.0.0.1:8080/' },
      expect: { kubeHost: 'http://127.0.0.1:8080' },
    },
    { name: 'bad kube host', argv: ['run'], env: { KUBE_HOST: 'ftp://x' }, expect: /KUBE_HOST/ },
    { name: 'namespaces', argv: ['run', '--namespaces', 'a, b'], expect: { namespaces: ['a', 'b'] } },
    { name: 'bad namespace', argv: ['run', '--namespaces', 'A'], expect: /not a namespace name/ },
    {
      name: 'TLS on by default',
      argv: ['replay', 'f'],
      expect: {
        tls: true,
        tlsSecretAnnotation: 'tlsSecret',
        httpsPort: 443,
        httpsRedirectPort: null,
        httpsRedirect: true,
        hstsMaxAge: 0,
        defaultTlsSecret: null,
      },
    },
    { name: 'TLS off', argv: ['replay', 'f', '--tls=false'], expect: { tls: false } },
    {
      name: 'HTTPS port env',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_HTTPS_PORT: '8443' },
      expect: { httpsPort: 8443 },
    },
    { name: 'bad HTTPS port', argv: ['replay', 'f', '--https-port', '0'], expect: /--https-port/ },
    {
      name: 'HTTPS on the HTTP port',
      argv: ['replay', 'f', '--https-port', '80'],
      expect: /--https-port 80 is also --port: nginx cannot serve HTTP and HTTPS on one port/,
    },
    {
      name: 'HTTPS on the HTTP port, by environment',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_PORT: '8443', K8S_PODS_INGRESS_HTTPS_PORT: '8443' },
      expect: /--https-port 8443 is also --port/,
    },
    {
      name: 'HTTPS on the HTTP port is fine with TLS off',
      argv: ['replay', 'f', '--https-port', '80', '--tls=false'],
      expect: { httpsPort: 80, port: 80 },
    },
    {
      name: 'HTTPS on the status port',
      argv: ['run', '--https-port', '8081'],
      expect: /--https-port 8081 is also --http-port/,
    },
    { name: 'the status port is run-only', argv: ['replay', 'f', '--https-port', '8081'], expect: { httpsPort: 8081 } },
    { name: 'redirect off', argv: ['replay', 'f', '--https-redirect=false'], expect: { httpsRedirect: false } },
    { name: 'HSTS', argv: ['replay', 'f', '--hsts-max-age', '31536000'], expect: { hstsMaxAge: 31536000 } },
    {
      name: 'default TLS Secret',
      argv: ['replay', 'f', '--default-tls-secret', 'ingress/wild-tls'],
      expect: { defaultTlsSecret: 'ingress/wild-tls' },
    },
    {
      name: 'default TLS Secret without namespace',
      argv: ['replay', 'f', '--default-tls-secret', 'wild-tls'],
      expect: /NAMESPACE\/NAME/,
    },
    {
      name: 'default TLS Secret with three parts',
      argv: ['replay', 'f'],
      env: { K8S_PODS_INGRESS_DEFAULT_TLS_SECRET: 'a/b/c' },
      expect: /K8S_PODS_INGRESS_DEFAULT_TLS_SECRET/,
    },
    {
      name: 'bad TLS annotation',
      argv: ['replay', 'f', '--tls-secret-annotation', 'tls secret'],
      expect: /--tls-secret-annotation/,
    },
    { name: 'Secret size limit', argv: ['run', '--max-secret-bytes', '100'], expect: /--max-secret-bytes/ },
    {
      name: 'a run-only variable does not stop replay',
      argv: ['replay', 'f'],
      env: { KUBE_HOST: 'ftp://x' },
      expect: { kubeHost: null },
    },
    {
      name: 'a run-only flag is unknown to replay',
      argv: ['replay', 'f', '--sink', 'nginx'],
      expect: /unknown flag --sink for "replay"/,
    },
    { name: 'missing value', argv: ['replay', 'f', '--port'], expect: /--port needs a value/ },
  ];
  for (const c of cases) {
    if (c.expect instanceof RegExp) {
      assert.throws(
        () => parseInvocation(c.argv, c.env ?? {}),
        (e: unknown) => e instanceof SettingsError && (c.expect as RegExp).test(e.message),
        c.name,
      );
    } else {
      const { settings } = parseInvocation(c.argv, c.env ?? {});
      for (const [key, value] of Object.entries(c.expect))
        assert.deepEqual(settings[key as keyof typeof settings], value, c.name);
    }
  }
});

test('every setting of a command appears in its --help with its flag and variable', () => {
  for (const command of ['run', 'replay', 'record'] as const) {
    const help = helpText(command);
    for (const spec of Object.values(SETTINGS)) {
      if (!(spec.commands as readonly string[]).includes(command)) continue;
      assert.ok(help.includes(spec.flag), `${command}: ${spec.flag}`);
      if ('env' in spec) assert.ok(help.includes(spec.env), `${command}: ${spec.env}`);
    }
  }
});
