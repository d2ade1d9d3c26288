// The admin HTTP server: /healthz, /readyz, /metrics and the status (/status, the page at /) on their own port,
// apart from the traffic nginx serves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Observable } from 'rxjs';
import type { Logger } from '../logger.js';
import { answerEndpoint, ENDPOINT_PATHS, type EndpointSources } from './endpoint-routes.js';

/** The admin port could not be opened (in use, no permission, bad address). */
export class EndpointServerError extends Error {
  override readonly name = 'EndpointServerError';
}

/** Where to listen and what to serve. */
export interface EndpointServerOptions extends Omit<EndpointSources, 'now'> {
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Address to bind; null or absent: every interface (production). Tests pass 127.0.0.1. */
  readonly host?: string | null;
  readonly logger: Logger;
  /** Clock of the health verdicts (default Date.now). */
  readonly now?: () => number;
}

/** A listening admin server. */
export interface EndpointServer {
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  /** Base URL for a client on this machine, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  /** Stops listening and closes every connection, idle or not. */
  close(): Promise<void>;
}

// A probe or scrape that dawdles longer than this is cut off, so slow clients cannot pile up sockets.
const REQUEST_TIMEOUT_MS = 10_000;

/** Starts the admin server; rejects with EndpointServerError when the port cannot be bound. */
export async function startEndpointServer(options: EndpointServerOptions): Promise<EndpointServer> {
  const sources: EndpointSources = {
    status: options.status,
    metrics: options.metrics,
    routing: options.routing,
    now: options.now ?? Date.now,
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void answerEndpoint(req, res, sources));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, options.port, options.host ?? null);
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? null;
  const url = `http://${urlHost(host)}:${port}`;
  const paths = Object.values(ENDPOINT_PATHS).filter(
    (path) => options.routing !== undefined || ['/healthz', '/readyz', '/metrics'].includes(path),
  );
  options.logger.info('serving health and metrics', { address: `${host ?? '*'}:${port}`, paths });
  let closed: Promise<void> | null = null;
  return {
    port,
    url,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

/** Serves the admin endpoints while subscribed: emits the server once listening, closes it on unsubscribe. */
export function endpointServer$(options: EndpointServerOptions): Observable<EndpointServer> {
  return new Observable<EndpointServer>((subscriber) => {
    let server: EndpointServer | null = null;
    let done = false;
    startEndpointServer(options).then(
      (started) => {
        if (done) return void started.close();
        server = started;
        subscriber.next(started);
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      done = true;
      void server?.close();
    };
  });
}

function listen(server: Server, port: number, host: string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const where = `${host ?? '*'}:${port}`;
      reject(
        new EndpointServerError(
          `cannot serve /healthz, /readyz and /metrics on ${where}: ${error.code ?? error.message} (see HTTP_PORT, HTTP_ADDRESS)`,
          { cause: error },
        ),
      );
    };
    server.once('error', failed);
    const ready = (): void => {
      server.off('error', failed);
      resolve();
    };
    if (host === null) server.listen(port, ready);
    else server.listen(port, host, ready);
  });
}

function urlHost(host: string | null): string {
  if (host === null || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
