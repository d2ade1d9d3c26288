// The answers of the admin port: plain text for people and probes, Prometheus text for scrapers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verdict } from '../metrics/status.js';

/** The paths the admin port serves. */
export const ENDPOINT_PATHS = { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics' } as const;

/** What the endpoints read: the health verdicts and the metrics text. */
export interface EndpointSources {
  readonly status: { health(nowMs: number): Verdict; readiness(nowMs: number): Verdict };
  readonly metrics: { readonly contentType: string; text(): Promise<string> };
  readonly now: () => number;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers one request: GET or HEAD on a known path, 405 for other methods, 404 for other paths. */
export async function answerEndpoint(req: IncomingMessage, res: ServerResponse, sources: EndpointSources): Promise<void> {
  let reply: Reply;
  try {
    reply = await replyFor(req, sources);
  } catch (error) {
    reply = { status: 500, body: `cannot collect metrics: ${(error as Error).message}\n` };
  }
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    // Probes and scrapers must see the present, never a cached answer.
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function replyFor(req: IncomingMessage, sources: EndpointSources): Promise<Reply> {
  // Only the path decides; a query string (`/healthz?verbose`) is ignored.
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  const known = Object.values(ENDPOINT_PATHS) as string[];
  if (!known.includes(path)) return { status: 404, body: `not found: ${path}; try ${known.join(', ')}\n` };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, body: `method ${req.method ?? ''} not allowed; use GET or HEAD\n`, headers: { allow: 'GET, HEAD' } };
  }
  switch (path) {
    case ENDPOINT_PATHS.liveness:
      return verdictReply(sources.status.health(sources.now()));
    case ENDPOINT_PATHS.readiness:
      return verdictReply(sources.status.readiness(sources.now()));
    default:
      return { status: 200, body: await sources.metrics.text(), contentType: sources.metrics.contentType };
  }
}

function verdictReply(verdict: Verdict): Reply {
  return verdict.ok ? { status: 200, body: 'ok\n' } : { status: 503, body: `${verdict.reason}\n` };
}
