// nodejs-k8s-env: the demo microservice. Answers every request, whatever its method or path, with JSON telling where
// it ran: hostname, IP addresses, the request as it arrived (so routing through the ingress is visible) and the
// environment, which in Kubernetes includes the service variables the kubelet injects.
// Environment values whose names look secret (TOKEN, SECRET, PASSWORD, KEY, ...) are redacted, but every other value
// is shown to anyone who can reach the service: do not give it secrets under other names.
// Plain node:http, no dependencies, so its image needs no build step. Settings: PORT (default 3000; 0 picks a free
// one), HOST (default: every address).
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|KEY|AUTH|COOKIE|SESSION/i;
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const REDACTED = '[redacted]';
// Long enough for in-flight answers (they are instant); keep-alive connections are closed at once.
const SHUTDOWN_DEADLINE_MS = 10_000;

function visibleEnv(env) {
  const entries = Object.entries(env)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, SECRET_NAME.test(name) ? REDACTED : value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

function addresses() {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).map((entry) => ({
      interface: name,
      family: entry.family,
      address: entry.address,
      internal: entry.internal,
    })),
  );
}

function visibleHeaders(headers) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADERS.has(name) ? REDACTED : value]),
  );
}

function describe(request) {
  return {
    service: 'nodejs-k8s-env',
    hostname: hostname(),
    addresses: addresses(),
    request: {
      method: request.method,
      path: request.url,
      headers: visibleHeaders(request.headers),
      remoteAddress: request.socket.remoteAddress ?? null,
    },
    env: visibleEnv(process.env),
  };
}

function answer(request, response) {
  // Drain any request body so keep-alive connections stay usable; the answer does not depend on it.
  request.resume();
  const body = `${JSON.stringify(describe(request), null, 2)}\n`;
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function log(message, fields = {}) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
}

function readPort(text) {
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535)
    throw new Error(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

function main() {
  let port;
  try {
    port = readPort(process.env.PORT ?? '3000');
  } catch (error) {
    process.stderr.write(`nodejs-k8s-env: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const server = createServer(answer);
  server.on('error', (error) => {
    process.stderr.write(`nodejs-k8s-env: cannot listen on port ${port}: ${error.message}\n`);
    process.exitCode = 1;
  });
  server.listen({ port, host: process.env.HOST || undefined }, () => {
    const bound = server.address();
    log('listening', { address: bound.address, port: bound.port });
  });
  // As PID 1 in a container node has no default SIGTERM handling: without this the pod waits out its grace period.
  const stop = (signal) => {
    log('stopping', { signal });
    server.close(() => log('stopped'));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
