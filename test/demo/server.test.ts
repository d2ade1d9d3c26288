// The demo microservice, run as its image runs it (`node demo/server.js`) on 127.0.0.1 with a free port: it answers
// any request with JSON naming its host, its IP addresses, the request and its environment with secrets redacted,
// and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const server = fileURLToPath(new URL('../../demo/server.js', import.meta.url));
const DEADLINE_MS = 20_000;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [server], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8');
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo did not listen within ${DEADLINE_MS} ms: ${stdout}`)),
      DEADLINE_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code} before listening: ${stdout}`));
    });
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      // Only whole lines: a chunk may end inside one.
      const line = stdout
        .split('\n')
        .slice(0, -1)
        .find((text) => text.includes('"listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      const { address, port } = JSON.parse(line) as { address: string; port: number };
      resolve(`http://${address}:${port}`);
    });
  });
  return { child, url: await listening, stdout: () => stdout };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => (list ?? []).map((entry) => entry.address))
    .sort();
}

interface Answer {
  hostname: string;
  addresses: { interface: string; family: string; address: string; internal: boolean }[];
  request: { method: string; path: string; headers: Record<string, string> };
  env: Record<string, string>;
}

test('the demo answers any request with its host, IP addresses, the request and a redacted environment', async (t) => {
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    GREETING: 'hello from the test',
    DEMO_API_TOKEN: 'token-value-1',
    DB_PASSWORD: 'password-value-2',
  };
  const demo = await start(env);
  t.after(() => stop(demo.child, 'SIGKILL'));

  const response = await fetch(`${demo.url}/nodejs/deep/path?x=1`, {
    headers: { 'x-forwarded-host': 'test.k8s.local', authorization: 'Bearer header-secret-3' },
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const text = await response.text();
  const answer = JSON.parse(text) as Answer;
  assert.equal(answer.hostname, hostname());
  assert.ok(answer.addresses.length > 0, 'it names its IP addresses');
  assert.ok(
    answer.addresses.every((entry) => isIP(entry.address) !== 0),
    JSON.stringify(answer.addresses),
  );
  assert.deepEqual(answer.addresses.map((entry) => entry.address).sort(), ownAddresses());
  assert.deepEqual([answer.request.method, answer.request.path], ['GET', '/nodejs/deep/path?x=1']);
  assert.equal(answer.request.headers['x-forwarded-host'], 'test.k8s.local');
  assert.equal(answer.env['GREETING'], env.GREETING);
  assert.equal(answer.env['DEMO_API_TOKEN'], '[redacted]');
  assert.equal(answer.env['DB_PASSWORD'], '[redacted]');
  for (const secret of ['token-value-1', 'password-value-2', 'header-secret-3'])
    assert.ok(!text.includes(secret), `${secret} leaked`);

  const posted = await fetch(`${demo.url}/`, {
    method: 'POST',
    body: 'ignored',
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  assert.equal(posted.status, 200);
  assert.equal(((await posted.json()) as Answer).request.method, 'POST');

  assert.equal(await stop(demo.child), 0, 'SIGTERM stops it cleanly');
  assert.match(demo.stdout(), /"message":"stopped"/);
});

test('the demo refuses a PORT that is not a port number', async (t) => {
  const child = spawn(process.execPath, [server], {
    env: { PATH: process.env['PATH'] ?? '', PORT: 'http' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => stop(child, 'SIGKILL'));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /PORT must be a whole number from 0 to 65535, not "http"/);
});
