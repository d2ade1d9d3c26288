/** Replies shaped like the Kubernetes API server's: `Status` bodies for errors, JSON for everything. */
import type { ServerResponse } from 'node:http';
import type { JsonObject } from './json-patch.js';

/** A status code and JSON body to send. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'AlreadyExists',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Builds a `Status` failure object (`kind: Status`, `status: Failure`, reason from the code unless given). */
export function statusObject(code: number, message: string, reason = REASONS[code] ?? 'Unknown'): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Builds a reply carrying a `Status` failure object. */
export function statusReply(code: number, message: string, reason?: string): Reply {
  return { status: code, body: statusObject(code, message, reason) };
}

/** Builds the 410 `Status` a watch from a compacted resourceVersion gets: `too old resource version: X (Y)`. */
export function expiredStatus(requested: number, oldest: number): JsonObject {
  return statusObject(410, `too old resource version: ${requested} (${oldest})`, 'Expired');
}

/** Sends a whole JSON reply with Content-Length, as the server does for everything but watches. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Parses a boolean query value the way Go's strconv.ParseBool does (`1`, `t`, `true`, `TRUE`, `True`). */
export function parseBool(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}
