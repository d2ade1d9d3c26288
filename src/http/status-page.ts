// The status page at / of the admin port: the same facts as /status, for people. Server-rendered, every value
// escaped by `html`; the facts need no JavaScript (the script at /status.js only filters as you type and refreshes).
import { shortHash } from '../model/rendered-config.js';
import { podText, routeText } from '../status/select-status.js';
import type { OwnerStatus, PodStatus, RouteStatus, StatusReport } from '../status/status-report.js';
import { html, type Html } from './html.js';

/** Seconds between refreshes of the page (by the script, or by a meta refresh without JavaScript). */
export const REFRESH_SECONDS = 10;

/** Renders the whole page for a (selected) report and the search it was selected by. */
export function renderStatusPage(report: StatusReport, query: string): string {
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>k8s-pods-ingress status</title>
<link rel="stylesheet" href="/status.css">
<noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS}"></noscript>
<script src="/status.js" defer></script>
</head>
<body>
<header class="top">
  <div class="brand"><h1>k8s-pods-ingress</h1><span class="sub">routes and pods in force</span></div>
  <form class="search" method="get" action="/" role="search">
    <input id="q" type="search" name="q" value="${query}" placeholder="Filter by host, path or pod" aria-label="Filter by host, path or pod" autocomplete="off" maxlength="200">
    <button type="submit">Filter</button>
  </form>
</header>
<main id="content" data-refresh="${REFRESH_SECONDS}">
${content(report, query)}
</main>
</body>
</html>
`;
  return page.text;
}

/** Renders the part the script replaces on each refresh. */
function content(report: StatusReport, query: string): Html {
  return html`${configLine(report)}
${tiles(report)}
${query === '' ? '' : html`<p class="filtered">Showing entries matching <mark>${query}</mark> · <a href="/">show all</a></p>`}
${problems(report)}
${routesSection(report)}
${podsSection(report)}
${ownersSection(report)}
${truncatedNote(report, query)}
<p class="empty-filter" hidden>Nothing matches the filter.</p>`;
}

function configLine(report: StatusReport): Html {
  const c = report.config;
  const hash =
    c.hash === null
      ? html`<strong>no config in force yet</strong>`
      : html`config <code title="sha256 ${c.hash}">${shortHash({ hash: c.hash })}</code>`;
  const failed =
    c.failed === null
      ? ''
      : html`<div class="failed">The latest config <code>${shortHash(c.failed)}</code> failed at ${c.failed.stage}${c.failed.at === null ? '' : html` (${when(c.failed.at)})`}; the config above stays in force.</div>`;
  return html`<div class="config">${hash}${c.appliedAt === null ? '' : html` · applied ${when(c.appliedAt)}`}
  · ${c.configs} ${c.configs === 1 ? 'config' : 'configs'} · reloads ${c.reloads ?? '—'} · pushes ${c.pushes ?? '—'} · ownership per ${report.ownership} · <span id="refreshed">refreshes every ${REFRESH_SECONDS} s</span></div>
${failed}`;
}

function tiles(report: StatusReport): Html {
  const s = report.summary;
  const tile = (value: number, label: string, bad = false): Html =>
    html`<div class="tile${bad && value > 0 ? ' bad' : ''}"><span class="n">${value}</span><span class="l">${label}</span></div>`;
  return html`<section class="tiles" aria-label="summary">
${tile(s.hosts, 'hosts')}${tile(s.routes, 'routes')}${tile(s.unavailableRoutes, 'routes answering 503', true)}${tile(s.backends, 'backends')}${tile(s.pods, 'pods')}${tile(s.notReadyPods, 'pods not ready', true)}${tile(s.podsWithIssues, 'pods with issues', true)}
</section>`;
}

function problems(report: StatusReport): Html {
  const troubled = report.pods.filter((pod) => pod.issues.length > 0);
  const dark = report.routes.filter((route) => route.unavailable);
  const vacant = report.owners.filter((owner) => owner.vacant);
  if (troubled.length + dark.length + vacant.length === 0) {
    return html`<section id="problems" class="ok-box"><h2>Problems</h2><p>None: every annotation was accepted and every route has a ready pod.</p></section>`;
  }
  return html`<section id="problems" class="g"><h2>Problems</h2>
