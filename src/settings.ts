// Every setting of every command in one table: flag, environment variable, default, and a parser that refuses bad
// values with a message naming the setting and what it accepts. `--help` is generated from the same table.
import { isIP } from 'node:net';
import { parseSelector, type LabelSelector } from './model/selector.js';
import { portClash } from './settings-ports.js';

/** The commands of the CLI. */
export type Command = 'run' | 'replay' | 'record';

/** A bad flag or value: the program stops with a message that says what to fix (exit 2). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

interface Spec<T> {
  readonly flag: string;
  readonly env?: string;
  readonly commands: readonly Command[];
  readonly help: string;
  /** Shown in --help; also parsed as the default unless `fallback` is given. */
  readonly defaultText: string;
  readonly parse: (text: string) => T;
  /** A flag that takes no value. */
  readonly boolean?: true;
}

const ALL: readonly Command[] = ['run', 'replay', 'record'];
const LIVE: readonly Command[] = ['run', 'record'];
const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

const integer = (what: string, min: number, max: number) => (text: string): number => {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
};
const oneOf = <T extends string>(values: readonly T[]) => (text: string): T => {
  if (!(values as readonly string[]).includes(text)) throw new Error(`accepted values are ${values.join(', ')}`);
  return text as T;
};
const text = (what: string) => (value: string): string => {
  if (value.trim() === '') throw new Error(`${what} must not be empty`);
  return value;
};
const optionalText = (value: string): string | null => (value === '' ? null : value);
const flag = (value: string): boolean => {
  if (value !== 'true' && value !== 'false') throw new Error('accepted values are true, false');
  return value === 'true';
};
const annotationName = (value: string): string => {
  if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(value)) {
    throw new Error('must be a Kubernetes annotation key such as trafficHosts or example.com/hosts');
  }
  return value;
};
const selector = (value: string): LabelSelector & { readonly text: string } => {
  const parsed = parseSelector(value);
  if (typeof parsed === 'string') throw new Error(parsed);
  if (parsed.length === 0) throw new Error('must select something, such as microservice=true');
  // The live source sends the text as written to the API server (labelSelector=...).
  return Object.assign(parsed, { text: value.trim() });
};
const namespaces = (value: string): string[] => {
  const list = value.split(',').map((ns) => ns.trim()).filter((ns) => ns !== '');
  const bad = list.find((ns) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns));
  if (bad !== undefined) throw new Error(`"${bad}" is not a namespace name`);
  return list;
};
const url = (value: string): string | null => {
  if (value === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL such as http://127.0.0.1:8080');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('must be an http:// or https:// URL');
  return value.replace(/\/+$/, '');
};
const ipAddress = (value: string): string | null => {
  if (value === '') return null;
  if (isIP(value) === 0) throw new Error('must be an IP address such as 0.0.0.0, 127.0.0.1 or ::');
  return value;
};

const secretRef = (value: string): string | null => {
  if (value === '') return null;
  const [namespace, name, extra] = value.split('/');
  if (extra !== undefined || namespace === undefined || name === undefined || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace) || name.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)) {
    throw new Error('must be NAMESPACE/NAME of a Secret, such as ingress/wildcard-tls');
  }
  return value;
};

