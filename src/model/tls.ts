// Which certificate each host is served with: from the namespace that owns the host, the oldest claiming pod's
// Secret, used only if it covers the host. Pure: certificates arrive as facts, their validity already judged.
import { compareStrings, issueKey, type Issue } from './issue.js';
import { alignHosts } from './host-list.js';
import { isIPv4 } from './validate.js';
import type { PodRecord } from './pod-record.js';
import type { HostRoutes, RoutingTable } from './routing-table.js';
import type { RoutingState } from './routing-state.js';
import { certificateCovers, keyFileName, type KeyMaterial, type ProjectedSecret } from './secret.js';
import type { SecretEntry, TlsState } from './secret-state.js';

/** What TLS needs from the settings. */
export interface TlsOptions {
  /** `namespace/name` of a Secret serving hosts that name none, where it covers them; null for none. */
  readonly defaultSecret: string | null;
}

/** The certificate one host is served with. */
export interface HostTls {
  /** Key file (chain + key), relative to nginx.conf's directory. */
  readonly file: string;
  /** `namespace/name` of the Secret. */
  readonly secret: string;
}

/** The TLS part of a config: hosts on HTTPS, the key files they need, and every TLS problem. */
export interface TlsPlan {
  readonly hosts: ReadonlyMap<string, HostTls>;
  /** Key file -> its material (null when redacted: a replay names the files but cannot write them). */
  readonly files: ReadonlyMap<string, KeyMaterial | null>;
  readonly issues: readonly Issue[];
}

/** The plan of a host served on plain HTTP only, with nothing to report. */
const NO_TLS: HostPlan = Object.freeze({ tls: null, material: null, issues: Object.freeze([]) });

interface HostPlan {
  readonly tls: HostTls | null;
  readonly material: KeyMaterial | null;
  readonly issues: readonly Issue[];
}

/** The last plan: its hosts, each host's plan, and which of them have a certificate or an issue. */
interface LastPlans {
  readonly hosts: readonly HostRoutes[];
  readonly plans: readonly HostPlan[];
  /** 1 where the host's plan has a certificate or an issue: the few the plan's maps and issues are made of. */
  readonly notable: Uint8Array;
}

const NOTHING_PLANNED: LastPlans = { hosts: [], plans: [], notable: new Uint8Array(0) };

/**
 * Plans TLS one state after another: a host the table kept keeps its plan while the TLS state is the same object,
 * found by walking the table's hosts beside the last ones (alignHosts), and only hosts with a certificate or an
 * issue are read to make the plan.
 */
export class TlsPlanner {
  private last = NOTHING_PLANNED;
  /** What every kept plan was made with. */
  private basis: { tls: TlsState | undefined; options: TlsOptions } | null = null;

  /**
   * Plans TLS for every host of the table, as `planTls` does. `admitted` gives the records behind a host's routes
   * when the table's builder knows them (RoutingTableBuilder.admitted), saving a lookup per pod.
   */
  plan(
    state: RoutingState,
    table: RoutingTable,
    options: TlsOptions,
    admitted: (host: HostRoutes) => readonly PodRecord[] | undefined = () => undefined,
  ): TlsPlan {
    if (this.basis === null || this.basis.tls !== state.tls || this.basis.options !== options) {
      this.last = NOTHING_PLANNED;
      this.basis = { tls: state.tls, options };
    }
    const last = this.last;
    const alignment = alignHosts(last.hosts, table.hosts);
    const notable = new Uint8Array(table.hosts.length);
    const plans = table.hosts.map((host, i) => {
      const j = alignment.kept[i]!;
      if (j !== -1) {
        notable[i] = last.notable[j]!;
        return last.plans[j]!;
      }
      const plan = planHost(state, host, options, admitted(host));
      notable[i] = plan.tls !== null || plan.issues.length > 0 ? 1 : 0;
      return plan;
    });
    this.last = { hosts: table.hosts, plans, notable };
    const hosts = new Map<string, HostTls>();
    const files = new Map<string, KeyMaterial | null>();
    const issues: Issue[] = [];
    const seen = new Set<string>();
    for (let i = notable.indexOf(1); i !== -1; i = notable.indexOf(1, i + 1)) {
      const plan = plans[i]!;
      if (plan.tls !== null) {
        hosts.set(table.hosts[i]!.host, plan.tls);
        if (!files.has(plan.tls.file) || files.get(plan.tls.file) === null) files.set(plan.tls.file, plan.material);
      }
      for (const issue of plan.issues) {
        const key = issueKey(issue);
        if (!seen.has(key)) issues.push(issue);
        seen.add(key);
      }
    }
    return { hosts, files, issues };
  }
}

/** Plans TLS for every host of the table. */
export function planTls(state: RoutingState, table: RoutingTable, options: TlsOptions): TlsPlan {
  return new TlsPlanner().plan(state, table, options);
}