${
  troubled.length === 0
    ? ''
    : html`<div class="g"><h3>Pods with rejected annotations or refused claims</h3>
<div class="cards">${troubled.map(
        (pod) => html`<article class="card problem f" data-search="${podText(pod)}">
  <h4>${podRef(pod)} ${readyBadge(pod)}</h4>
  <ul class="issues">${pod.issues.map((issue) => html`<li><span class="code">${issue.code}</span> ${issue.message}</li>`)}</ul>
</article>`,
      )}</div></div>`
}
${
  dark.length === 0
    ? ''
    : html`<div class="g"><h3>Routes answering 503 (no ready pod)</h3>
<div class="cards">${dark.map(
        (route) => html`<article class="card problem f" data-search="${routeText(route)}">
  <h4><span class="route">${route.host}<span class="path">${route.path}</span></span> <span class="badge bad">503</span></h4>
  <ul class="waiting">${route.notReady.map((pod) => html`<li>${pod.namespace}/${pod.pod}: ${pod.reasons.join('; ')}</li>`)}</ul>
</article>`,
      )}</div></div>`
}
${
  vacant.length === 0
    ? ''
    : html`<div class="g"><h3>Hosts kept for an owner with no pods (nobody serves them)</h3>
<ul class="plain">${vacant.map((owner) => html`<li class="f" data-search="${owner.host} ${owner.namespace}">${ownerName(owner)} is kept for namespace <b>${owner.namespace}</b>${owner.vacantSince === null ? '' : html` since its last pod went away at ${when(owner.vacantSince)}`}</li>`)}</ul></div>`
}
</section>`;
}

function routesSection(report: StatusReport): Html {
  const byHost = new Map<string, RouteStatus[]>();
  for (const route of report.routes) {
    const list = byHost.get(route.host);
    if (list === undefined) byHost.set(route.host, [route]);
    else list.push(route);
  }
  const owners = new Map(report.owners.filter((owner) => owner.path === null).map((owner) => [owner.host, owner]));
  const cards = [...byHost].map(([host, routes]) => {
    const owner = owners.get(host);
    return html`<article class="card host f" data-search="${routes.map(routeText).join(' ')}">
  <h3>${host}${owner === undefined ? '' : html` <span class="owner">owned by <b>${owner.namespace}</b> since ${when(owner.since)}</span>`}</h3>
  <table><thead><tr><th>path</th><th>state</th><th>pods</th></tr></thead><tbody>
  ${routes.map(
    (
      route,
    ) => html`<tr class="f" data-search="${routeText(route)}"><td class="path">${route.path}</td><td>${route.unavailable ? html`<span class="badge bad">503</span>` : html`<span class="badge good">${route.backends.length} ready</span>`}${report.ownership === 'route' && route.namespace !== null ? html` <span class="owner">${route.namespace}</span>` : ''}</td>
    <td><ul class="pods">${route.backends.map((b) => html`<li class="pod good">${b.namespace}/${b.pod} <code>${b.address}</code></li>`)}${route.notReady.map((w) => html`<li class="pod warn" title="${w.reasons.join('; ')}">${w.namespace}/${w.pod} <span class="why">${w.reasons.join('; ')}</span></li>`)}</ul></td></tr>`,
  )}
  </tbody></table>
</article>`;
  });
  return html`<section id="routes" class="g"><h2>Routes <span class="count">${report.page.routes}</span></h2>
