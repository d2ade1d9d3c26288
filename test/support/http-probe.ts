// Requests to the nginx under test, always on 127.0.0.1, with the Host header set; and polling for a condition.
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendReply } from './backend-servers.js';

/** An HTTP answer: status, body, and the backend that produced it (null when nginx answered itself). */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly backend: string | null;
  /** The backend's view of the request, when a backend answered. */
  readonly seen: BackendReply | null;
}

/** How a request goes out: `agent: false` (the default) opens a fresh connection and closes it afterwards. */
export interface ProbeOptions {
  readonly agent?: Agent | false;
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends `GET path` with `Host: host` to 127.0.0.1:port and resolves with the answer (rejects on socket errors). */
export function httpGet(port: number, host: string, path: string, options: ProbeOptions = {}): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'GET',
      headers: { ...options.headers, host },
      agent: options.agent ?? false,
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`GET ${host}${path} timed out`)));
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const backend = response.headers['x-backend'];
        const named = typeof backend === 'string' ? backend : null;
        resolve({
          status: response.statusCode ?? 0,
          body,
          backend: named,
          seen: named === null ? null : (JSON.parse(body) as BackendReply),
        });
      });
    });
    req.end();
  });
}

/** Sends raw bytes to 127.0.0.1:port and resolves with everything received until the server closed the connection. */
export function rawExchange(port: number, text: string, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no close from 127.0.0.1:${port} within ${timeoutMs} ms`)),
    );
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // nginx's 444 closes without a word; depending on timing the client sees a FIN or a reset.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks)) : reject(error),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false; rejects after the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await sleep(intervalMs);
  }
}
