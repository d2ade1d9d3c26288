// Stand-ins for pods: HTTP (and WebSocket) servers on 127.0.0.2, 127.0.0.3, … (Linux routes all of 127.0.0.0/8 to
// loopback), all on one port, each answering with its own name so a test can tell which pod nginx picked.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** One backend server: a pod's IP and the name it answers with. */
export interface Backend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Requests it has answered. */
  readonly hits: number;
}

/** What a backend saw of a request; its JSON reply body. */
export interface BackendReply {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly host: string | null;
  readonly forwardedFor: string | null;
  readonly forwardedHost: string | null;
  readonly forwardedProto: string | null;
}

/** Running backends; `close()` stops them and drops their connections. */
export interface Backends {
  readonly port: number;
  readonly list: readonly Backend[];
  byName(name: string): Backend;
  close(): Promise<void>;
}

/**
 * Starts one backend per name, on 127.0.0.{firstHost}, 127.0.0.{firstHost+1}, … sharing one free port. A request
 * with `?delay=MS` is answered after MS ms (for in-flight tests); WebSocket messages are echoed as `NAME:TEXT`.
 */
export async function startBackends(names: readonly string[], firstHost = 2): Promise<Backends> {
  for (let tries = 0; ; tries++) {
    try {
      return await tryStart(names, firstHost);
    } catch (error) {
      // Another process took the port on one of the addresses between our binds: pick a new port.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries >= 5) throw error;
    }
  }
}

interface Running extends Backend {
  hits: number;
  readonly server: Server;
  readonly sockets: WebSocketServer;
}

async function tryStart(names: readonly string[], firstHost: number): Promise<Backends> {
  const running: Running[] = [];
  let port = 0;
  try {
    for (const [index, name] of names.entries()) {
      const ip = `127.0.0.${firstHost + index}`;
      const backend = await listen(name, ip, port);
      port = backend.port;
      running.push(backend);
    }
  } catch (error) {
    await Promise.all(running.map(closeOne));
    throw error;
  }
  return {
    port,
    list: running,
    byName: (name) => {
      const found = running.find((backend) => backend.name === name);
      if (found === undefined) throw new Error(`no backend named ${name}`);
      return found;
    },
    close: async () => void (await Promise.all(running.map(closeOne))),
  };
}

async function listen(name: string, ip: string, port: number): Promise<Running> {
  const server = createServer();
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}:${String(data)}`)));
  const backend: Running = { name, ip, port, hits: 0, server, sockets };
  server.on('request', (request, response) => answer(backend, request, response));
  server.listen(port, ip);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  return Object.assign(backend, { port: (server.address() as AddressInfo).port });
}

function answer(backend: Running, request: IncomingMessage, response: ServerResponse): void {
  backend.hits++;
  const header = (name: string): string | null => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : null;
  };
  const reply: BackendReply = {
    backend: backend.name,
    method: request.method ?? '',
    url: request.url ?? '',
    host: header('host'),
    forwardedFor: header('x-forwarded-for'),
    forwardedHost: header('x-forwarded-host'),
    forwardedProto: header('x-forwarded-proto'),
  };
  const delayMs = Number(new URL(request.url ?? '/', 'http://backend').searchParams.get('delay') ?? '0');
  const send = (): void => {
    response.writeHead(200, { 'content-type': 'application/json', 'x-backend': backend.name });
    response.end(JSON.stringify(reply));
  };
  if (delayMs > 0) setTimeout(send, delayMs).unref();
  else send();
}

async function closeOne(backend: Running): Promise<void> {
  for (const client of backend.sockets.clients) client.terminate();
  backend.sockets.close();
  backend.server.closeAllConnections();
  if (backend.server.listening) await new Promise<void>((resolve) => backend.server.close(() => resolve()));
}