${cards.length === 0 ? html`<p class="muted">No routes in force.</p>` : html`<div class="hosts">${cards}</div>`}
</section>`;
}

function podsSection(report: StatusReport): Html {
  // Problems first: pods with issues, then pods not ready, then the rest (each group in the report's order).
  const rank = (pod: PodStatus): number => (pod.issues.length > 0 ? 0 : !pod.ready ? 1 : 2);
  const pods = [...report.pods].sort((a, b) => rank(a) - rank(b));
  return html`<section id="pods" class="g"><h2>Pods <span class="count">${report.page.pods}</span></h2>
${
  pods.length === 0
    ? html`<p class="muted">No pods matched the selector.</p>`
    : html`<table class="wide"><thead><tr><th>pod</th><th>ready</th><th>routes</th><th>issues</th></tr></thead><tbody>
${pods.map(
  (
    pod,
  ) => html`<tr class="f${pod.issues.length > 0 ? ' problem-row' : ''}" data-search="${podText(pod)}"><td>${podRef(pod)}<div class="muted small">${pod.ip ?? 'no IP'} · created ${when(pod.created)}</div></td>
  <td>${readyBadge(pod)}${pod.ready ? '' : html`<div class="why">${pod.notReady.join('; ')}</div>`}</td>
  <td><ul class="plain">${pod.routes.map((route) => html`<li><span class="state ${route.state}">${route.state}</span> ${route.host}${route.path} <span class="muted">:${route.port}</span></li>`)}</ul>${pod.routes.length === 0 ? html`<span class="muted">none</span>` : ''}</td>
  <td>${pod.issues.length === 0 ? html`<span class="muted">none</span>` : html`<ul class="plain">${pod.issues.map((issue) => html`<li><span class="code">${issue.code}</span></li>`)}</ul>`}</td></tr>`,
)}
</tbody></table>`
}
</section>`;
}

function ownersSection(report: StatusReport): Html {
  if (report.owners.length === 0) return html``;
  return html`<section id="owners" class="g"><h2>Owners <span class="count">${report.page.owners}</span></h2>
<table class="wide"><thead><tr><th>${report.ownership === 'host' ? 'host' : 'route'}</th><th>namespace</th><th>since (oldest claiming pod)</th></tr></thead><tbody>
${report.owners.map((owner) => html`<tr class="f" data-search="${owner.host}${owner.path ?? ''} ${owner.namespace} ${owner.pod}"><td>${ownerName(owner)}</td><td>${owner.namespace}${owner.vacant ? html` <span class="badge warn">no pods</span>` : ''}</td><td>${when(owner.since)} <span class="muted">${owner.pod}</span></td></tr>`)}
</tbody></table></section>`;
}

function truncatedNote(report: StatusReport, query: string): Html {
  const { page } = report;
  if (!page.truncated || page.limit === null) return html``;
  const next = new URLSearchParams({
    ...(query === '' ? {} : { q: query }),
    offset: String(page.offset + page.limit),
    limit: String(page.limit),
  });
  return html`<p class="truncated">Showing entries ${page.offset + 1}–${page.offset + page.limit} of each list (${page.routes} routes, ${page.pods} pods, ${page.owners} owners match). Narrow it with the filter, or see the <a href="/?${next.toString()}">next page</a>.</p>`;
}

function podRef(pod: PodStatus): Html {
  return html`<span class="podref"><span class="ns">${pod.namespace}/</span>${pod.name}</span>`;
}

function readyBadge(pod: PodStatus): Html {
  return pod.ready ? html`<span class="badge good">ready</span>` : html`<span class="badge warn">not ready</span>`;
}

function ownerName(owner: OwnerStatus): Html {
  return html`<span class="route">${owner.host}${owner.path === null ? '' : html`<span class="path">${owner.path}</span>`}</span>`;
}

/** Shows an RFC 3339 time as `2026-03-01 09:00:00 UTC` (the exact value in the element's datetime). */
function when(iso: string | null): Html {
  if (iso === null) return html`(unknown)`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')}</time>`;
}
