// One GET against the API server with the client's auth, TLS and proxy settings. We make the request ourselves
// (node:http) instead of using the client's Watch: its watch() hands out the AbortController only after the
// response headers arrive, so a watch that never answers cannot be aborted, and its callback errors vanish
// (test/support/fake-api-server.ts lists the details). Here one AbortSignal covers the request from the start.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { ClusterAccess } from './load-kube-config.js';

/** What a request was for, so failures name what was being done. */
export type KubeOperation = 'list' | 'watch' | 'get';

/** A failed API request: the operation, the URL, and the HTTP status (null when no response arrived). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  /** The HTTP status, or the `code` of a watch ERROR event; null when no answer came. */
  readonly status: number | null;

  /** Creates the error; `options.status` as `status` says, `options.cause` what caused it. */
  constructor(
    readonly operation: KubeOperation,
    readonly url: string,
    detail: string,
    options: { readonly status?: number | null; readonly cause?: unknown } = {},
  ) {
    const status = options.status ?? null;
    // Status 200 means the request was answered and the stream broke off later: "failed with status 200" read as
    // if the API had refused it.
    const how = status === null ? '' : status === 200 ? ' after it was answered (200)' : ` with status ${status}`;
    super(
      `${operation} ${url} failed${how}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = status;
  }
}

/** The core collections the controller lists and watches. */
export type KubeResource = 'pods' | 'secrets';

/** Builds the URL of the pods collection (all namespaces, or one) with a query. */
export function podsUrl(server: string, namespace: string | null, query: Readonly<Record<string, string>>): string {
  return collectionUrl(server, 'pods', namespace, query);
}

/** Builds the URL of a core collection (all namespaces, or one) with a query; empty selectors are left out. */
export function collectionUrl(
  server: string,
  resource: KubeResource,
  namespace: string | null,
  query: Readonly<Record<string, string>>,
): string {
  const path =
    namespace === null ? `/api/v1/${resource}` : `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
  const url = new URL(server + path);
  for (const [key, value] of Object.entries(query)) {
    if ((key === 'labelSelector' || key === 'fieldSelector') && value === '') continue;
    url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * Sends a GET and resolves with the response once its headers arrive with status 200; any other status rejects
 * with a KubeApiError carrying the message of the API's Status body. Aborting `signal` destroys the request.
 */
export async function kubeGet(
  access: ClusterAccess,
  url: string,
  operation: KubeOperation,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const options: https.RequestOptions = {};
  // Per request, so rotating tokens (service account, exec plugins) are picked up.
  await access.config.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const transport = url.startsWith('https:') ? https : http;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = transport.request(url, {
      ...options,
      method: 'GET',
      signal,
      headers: { ...options.headers, Accept: 'application/json' },
    });
    request.on('response', resolve);
    request.on('error', (error) => reject(new KubeApiError(operation, url, describe(error), { cause: error })));
    request.end();
  });
  if (response.statusCode === 200) return response;
  const status = response.statusCode ?? 0;
  const body = await readText(response, 64 * 1024).catch(() => '');
  throw new KubeApiError(operation, url, statusMessage(body) ?? (response.statusMessage || 'no message'), { status });
}

/** Reads a whole response body as text, or at most `limit` characters of it. */
export function readText(response: IncomingMessage, limit = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: string[] = [];
    let length = 0;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (length < limit) parts.push(chunk);
      length += chunk.length;
    });
    response.on('end', () => resolve(parts.join('').slice(0, limit)));
    response.on('error', reject);
  });
}

/** Returns the message of a `Status` object (JSON text or parsed), or null. */
export function statusMessage(status: unknown): string | null {
  let value = status;
  if (typeof status === 'string') {
    try {
      value = JSON.parse(status);
    } catch {
      return status.trim() === '' ? null : status.trim().slice(0, 500);
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const { message, reason } = value as { message?: unknown; reason?: unknown };
  const parts = [reason, message].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length === 0 ? null : parts.join(': ');
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || error.message.includes(code) ? error.message : `${error.message} (${code})`;
}