/** Every setting, by the name the program uses. */
export const SETTINGS = {
  selector: { flag: '--selector', env: 'ROUTABLE_LABEL_SELECTOR', commands: ALL, defaultText: 'microservice=true', parse: selector, help: 'label selector of the pods to route' },
  hostsAnnotation: { flag: '--hosts-annotation', env: 'HOSTS_ANNOTATION', commands: ALL, defaultText: 'trafficHosts', parse: annotationName, help: 'annotation holding the hosts (whitespace-separated)' },
  pathsAnnotation: { flag: '--paths-annotation', env: 'PATHS_ANNOTATION', commands: ALL, defaultText: 'publicPaths', parse: annotationName, help: 'annotation holding the PORT:PATH entries (whitespace-separated)' },
  port: { flag: '--port', env: 'PORT', commands: ALL, defaultText: '80', parse: integer('the port', 1, 65535), help: 'port nginx listens on' },
  windowMs: { flag: '--window', env: 'WINDOW_MS', commands: ALL, defaultText: '2000', parse: integer('the window', 1, 600_000), help: 'batching window in ms: at most one config per window' },
  template: { flag: '--template', env: 'TEMPLATE', commands: ALL, defaultText: '', parse: optionalText, help: 'mustache template for nginx.conf (default: the shipped templates/nginx.conf.mustache)' },
  ownership: { flag: '--ownership', env: 'OWNERSHIP', commands: ALL, defaultText: 'host', parse: oneOf(['host', 'route'] as const), help: 'cross-namespace policy: a host belongs to one namespace (host), or each host+path does (route)' },
  ownershipGraceSeconds: { flag: '--ownership-grace', env: 'OWNERSHIP_GRACE_SECONDS', commands: ALL, defaultText: '60', parse: integer('the grace period', 0, 86_400), help: 'seconds a namespace keeps a host after its last claiming pod is gone' },
  maxEntries: { flag: '--max-entries', env: 'MAX_ENTRIES', commands: ALL, defaultText: '100', parse: integer('the entry limit', 1, 10_000), help: 'entries read from each routing annotation of a pod' },
  maxRoutes: { flag: '--max-routes', env: 'MAX_ROUTES_PER_POD', commands: ALL, defaultText: '1000', parse: integer('the route limit', 1, 100_000), help: 'most routes (hosts x paths) one pod may ask for; a pod asking for more gets none' },
  maxAnnotationLength: { flag: '--max-annotation-length', env: 'MAX_ANNOTATION_LENGTH', commands: ALL, defaultText: '16384', parse: integer('the annotation length limit', 1, 262_144), help: 'longest routing annotation value read, in characters' },
  nginxWorkers: { flag: '--nginx-workers', env: 'NGINX_WORKER_PROCESSES', commands: ALL, defaultText: 'auto', parse: (v: string): number | 'auto' => (v === 'auto' ? 'auto' : integer('the worker count', 1, 256)(v)), help: 'nginx worker_processes: auto (one per CPU nginx sees: in a container, the node\'s CPUs, not the pod\'s limit) or a count' },
  logLevel: { flag: '--log-level', env: 'LOG_LEVEL', commands: ALL, defaultText: 'info', parse: oneOf(LOG_LEVELS), help: 'log level' },
  logFormat: { flag: '--log-format', env: 'LOG_FORMAT', commands: ALL, defaultText: 'json', parse: oneOf(['json', 'text'] as const), help: 'log format on stderr: JSON lines or readable text' },
  last: { flag: '--last', commands: ['replay'], defaultText: 'false', parse: flag, boolean: true, help: 'print only the final config, nothing else on stdout' },
  outDir: { flag: '--out', commands: ['replay'], defaultText: '', parse: optionalText, help: 'write each config to DIR/config-NNNNNN.conf instead of stdout' },
  stats: { flag: '--stats', commands: ['replay'], defaultText: 'false', parse: flag, boolean: true, help: 'print events, batches, configs, seconds and events/s on stderr' },
  recordFile: { flag: '--out', commands: ['record'], defaultText: '', parse: optionalText, help: 'file to write the timestamped ndjson recording to (required)' },
  kubeHost: { flag: '--kube-host', env: 'KUBE_HOST', commands: LIVE, defaultText: '', parse: url, help: 'API server URL (plain, no auth); else in-cluster service account, else kubeconfig' },
  namespaces: { flag: '--namespaces', env: 'NAMESPACES', commands: LIVE, defaultText: '', parse: namespaces, help: 'comma-separated namespaces to watch (default: all)' },
  watchTimeoutSeconds: { flag: '--watch-timeout', env: 'WATCH_TIMEOUT_SECONDS', commands: LIVE, defaultText: '300', parse: integer('the watch timeout', 1, 3600), help: 'server-side timeout of each watch request, in seconds' },
  idleTimeoutSeconds: { flag: '--idle-timeout', env: 'WATCH_IDLE_TIMEOUT_SECONDS', commands: LIVE, defaultText: '120', parse: integer('the idle timeout', 1, 3600), help: 'abort a watch that has received nothing (not even a bookmark) for this long' },
  sink: { flag: '--sink', env: 'SINK', commands: ['run'], defaultText: '', parse: (v: string) => (v === '' ? null : oneOf(['nginx', 'stdout', 'file'] as const)(v)), help: 'where configs go: nginx, stdout or file (default: nginx in a cluster, stdout outside)' },
  nginxConf: { flag: '--nginx-conf', env: 'NGINX_CONF', commands: ['run'], defaultText: '/etc/nginx/nginx.conf', parse: text('the nginx config path'), help: 'nginx.conf path written by the nginx and file sinks' },
  nginxBin: { flag: '--nginx-bin', env: 'NGINX_BIN', commands: ['run'], defaultText: 'nginx', parse: text('the nginx binary'), help: 'nginx binary the nginx sink runs' },
  httpPort: { flag: '--http-port', env: 'HTTP_PORT', commands: ['run'], defaultText: '8081', parse: integer('the HTTP port', 0, 65535), help: 'port of /healthz, /readyz and /metrics (0: off)' },
  httpAddress: { flag: '--http-address', env: 'HTTP_ADDRESS', commands: ['run'], defaultText: '', parse: ipAddress, help: 'address the HTTP port binds, such as 127.0.0.1 (default: every interface)' },
  healthWatchSilenceSeconds: { flag: '--health-watch-silence', env: 'HEALTH_WATCH_SILENCE_SECONDS', commands: ['run'], defaultText: '', parse: (v: string) => (v === '' ? null : integer('the silence limit', 1, 86_400)(v)), help: 'seconds without a watch event, bookmark or reconnect before /healthz fails (default: idle timeout + 60)' },
  postEvents: { flag: '--events', env: 'POST_EVENTS', commands: ['run'], defaultText: 'true', parse: flag, boolean: true, help: 'post a Kubernetes Event on each pod whose routing annotations are rejected (on by default; --events=false turns it off)' },
  tls: { flag: '--tls', env: 'K8S_PODS_INGRESS_TLS', commands: ALL, defaultText: 'true', parse: flag, boolean: true, help: 'serve HTTPS from the TLS Secrets pods name (on by default; --tls=false: no Secret is watched, no Secret RBAC needed)' },
  tlsSecretAnnotation: { flag: '--tls-secret-annotation', env: 'K8S_PODS_INGRESS_TLS_SECRET_ANNOTATION', commands: ALL, defaultText: 'tlsSecret', parse: annotationName, help: 'annotation naming the pod\'s TLS Secret (a Secret of type kubernetes.io/tls in the pod\'s namespace)' },
  httpsPort: { flag: '--https-port', env: 'K8S_PODS_INGRESS_HTTPS_PORT', commands: ALL, defaultText: '443', parse: integer('the HTTPS port', 1, 65535), help: 'port nginx listens on for HTTPS' },
  httpsRedirectPort: { flag: '--https-redirect-port', env: 'K8S_PODS_INGRESS_HTTPS_REDIRECT_PORT', commands: ALL, defaultText: '', parse: (v: string) => (v === '' ? null : integer('the redirect port', 1, 65535)(v)), help: 'HTTPS port clients reach, used in the HTTP to HTTPS redirect (default: --https-port)' },
  httpsRedirect: { flag: '--https-redirect', env: 'K8S_PODS_INGRESS_HTTPS_REDIRECT', commands: ALL, defaultText: 'true', parse: flag, boolean: true, help: 'redirect plain HTTP to HTTPS (308) for hosts with TLS, except /.well-known/acme-challenge/ (--https-redirect=false when TLS is offloaded in front)' },
  hstsMaxAge: { flag: '--hsts-max-age', env: 'K8S_PODS_INGRESS_HSTS_MAX_AGE', commands: ALL, defaultText: '0', parse: integer('the HSTS max-age', 0, 63_072_000), help: 'send Strict-Transport-Security with this max-age (seconds) on HTTPS answers; 0: off' },
  defaultTlsSecret: { flag: '--default-tls-secret', env: 'K8S_PODS_INGRESS_DEFAULT_TLS_SECRET', commands: ALL, defaultText: '', parse: secretRef, help: 'NAMESPACE/NAME of a TLS Secret serving the hosts that name none, where its certificate covers them' },
  maxSecretBytes: { flag: '--max-secret-bytes', env: 'K8S_PODS_INGRESS_MAX_SECRET_BYTES', commands: LIVE, defaultText: '65536', parse: integer('the Secret size limit', 1024, 1_048_576), help: 'largest tls.crt plus tls.key (base64) read from one Secret; a bigger one is reported and not used' },
} satisfies Record<string, Spec<unknown>>;

