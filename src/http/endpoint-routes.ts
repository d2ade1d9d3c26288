// The answers of the admin port: plain text for people and probes, Prometheus text for scrapers, the status as JSON
// and as a page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verdict } from '../metrics/status.js';
import type { StatusSelection } from '../status/select-status.js';
import type { StatusReport } from '../status/status-report.js';
import { STATUS_CSS, STATUS_JS } from './status-assets.js';
import { renderStatusPage } from './status-page.js';

/** The paths the admin port serves. */
export const ENDPOINT_PATHS = {
  liveness: '/healthz',
  readiness: '/readyz',
  metrics: '/metrics',
  status: '/status',
  page: '/',
} as const;

/** The files the status page loads from the admin port. */
export const PAGE_ASSETS = { script: '/status.js', style: '/status.css' } as const;

/** What the endpoints read: the health verdicts, the metrics text and the routing status. */
export interface EndpointSources {
  readonly status: { health(nowMs: number): Verdict; readiness(nowMs: number): Verdict };
  readonly metrics: { readonly contentType: string; text(): Promise<string> };
  /** The routing status; without it /status and / are not served. */
  readonly routing?: { report(selection: StatusSelection): StatusReport };
  readonly now: () => number;
}

/** Entries of each list /status and / show at most, unless `?limit=` asks for fewer or more (up to the maximum). */
export const STATUS_LIMITS = { default: 500, max: 5000 } as const;

// Nothing of the page may come from elsewhere or run inline: a value that slipped past escaping still could not run.
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers one request: GET or HEAD on a known path, 405 for other methods, 404 for other paths. */
export async function answerEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  sources: EndpointSources,
): Promise<void> {
  let reply: Reply;
  try {
    reply = await replyFor(req, sources);
  } catch (error) {
    reply = { status: 500, body: `cannot answer: ${(error as Error).message}\n` };
  }
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    // Probes and scrapers must see the present, never a cached answer.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function replyFor(req: IncomingMessage, sources: EndpointSources): Promise<Reply> {
  // Only the path decides; a query string (`/healthz?verbose`) is ignored except by the status.
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = url.pathname;
  const known = [...Object.values(ENDPOINT_PATHS), ...Object.values(PAGE_ASSETS)].filter(
    (p: string): boolean => sources.routing !== undefined || !STATUS_PATHS.has(p),
  );
  if (!(known as string[]).includes(path))
    return { status: 404, body: `not found: ${path}; try ${known.join(', ')}\n` };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return {
      status: 405,
      body: `method ${req.method ?? ''} not allowed; use GET or HEAD\n`,
      headers: { allow: 'GET, HEAD' },
    };
  }
  switch (path) {
    case ENDPOINT_PATHS.liveness:
      return verdictReply(sources.status.health(sources.now()));
    case ENDPOINT_PATHS.readiness:
      return verdictReply(sources.status.readiness(sources.now()));
    case ENDPOINT_PATHS.metrics:
      return { status: 200, body: await sources.metrics.text(), contentType: sources.metrics.contentType };
    case PAGE_ASSETS.script:
      return { status: 200, body: STATUS_JS, contentType: 'text/javascript; charset=utf-8' };
    case PAGE_ASSETS.style:
      return { status: 200, body: STATUS_CSS, contentType: 'text/css; charset=utf-8' };
    default:
      return statusReply(path, url.searchParams, sources.routing!);
  }
}

const STATUS_PATHS = new Set<string>([
  ENDPOINT_PATHS.status,
  ENDPOINT_PATHS.page,
  PAGE_ASSETS.script,
  PAGE_ASSETS.style,
]);

function statusReply(
  path: string,
  params: URLSearchParams,
  routing: { report(selection: StatusSelection): StatusReport },
): Reply {
  const selection = readSelection(params);
  if (typeof selection === 'string') return { status: 400, body: `${selection}\n` };
  const report = routing.report(selection);
  if (path === ENDPOINT_PATHS.status)
    return {
      status: 200,
      body: `${JSON.stringify(report, null, 2)}\n`,
      contentType: 'application/json; charset=utf-8',
    };
  return {
    status: 200,
    body: renderStatusPage(report, selection.query),
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': PAGE_POLICY, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' },
  };
}

/** Reads `?q=&offset=&limit=`; a bad value gets a message that names the parameter, never echoing what was sent. */
function readSelection(params: URLSearchParams): StatusSelection | string {
  const query = params.get('q') ?? '';
  if (query.length > 200) return 'q must be at most 200 characters';
  const offset = whole(params.get('offset'), 0, 1_000_000_000);
  if (offset === null) return 'offset must be a whole number from 0';
  const limit = whole(params.get('limit'), 1, STATUS_LIMITS.max, STATUS_LIMITS.default);
  if (limit === null) return `limit must be a whole number from 1 to ${STATUS_LIMITS.max}`;
  return { query, offset, limit };
}

function whole(text: string | null, min: number, max: number, fallback = min): number | null {
  if (text === null || text === '') return fallback;
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) return null;
  return Number(text);
}

function verdictReply(verdict: Verdict): Reply {
  return verdict.ok ? { status: 200, body: 'ok\n' } : { status: 503, body: `${verdict.reason}\n` };
}
