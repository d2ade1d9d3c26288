// The members channel through real nginx: what nginx refuses (the previous members stay), and who can reach it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { it } from 'node:test';
import { lastValueFrom } from 'rxjs';
import { MEMBERS_MAGIC } from '../../src/model/members-text.js';
import { MembersPushError } from '../../src/sinks/members-channel.js';
import type { ApplyOutcome } from '../../src/sinks/nginx-sink.js';
import { startBackends } from '../support/backend-servers.js';
import { startIngress } from '../support/ingress-harness.js';
import { aPod, sync } from '../support/pods.js';

const HOST = 'app.test';
const isApplied = (outcome: ApplyOutcome): boolean => outcome.type === 'applied';

async function setUp(t: { after: (fn: () => Promise<void>) => void }) {
  const backends = await startBackends(['a']);
  t.after(() => backends.close());
  const ingress = await startIngress({ backends: 'dynamic' });
  t.after(() => ingress.stop());
  ingress.send(sync(aPod('a', { ip: backends.byName('a').ip, hosts: HOST, paths: `${backends.port}:/` })));
  await ingress.outcome(0, 'the first config applied', isApplied);
  const channel = ingress.channel!;
  const route = /set \$k8s_route (microservice\d+);/.exec(readFileSync(ingress.confPath, 'utf8'))![1]!;
  return { ingress, channel, route };
}

it('refuses malformed and oversized pushes with a reason; the previous members stay in force', async (t) => {
  const { ingress, channel, route } = await setUp(t);
  const head = `${MEMBERS_MAGIC}\nversion 99\n`;
  const cases: [string, string, number, RegExp][] = [
    ['empty body', '', 400, /empty body/],
    ['wrong first line', 'k8s-pods-ingress members 2\nversion 99\n', 400, /line 1 must be/],
    ['no version', `${MEMBERS_MAGIC}\n${route} 127.0.0.9:80\n`, 400, /line 2 must be 'version N'/],
    ['no final newline', `${head}${route} 127.0.0.9:80`, 400, /lines ending in a newline/],
    ['route id with a directive', `${head}${route};return 127.0.0.9:80\n`, 400, /line 3: bad route id/],
    ['route listed twice', `${head}${route} 127.0.0.9:80\n${route}\n`, 400, /line 4: route listed twice/],
    ['host name for an address', `${head}${route} evil.example.com:80\n`, 400, /line 3: bad address/],
    ['octet out of range', `${head}${route} 127.0.0.256:80\n`, 400, /line 3: bad address/],
    ['port out of range', `${head}${route} 127.0.0.9:65536\n`, 400, /line 3: bad address/],
    ['two spaces', `${head}${route}  127.0.0.9:80\n`, 400, /one space apart/],
    ['oversized', `${head}${route}${' 127.0.0.9:80'.repeat(100_000)}\n`, 413, /413|larger/],
    // nginx checks a body with one PCRE expression and, when that refuses, line by line for the reason: every
    // refusal below must come with its line (a bare "malformed body" would mean the two disagree).
    ['leading zero in an octet', `${head}${route} 127.0.0.09:80\n`, 400, /line 3: bad address/],
    ['port 0', `${head}${route} 127.0.0.9:0\n`, 400, /line 3: bad address/],
    ['leading zero in a port', `${head}${route} 127.0.0.9:080\n`, 400, /line 3: bad address/],
    ['IPv6 without a colon', `${head}${route} [abcd]:80\n`, 400, /line 3: bad address/],
    ['IPv6 too long', `${head}${route} [${'a:'.repeat(23)}a]:80\n`, 400, /line 3: bad address/],
    ['IPv6 unbracketed', `${head}${route} ::1:80\n`, 400, /line 3: bad address/],
    ['trailing space', `${head}${route} 127.0.0.9:80 \n`, 400, /line 3: expected ROUTE_ID/],
    ['empty line', `${head}${route} 127.0.0.9:80\n\n`, 400, /line 4: expected ROUTE_ID/],
    ['CRLF', `${head}${route} 127.0.0.9:80\r\n`, 400, /line 3: bad address/],
    ['tab for a space', `${head}${route}\t127.0.0.9:80\n`, 400, /line 3: bad route id/],
    ['id without digits', `${head}microservice 127.0.0.9:80\n`, 400, /line 3: bad route id/],
    ['id with a bare suffix', `${head}${route}- 127.0.0.9:80\n`, 400, /line 3: bad route id/],
    ['version too long', `${MEMBERS_MAGIC}\nversion ${'9'.repeat(16)}\n`, 400, /line 2 must be/],
    ['a NUL byte', `${head}${route} 127.0.0.9:80\u0000\n`, 400, /line 3: bad address/],
  ];
  for (const [name, body, status, reason] of cases) {
    const error = await lastValueFrom(channel.push(body, 99)).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof MembersPushError, name);
    assert.equal(error.status, status, `${name}: ${error.message}`);
    assert.equal(error.problem, 'refused', name);
    assert.match(error.message, reason, name);
    assert.equal((await ingress.get(HOST, '/')).backend, 'a', `${name}: the previous members still serve`);
  }
  for (const [name, line] of [
    ['several addresses, IPv6 among them', `${route} 127.0.0.9:80 [::1]:8080 [fd00::1.2.3.4]:1 10.0.0.255:65535`],
    ['a suffixed id and a route without members', `${route} 127.0.0.9:80\nmicroservice7-2`],
  ]) {
    const version = (await lastValueFrom(channel.push(`${head}${line}\n`, 99))).version;
    assert.equal(version, 99, name);
  }
  // A well-formed push of the same shape is taken, and answered with its version.
  assert.deepEqual((await lastValueFrom(channel.push(`${head}${route}\n`, 99))).version, 99);
  assert.equal((await ingress.get(HOST, '/')).status, 503, 'a route pushed without members answers 503');
});

it("the socket is reachable only through a directory of the controller's own, mode 0700", async (t) => {
  const { channel } = await setUp(t);
  const dir = statSync(channel.paths.dir);
  assert.equal(dir.mode & 0o777, 0o700);
  assert.equal(dir.uid, process.getuid!());
  const file = statSync(channel.paths.file);
  assert.equal(file.mode & 0o777, 0o600);
  // Another user (nobody) cannot connect, though nginx made the socket itself 0666.
  const probe = `require('net').connect(${JSON.stringify(channel.paths.socket)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const result = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe],
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(result.status, 0, `setpriv could not run node as nobody: ${result.stderr}`);
  assert.equal(result.stdout.trim(), 'EACCES');
});
