import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl, settingsForLog } from '../../src/settings-for-log.js';
import { parseInvocation } from '../../src/settings.js';

test('KUBE_HOST is logged without credentials', () => {
  const cases: { name: string; kubeHost: string; logged: string }[] = [
    { name: 'plain URL unchanged', kubeHost: 'http://127.0.0.1:8080', logged: 'http://127.0.0.1:8080' },
    {
      name: 'path prefix unchanged',
      kubeHost: 'https://api.example.com:6443/k8s',
      logged: 'https://api.example.com:6443/k8s',
    },
    {
      name: 'user and password',
      kubeHost: 'https://admin:s3cret@api.example.com:6443',
      logged: 'https://REDACTED@api.example.com:6443/',
    },
    {
      name: 'token as user name',
      kubeHost: 'https://eyJhbGciOiJSUzI1NiJ9.e30.sig@10.0.0.1',
      logged: 'https://REDACTED@10.0.0.1/',
    },
    { name: 'empty user, password only', kubeHost: 'https://:hunter2@api', logged: 'https://REDACTED@api/' },
    {
      name: 'percent-encoded password',
      kubeHost: 'http://u:p%40ss%2Fword@127.0.0.1:8080',
      logged: 'http://REDACTED@127.0.0.1:8080/',
    },
    { name: 'IPv6 host', kubeHost: 'https://u:p@[fd00::1]:6443', logged: 'https://REDACTED@[fd00::1]:6443/' },
    {
      name: 'token in the query',
      kubeHost: 'https://api:6443/?access_token=abc&x=1',
      logged: 'https://api:6443/?access_token=REDACTED&x=REDACTED',
    },
    { name: 'fragment dropped', kubeHost: 'https://api:6443/#token=abc', logged: 'https://api:6443/' },
  ];
  for (const c of cases) {
    const { settings } = parseInvocation(['run'], { KUBE_HOST: c.kubeHost });
    const shown = settingsForLog(settings);
    assert.equal(shown['kubeHost'], c.logged, c.name);
    const line = JSON.stringify(shown);
    for (const secret of ['s3cret', 'hunter2', 'p%40ss', 'eyJhbGci', 'access_token=abc', 'token=abc'])
      assert.ok(!line.includes(secret), `${c.name}: ${secret}`);
  }
});

test('an unparsable URL is masked whole, and no KUBE_HOST stays null', () => {
  assert.equal(redactUrl('not a url with user:pass@'), 'REDACTED');
  assert.equal(settingsForLog(parseInvocation(['run'], {}).settings)['kubeHost'], null);
});

test('every setting is shown, the selector as the text the user wrote', () => {
  const { settings } = parseInvocation(
    ['run', '--selector', 'tier in (web, api),microservice=true', '--http-port', '9090'],
    {},
  );
  const shown = settingsForLog(settings);
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(settings).sort());
  assert.equal(shown['selector'], 'tier in (web, api),microservice=true');
  assert.equal(shown['httpPort'], 9090);
  assert.equal(shown['postEvents'], true);
  assert.doesNotThrow(() => JSON.stringify(shown));
});

test('with a command, only the settings of that command are shown', () => {
  const { settings } = parseInvocation(['run'], {});
  const shown = settingsForLog(settings, 'run');
  assert.ok('httpPort' in shown && 'kubeHost' in shown && 'windowMs' in shown);
  for (const replayOnly of ['last', 'outDir', 'stats', 'recordFile']) assert.ok(!(replayOnly in shown), replayOnly);
  assert.ok(!('httpPort' in settingsForLog(parseInvocation(['replay', 'f'], {}).settings, 'replay')));
});
