import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { answersOn, probeHost } from '../../src/sinks/port-probe.js';

test('probeHost: a wildcard listen address is reached on loopback, any other address as it is', () => {
  const cases: [name: string, address: string, probe: string][] = [
    ['IPv4 wildcard', '0.0.0.0', '127.0.0.1'],
    ['IPv6 wildcard', '::', '::1'],
    ['one IPv4 address', '127.0.0.7', '127.0.0.7'],
    ['one IPv6 address', '::1', '::1'],
  ];
  for (const [name, address, probe] of cases) assert.equal(probeHost(address), probe, name);
});

test('answersOn reaches a server that listens on another loopback address only, as nginx with --listen would', async () => {
  // Reads the request and closes, as the default server does (return 444).
  const server = createServer((socket) => socket.once('data', () => socket.end()));
  server.listen(0, '127.0.0.9');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    await firstValueFrom(answersOn(port, 2_000, undefined, 20, probeHost('127.0.0.9')));
    await assert.rejects(
      firstValueFrom(answersOn(port, 100, undefined, 20, '127.0.0.1')),
      'nothing listens on 127.0.0.1',
    );
  } finally {
    server.close();
  }
});