function planHost(
  state: RoutingState,
  host: HostRoutes,
  options: TlsOptions,
  admitted: readonly PodRecord[] | undefined,
): HostPlan {
  const claimants = oldestFirst(admitted ?? claimingRecords(state, host));
  const issues: Issue[] = [];
  const owner = claimants[0]?.pod.namespace;
  const naming = claimants.filter((record) => record.tlsSecret !== undefined && record.tlsSecret !== null);
  let winner: PodRecord | undefined;
  for (const record of naming) {
    if (record.pod.namespace !== owner) {
      issues.push({
        pod: record.key,
        code: 'tls-secret-conflict',
        message: `host ${host.host} takes its certificate from namespace ${owner}, which owns it; TLS Secret ${record.tlsSecret} of namespace ${record.pod.namespace} is not used`,
      });
    } else if (winner === undefined) {
      winner = record;
    } else if (record.tlsSecret !== winner.tlsSecret) {
      issues.push({
        pod: record.key,
        code: 'tls-secret-conflict',
        message: `host ${host.host} is served with TLS Secret ${winner.tlsSecret} named by the older pod ${winner.key}; TLS Secret ${record.tlsSecret} is not used`,
      });
    }
  }
  // TLS clients send no SNI for an IP address (RFC 6066), and the HTTPS default server refuses a handshake without
  // one: on HTTPS an IP host could never be reached, and redirecting its plain HTTP there would break it.
  const ip = isIPv4(host.host);
  if (winner === undefined) {
    const plain = ip ? null : defaultTls(state, host.host, options);
    // Most hosts: no certificate and nothing to report, one shared plan for all of them.
    if (issues.length === 0 && (plain === null || plain.tls === null)) return NO_TLS;
    return { ...(plain ?? { tls: null, material: null }), issues };
  }
  const key = `${winner.pod.namespace}/${winner.tlsSecret}`;
  if (ip) {
    issues.push({
      pod: winner.key,
      code: 'tls-host-is-ip',
      message: `host ${host.host} is an IP address: TLS clients send no SNI for an address, so no certificate can be chosen for it on the HTTPS port; it is served on plain HTTP only, and TLS Secret ${key} is not used for it`,
    });
    return { tls: null, material: null, issues };
  }
  const entry = state.tls?.secrets.get(key);
  const report = (issue: Omit<Issue, 'pod'>): void => void issues.push({ pod: winner!.key, ...issue });
  if (entry === undefined) {
    report({
      code: 'tls-secret-missing',
      message: `TLS Secret ${key} does not exist (or is not of type kubernetes.io/tls); its hosts are not served over HTTPS`,
    });
    return { tls: null, material: null, issues };
  }
  secretIssues(entry, key, report);
  const inForce = entry.inForce;
  // Withheld: the Secret was unreferenced when read; its key is being fetched, and the next window serves it.
  if (inForce === null || inForce.certificate === null || inForce.withheld === true)
    return { tls: null, material: null, issues };
  if (!certificateCovers(inForce.certificate, host.host)) {
    report({
      code: 'tls-host-not-covered',
      message: `the certificate of TLS Secret ${key} does not cover host ${host.host} (it covers ${names(inForce)}); the host is not served over HTTPS`,
    });
    return { tls: null, material: null, issues };
  }
  return { tls: { file: keyFileName(inForce.certificate), secret: key }, material: inForce.material, issues };
}

/** Reports what is wrong with a Secret's current version, and whether an earlier good one stays in force. */
function secretIssues(entry: SecretEntry, key: string, report: (issue: Omit<Issue, 'pod'>) => void): void {
  const { secret, inForce, validity } = entry;
  const fallback =
    inForce !== null && inForce !== secret
      ? `; its last good certificate (sha256 ${inForce.certificate!.sha256.slice(0, 16)}…, valid until ${iso(inForce.certificate!.notAfter)}) stays in force`
      : '; its hosts are not served over HTTPS';
  if (secret.problem !== null)
    return report({ code: secret.problem.code, message: `TLS Secret ${key}: ${secret.problem.message}${fallback}` });
  const certificate = secret.certificate;
  if (certificate === null)
    return report({
      code: 'tls-secret-invalid',
      message: `TLS Secret ${key}: its certificate cannot be read${fallback}`,
    });
  if (validity === 'expired')
    report({
      code: 'tls-certificate-expired',
      message: `TLS Secret ${key}: the certificate expired at ${iso(certificate.notAfter)}${fallback}`,
    });
  if (validity === 'not-yet-valid')
    report({
      code: 'tls-certificate-not-yet-valid',
      message: `TLS Secret ${key}: the certificate is not valid before ${iso(certificate.notBefore)}${fallback}`,
    });
}

/** The default Secret serves a host that names none, if it is in force and covers the host. */
function defaultTls(
  state: RoutingState,
  host: string,
  options: TlsOptions,
): { tls: HostTls | null; material: KeyMaterial | null } {
  if (options.defaultSecret === null) return { tls: null, material: null };
  const inForce = state.tls?.secrets.get(options.defaultSecret)?.inForce ?? null;
  if (inForce?.certificate == null || inForce.withheld === true || !certificateCovers(inForce.certificate, host))
    return { tls: null, material: null };
  return { tls: { file: keyFileName(inForce.certificate), secret: options.defaultSecret }, material: inForce.material };
}

/** The records behind a host's routes, looked up by the pods the routes name. */
function claimingRecords(state: RoutingState, host: HostRoutes): PodRecord[] {
  const records = new Map<string, PodRecord>();
  for (const route of host.routes) {
    for (const ref of [...route.backends, ...route.waiting]) {
      const key = `${ref.namespace}/${ref.name}`;
      const record = state.pods.get(key);
      if (record !== undefined) records.set(key, record);
    }
  }
  return [...records.values()];
}

/** Orders records oldest first (creation time, then key): the first is the owner's oldest. */
function oldestFirst(records: readonly PodRecord[]): PodRecord[] {
  return [...records].sort((a, b) => a.pod.created - b.pod.created || compareStrings(a.key, b.key));
}

function names(secret: ProjectedSecret): string {
  const list = secret.certificate?.names ?? [];
  if (list.length === 0) return 'no name';
  return list.slice(0, 5).join(', ') + (list.length > 5 ? `, … (${list.length} names)` : '');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
