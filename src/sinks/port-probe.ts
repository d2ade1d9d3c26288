// Readiness from nginx itself: a start counts only once a worker answers on the listen port, not when the log says
// workers start (that came 0.1-0.6 s early).
import { connect } from 'node:net';
import { defer, Observable, retry, timer, type SchedulerLike } from 'rxjs';

/** A host no route can have (`.invalid` is reserved): the default server answers it by closing the connection. */
const PROBE_HOST = 'readiness-probe.k8s-pods-ingress.invalid';

/** Returns the address to probe for nginx listening on `address`: a wildcard is reached on loopback. */
export function probeHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

/**
 * Emits once a worker of nginx answers on `host`:`port` (it read a request and answered or closed, as the default
 * server does), retrying every `everyMs` until `timeoutMs`, then errors.
 */
export function answersOn(
  port: number,
  timeoutMs: number,
  scheduler?: SchedulerLike,
  everyMs = 20,
  host = '127.0.0.1',
): Observable<void> {
  const tries = Math.max(1, Math.ceil(timeoutMs / everyMs));
  return defer(() => askOnce(host, port, Math.min(timeoutMs, 2_000))).pipe(
    retry({ count: tries, delay: () => timer(everyMs, scheduler) }),
  );
}

function askOnce(host: string, port: number, timeoutMs: number): Observable<void> {
  return new Observable<void>((subscriber) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer on port ${port} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${PROBE_HOST}\r\nConnection: close\r\n\r\n`));
    socket.on('data', () => undefined);
    socket.on('error', (error) => subscriber.error(error));
    // The server closing after reading the request is its answer (444); a refused or reset connection is an error.
    socket.on('end', () => {
      subscriber.next();
      subscriber.complete();
    });
    return () => socket.destroy();
  });
}
