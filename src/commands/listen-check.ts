import { createServer } from 'node:net';

/** nginx's port cannot be bound at start-up (in use, or privileged): exit 2 with one line. */
export class PortBusyError extends Error {
  override readonly name = 'PortBusyError';
}

/**
 * Resolves once every address:port nginx will listen on could be bound and released again; rejects with
 * PortBusyError naming the first that cannot (without this, nginx would fail to start and be restarted forever).
 */
export async function checkPortsFree(addresses: readonly string[], port: number): Promise<void> {
  for (const address of addresses) await tryBind(address, port);
}

function tryBind(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
      const why =
        error.code === 'EADDRINUSE'
          ? 'the port is in use by another program'
          : error.code === 'EACCES'
            ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE'
            : (error.code ?? error.message);
      reject(
        new PortBusyError(
          `nginx cannot listen on ${where}: ${why}; choose another --port (K8S_PODS_INGRESS_PORT) or --listen`,
          { cause: error },
        ),
      );
    });
    server.listen({ host: address, port, ipv6Only: address.includes(':'), exclusive: true }, () =>
      server.close(() => resolve()),
    );
  });
}