type Specs = typeof SETTINGS;
/** Typed values of every setting. */
export type Settings = { -readonly [K in keyof Specs]: ReturnType<Specs[K]['parse']> };

/** A parsed command line. */
export interface Invocation {
  readonly command: Command;
  readonly settings: Settings;
  /** Arguments that are not flags (the replay file). */
  readonly args: readonly string[];
  readonly help: boolean;
}

/** Parses argv (without node and script) and the environment; throws SettingsError naming what to fix. */
export function parseInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Invocation {
  const [first, ...rest] = argv;
  const explicit = first === 'run' || first === 'replay' || first === 'record';
  const command: Command = explicit ? first : 'run';
  const words = explicit ? rest : argv;
  const given = new Map<string, string>();
  const args: string[] = [];
  let help = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--help' || word === '-h') {
      help = true;
      continue;
    }
    if (!word.startsWith('--')) {
      args.push(word);
      continue;
    }
    const [name, inline] = splitFlag(word);
    const entry = Object.entries(SETTINGS).find(([, spec]) => spec.flag === name && (spec.commands as readonly Command[]).includes(command));
    if (entry === undefined) throw new SettingsError(`unknown flag ${name} for "${command}"; see ${command} --help`);
    const [key, spec] = entry;
    if ('boolean' in spec && inline === undefined) {
      given.set(key, 'true');
    } else if (inline !== undefined) {
      given.set(key, inline);
    } else {
      const value = words[++i];
      if (value === undefined) throw new SettingsError(`flag ${name} needs a value`);
      given.set(key, value);
    }
  }
  const settings = {} as Record<string, unknown>;
  for (const [key, spec] of Object.entries(SETTINGS) as [keyof Specs, Spec<unknown>][]) {
    const applies = spec.commands.includes(command);
    const fromFlag = given.get(key);
    // A variable meant for another command must not stop this one.
    const fromEnv = spec.env === undefined || !applies ? undefined : env[spec.env];
    const source = fromFlag !== undefined ? spec.flag : fromEnv !== undefined ? spec.env! : null;
    const value = fromFlag ?? fromEnv ?? spec.defaultText;
    try {
      settings[key] = spec.parse(value);
    } catch (error) {
      const where = source === null ? `the default of ${spec.flag}` : source;
      throw new SettingsError(`${where}: ${JSON.stringify(value)} is not accepted: ${(error as Error).message}`);
    }
  }
  const clash = portClash(settings as Settings, command === 'run');
  if (clash !== null) throw new SettingsError(clash);
  return { command, settings: settings as Settings, args, help };
}

function splitFlag(word: string): [string, string | undefined] {
  const equals = word.indexOf('=');
  return equals === -1 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}

/** Returns the --help text of a command: usage, then every setting with its flag, variable and default. */
export function helpText(command: Command): string {
  const usage: Record<Command, string> = {
    run: 'k8s-pods-ingress run [flags]          watch the cluster and serve (or print) the config',
    replay: 'k8s-pods-ingress replay FILE [flags]  run a recorded event stream through the pipeline',
    record: 'k8s-pods-ingress record --out FILE    record the cluster\'s pod events for replay',
  };
  const rows = Object.values(SETTINGS as Record<string, Spec<unknown>>)
    .filter((spec) => spec.commands.includes(command))
    .map((spec) => {
      const name = 'boolean' in spec ? spec.flag : `${spec.flag} VALUE`;
      const env = spec.env === undefined ? '' : ` (env ${spec.env})`;
      const fallback = spec.defaultText === '' || 'boolean' in spec ? '' : ` [default: ${spec.defaultText}]`;
      return `  ${name.padEnd(30)} ${spec.help}${env}${fallback}`;
    });
  return [`usage: ${usage[command]}`, '', 'settings (a flag wins over its environment variable):', ...rows, ''].join('\n');
}
