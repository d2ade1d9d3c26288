// Every setting of every command in one table: flag, environment variable, default, and a parser that refuses bad
// values with a message naming the setting and what it accepts. `--help` is generated from the same table, and the
// command line is read against it (src/command-line.ts).
import { isIP } from 'node:net';
import { readCommandLine } from './command-line.js';
import { LOG_LEVELS } from './log-levels.js';
import { SettingsError } from './settings-error.js';
import { parseSelector, type LabelSelector } from './model/selector.js';
import { isQualifiedName, isValidNamespace, isValidObjectName } from './model/validate.js';
import { portClash } from './settings-ports.js';

/** The commands of the CLI. */
export type Command = 'run' | 'replay' | 'record';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly Command[] = ['run', 'replay', 'record'];

/** The prefix of every environment variable the program reads (KUBE_HOST and KUBECONFIG excepted). */
export const ENV_PREFIX = 'K8S_PODS_INGRESS_';

/** The nginx prefix the image uses and the default everywhere: a directory of the product's own. */
export const DEFAULT_NGINX_CONF = '/var/run/k8s-pods-ingress/nginx.conf';

export { SettingsError } from './settings-error.js';

/** One row of the table. */
export interface Spec<T> {
  readonly flag: string;
  /** What the flag's value is, as --help shows it (`--out DIR`); VALUE when absent. */
  readonly value?: string;
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

const integer =
  (what: string, min: number, max: number) =>
  (text: string): number => {
    if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new Error(`${what} must be a whole number from ${min} to ${max}`);
    }
    return Number(text);
  };
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (text: string): T => {
    if (!(values as readonly string[]).includes(text)) throw new Error(`accepted values are ${values.join(', ')}`);
    return text as T;
  };
const text =
  (what: string) =>
  (value: string): string => {
    if (value.trim() === '') throw new Error(`${what} must not be empty`);
    return value;
  };
const optionalText = (value: string): string | null => (value === '' ? null : value);
const flag = (value: string): boolean => {
  if (value !== 'true' && value !== 'false') throw new Error('accepted values are true, false');
  return value === 'true';
};
const annotationName = (value: string): string => {
  if (!isQualifiedName(value)) {
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
  const list = value
    .split(',')
    .map((ns) => ns.trim())
    .filter((ns) => ns !== '');
  const bad = list.find((ns) => !isValidNamespace(ns));
  if (bad !== undefined) throw new Error(`"${bad}" is not a namespace name`);
  return list;
};
const byteSize =
  (what: string, min: number, max: number) =>
  (value: string): number => {
    const match = /^([0-9]+)([km]?)$/i.exec(value);
    const bytes =
      match === null
        ? NaN
        : Number(match[1]) * (match[2] === '' ? 1 : match[2]!.toLowerCase() === 'k' ? 1024 : 1024 * 1024);
    if (!(bytes >= min && bytes <= max))
      throw new Error(`${what} must be a size in bytes (or with k, m) from ${min} to ${max / 1024 / 1024}m`);
    return bytes;
  };
// nginx's own size syntax, lower-cased; 0 turns the limit off.
const nginxSize = (value: string): string => {
  if (!/^[0-9]{1,9}[kmg]?$/i.test(value)) throw new Error('must be an nginx size such as 100m, 512k or 0 (no limit)');
  return value.toLowerCase();
};
const listenAddresses = (value: string): string[] | null => {
  if (value.trim() === '') return null;
  const list = value.split(',').map((a) => a.trim().replace(/^\[(.*)\]$/, '$1'));
  const bad = list.find((a) => isIP(a) === 0);
  if (bad !== undefined) throw new Error(`"${bad}" is not an IP address (such as 0.0.0.0, 127.0.0.1, :: or [::])`);
  return [...new Set(list)];
};
const url = (value: string): string | null => {
  if (value === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL such as http://127.0.0.1:8080');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error('must be an http:// or https:// URL');
  return value.replace(/\/+$/, '');
};
const podName = (value: string): string | null => {
  if (value === '') return null;
  if (!/^[^/\s]+\/[^/\s]+$/.test(value)) throw new Error('must be NAMESPACE/NAME, such as default/web-7d9f-x2k4q');
  return value;
};
const ipAddress = (value: string): string | null => {
  if (value === '') return null;
  if (isIP(value) === 0) throw new Error('must be an IP address such as 0.0.0.0, 127.0.0.1 or ::');
  return value;
};

const secretRef = (value: string): string | null => {
  if (value === '') return null;
  const [namespace, name, extra] = value.split('/');
  if (
    extra !== undefined ||
    namespace === undefined ||
    name === undefined ||
    !isValidNamespace(namespace) ||
    !isValidObjectName(name)
  ) {
    throw new Error('must be NAMESPACE/NAME of a Secret, such as ingress/wildcard-tls');
  }
  return value;
};

/** Every setting, by the name the program uses. */
export const SETTINGS = {
  selector: {
    flag: '--selector',
    value: 'SELECTOR',
    env: 'K8S_PODS_INGRESS_ROUTABLE_LABEL_SELECTOR',
    commands: ALL,
    defaultText: 'microservice=true',
    parse: selector,
    help: 'label selector of the pods to route',
  },
  hostsAnnotation: {
    flag: '--hosts-annotation',
    value: 'NAME',
    env: 'K8S_PODS_INGRESS_HOSTS_ANNOTATION',
    commands: ALL,
    defaultText: 'trafficHosts',
    parse: annotationName,
    help: 'annotation holding the hosts (whitespace-separated)',
  },
  pathsAnnotation: {
    flag: '--paths-annotation',
    value: 'NAME',
    env: 'K8S_PODS_INGRESS_PATHS_ANNOTATION',
    commands: ALL,
    defaultText: 'publicPaths',
    parse: annotationName,
    help: 'annotation holding the PORT:PATH entries (whitespace-separated)',
  },
  port: {
    flag: '--port',
    value: 'PORT',
    env: 'K8S_PODS_INGRESS_PORT',
    commands: ALL,
    defaultText: '80',
    parse: integer('the port', 1, 65535),
    help: 'port nginx listens on',
  },
  windowMs: {
    flag: '--window',
    value: 'MS',
    env: 'K8S_PODS_INGRESS_WINDOW_MS',
    commands: ALL,
    defaultText: '2000',
    parse: integer('the window', 1, 600_000),
    help: 'batching window in ms: at most one config per window',
  },
  template: {
    flag: '--template',
    value: 'FILE',
    env: 'K8S_PODS_INGRESS_TEMPLATE',
    commands: ALL,
    defaultText: '',
    parse: optionalText,
    help: 'mustache template for nginx.conf (default: the shipped templates/nginx.conf.mustache)',
  },
  ownership: {
    flag: '--ownership',
    value: 'host|route',
    env: 'K8S_PODS_INGRESS_OWNERSHIP',
    commands: ALL,
    defaultText: 'host',
    parse: oneOf(['host', 'route'] as const),
    help: 'cross-namespace policy: a host belongs to one namespace (host), or each host+path does (route)',
  },
  ownershipGraceSeconds: {
    flag: '--ownership-grace',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_OWNERSHIP_GRACE_SECONDS',
    commands: ALL,
    defaultText: '60',
    parse: integer('the grace period', 0, 86_400),
    help: 'seconds a namespace keeps a host after its last claiming pod is gone',
  },
  maxEntries: {
    flag: '--max-entries',
    value: 'N',
    env: 'K8S_PODS_INGRESS_MAX_ENTRIES',
    commands: ALL,
    defaultText: '100',
    parse: integer('the entry limit', 1, 10_000),
    help: 'entries read from each routing annotation of a pod',
  },
  maxRoutes: {
    flag: '--max-routes',
    value: 'N',
    env: 'K8S_PODS_INGRESS_MAX_ROUTES_PER_POD',
    commands: ALL,
    defaultText: '1000',
    parse: integer('the route limit', 1, 100_000),
    help: 'most routes (hosts x paths) one pod may ask for; a pod asking for more gets none',
  },
  maxAnnotationLength: {
    flag: '--max-annotation-length',
    value: 'CHARS',
    env: 'K8S_PODS_INGRESS_MAX_ANNOTATION_LENGTH',
    commands: ALL,
    defaultText: '16384',
    parse: integer('the annotation length limit', 1, 262_144),
    help: 'longest routing annotation value read, in characters',
  },
  nginxWorkers: {
    flag: '--nginx-workers',
    value: 'auto|N',
    env: 'K8S_PODS_INGRESS_NGINX_WORKER_PROCESSES',
    commands: ALL,
    defaultText: 'auto',
    parse: (v: string): number | 'auto' => (v === 'auto' ? 'auto' : integer('the worker count', 1, 256)(v)),
    help: "nginx worker_processes: auto (one per CPU nginx sees: in a container, the node's CPUs, not the pod's limit) or a count",
  },
  listen: {
    flag: '--listen',
    value: 'ADDRESSES',
    env: 'K8S_PODS_INGRESS_LISTEN_ADDRESSES',
    commands: ALL,
    defaultText: '',
    parse: listenAddresses,
    help: 'comma-separated addresses nginx listens on (default: 0.0.0.0, and [::] where the host has IPv6)',
  },
  clientMaxBodySize: {
    flag: '--client-max-body-size',
    value: 'SIZE',
    env: 'K8S_PODS_INGRESS_CLIENT_MAX_BODY_SIZE',
    commands: ALL,
    defaultText: '100m',
    parse: nginxSize,
    help: 'largest request body nginx accepts (nginx size: 100m, 512k, 0 for no limit); larger gets 413',
  },
  proxyConnectTimeoutSeconds: {
    flag: '--proxy-connect-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_PROXY_CONNECT_TIMEOUT_SECONDS',
    commands: ALL,
    defaultText: '5',
    parse: integer('the connect timeout', 1, 3600),
    help: 'how long nginx waits to connect to a pod',
  },
  proxyReadTimeoutSeconds: {
    flag: '--proxy-read-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_PROXY_READ_TIMEOUT_SECONDS',
    commands: ALL,
    defaultText: '60',
    parse: integer('the read timeout', 1, 86_400),
    help: 'longest silence nginx allows between two reads from a pod',
  },
  proxySendTimeoutSeconds: {
    flag: '--proxy-send-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_PROXY_SEND_TIMEOUT_SECONDS',
    commands: ALL,
    defaultText: '60',
    parse: integer('the send timeout', 1, 86_400),
    help: 'longest wait nginx allows between two writes to a pod',
  },
  logLevel: {
    flag: '--log-level',
    value: 'LEVEL',
    env: 'K8S_PODS_INGRESS_LOG_LEVEL',
    commands: ALL,
    defaultText: 'info',
    parse: oneOf(LOG_LEVELS),
    help: 'log level',
  },
  logFormat: {
    flag: '--log-format',
    value: 'json|text',
    env: 'K8S_PODS_INGRESS_LOG_FORMAT',
    commands: ALL,
    defaultText: 'json',
    parse: oneOf(['json', 'text'] as const),
    help: 'log format on stderr: JSON lines or readable text',
  },
  last: {
    flag: '--last',
    commands: ['replay'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'print only the final config, nothing else on stdout',
  },
  outDir: {
    flag: '--out',
    value: 'DIR',
    commands: ['replay'],
    defaultText: '',
    parse: optionalText,
    help: 'write each config to DIR/config-NNNNNN.conf instead of stdout (DIR empty or holding only such files, which are replaced)',
  },
  stats: {
    flag: '--stats',
    commands: ['replay'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'print events, batches, configs, bad lines, seconds and events/s on stderr',
  },
  status: {
    flag: '--status',
    commands: ['replay'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'print the final status as JSON (the format of /status) instead of configs',
  },
  explain: {
    flag: '--explain',
    value: 'NS/NAME',
    commands: ['replay'],
    defaultText: '',
    parse: podName,
    help: 'explain in plain words what became of pod NAMESPACE/NAME: routes, refused entries, owners, readiness',
  },
  recordFile: {
    flag: '--out',
    value: 'FILE',
    commands: ['record'],
    defaultText: '',
    parse: optionalText,
    help: 'file to write the timestamped ndjson recording to (required)',
  },
  diff: {
    flag: '--diff',
    commands: ['replay'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'print each config after the first as a unified diff against the one before',
  },
  check: {
    flag: '--check',
    commands: ['replay'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'run nginx -t on every config printed; stop at the first refused one (exit 1)',
  },
  maxLineBytes: {
    flag: '--max-line-bytes',
    value: 'SIZE',
    env: 'K8S_PODS_INGRESS_MAX_LINE_BYTES',
    commands: ['replay'],
    defaultText: '256m',
    parse: byteSize('the line limit', 1024, 512 * 1024 * 1024),
    help: 'longest input line read (bytes, or k, m suffixes); a longer one is reported as malformed and skipped',
  },
  kubeHost: {
    flag: '--kube-host',
    value: 'URL',
    env: 'KUBE_HOST',
    commands: LIVE,
    defaultText: '',
    parse: url,
    help: 'API server URL (plain, no auth); else in-cluster service account, else kubeconfig',
  },
  namespaces: {
    flag: '--namespaces',
    value: 'NS,NS…',
    env: 'K8S_PODS_INGRESS_NAMESPACES',
    commands: LIVE,
    defaultText: '',
    parse: namespaces,
    help: 'comma-separated namespaces to watch (default: all)',
  },
  watchTimeoutSeconds: {
    flag: '--watch-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_WATCH_TIMEOUT_SECONDS',
    commands: LIVE,
    defaultText: '300',
    parse: integer('the watch timeout', 1, 3600),
    help: 'server-side timeout of each watch request, in seconds',
  },
  idleTimeoutSeconds: {
    flag: '--idle-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_WATCH_IDLE_TIMEOUT_SECONDS',
    commands: LIVE,
    defaultText: '120',
    parse: integer('the idle timeout', 1, 3600),
    help: 'abort a watch that has received nothing (not even a bookmark) for this long',
  },
  sink: {
    flag: '--sink',
    value: 'nginx|stdout|file',
    env: 'K8S_PODS_INGRESS_SINK',
    commands: ['run'],
    defaultText: '',
    parse: (v: string) => (v === '' ? null : oneOf(['nginx', 'stdout', 'file'] as const)(v)),
    help: 'where configs go: nginx, stdout or file (default: nginx in a cluster, stdout outside)',
  },
  backends: {
    flag: '--backends',
    value: 'dynamic|static',
    env: 'K8S_PODS_INGRESS_BACKENDS',
    commands: ALL,
    defaultText: 'dynamic',
    parse: oneOf(['dynamic', 'static'] as const),
    help: 'dynamic: pods reach nginx without reloads (Lua balancer, needs libnginx-mod-http-lua); static: upstream blocks, a reload per change',
  },
  nginxModulesDir: {
    flag: '--nginx-modules-dir',
    value: 'DIR',
    env: 'K8S_PODS_INGRESS_NGINX_MODULES_DIR',
    commands: ALL,
    defaultText: '/usr/lib/nginx/modules',
    parse: text('the nginx modules directory'),
    help: 'directory of ndk_http_module.so and ngx_http_lua_module.so (dynamic backends)',
  },
  luaSharedDictMinMb: {
    flag: '--lua-shared-dict-min',
    value: 'MIB',
    env: 'K8S_PODS_INGRESS_LUA_SHARED_DICT_MIN_MB',
    commands: ALL,
    defaultText: '1',
    parse: integer('the shared memory size', 1, 4096),
    help: 'smallest shared memory for members in MiB (it grows by powers of two to 4x the members; raise it if nginx reports no memory)',
  },
  workerShutdownTimeoutSeconds: {
    flag: '--worker-shutdown-timeout',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_WORKER_SHUTDOWN_TIMEOUT_SECONDS',
    commands: ['run'],
    defaultText: '60',
    parse: integer('the worker shutdown timeout', 1, 86_400),
    help: 'seconds old nginx workers may keep connections (WebSockets) after a reload before they are closed',
  },
  nginxConf: {
    flag: '--nginx-conf',
    value: 'FILE',
    env: 'K8S_PODS_INGRESS_NGINX_CONF',
    commands: ['run', 'replay'],
    defaultText: DEFAULT_NGINX_CONF,
    parse: text('the nginx config path'),
    help: "nginx.conf written by the nginx and file sinks; its directory is nginx's prefix (pid, temp files)",
  },
  overwriteNginxConf: {
    flag: '--overwrite-nginx-conf',
    env: 'K8S_PODS_INGRESS_OVERWRITE_NGINX_CONF',
    commands: ['run'],
    defaultText: 'false',
    parse: flag,
    boolean: true,
    help: 'replace an NGINX_CONF this program did not write (one without its first comment line)',
  },
  afterWrite: {
    flag: '--after-write',
    value: 'COMMAND',
    env: 'K8S_PODS_INGRESS_AFTER_WRITE',
    commands: ['run'],
    defaultText: '',
    parse: optionalText,
    help: 'shell command run after each config --sink file writes (e.g. a reload); retried on failure',
  },
  nginxBin: {
    flag: '--nginx-bin',
    value: 'FILE',
    env: 'K8S_PODS_INGRESS_NGINX_BIN',
    commands: ['run', 'replay'],
    defaultText: 'nginx',
    parse: text('the nginx binary'),
    help: 'nginx binary the nginx sink and replay --check run',
  },
  httpPort: {
    flag: '--http-port',
    value: 'PORT',
    env: 'K8S_PODS_INGRESS_HTTP_PORT',
    commands: ['run'],
    defaultText: '8081',
    parse: integer('the HTTP port', 0, 65535),
    help: 'port of /healthz, /readyz, /metrics, /status and the status page at / (0: off)',
  },
  httpAddress: {
    flag: '--http-address',
    value: 'ADDRESS',
    env: 'K8S_PODS_INGRESS_HTTP_ADDRESS',
    commands: ['run'],
    defaultText: '',
    parse: ipAddress,
    help: 'address the HTTP port binds (default: every interface in a cluster, 127.0.0.1 outside one)',
  },
  healthWatchSilenceSeconds: {
    flag: '--health-watch-silence',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_HEALTH_WATCH_SILENCE_SECONDS',
    commands: ['run'],
    defaultText: '',
    parse: (v: string) => (v === '' ? null : integer('the silence limit', 1, 86_400)(v)),
    help: 'seconds without a watch event, bookmark or reconnect before /healthz fails (default: idle timeout + 60)',
  },
  postEvents: {
    flag: '--events',
    env: 'K8S_PODS_INGRESS_POST_EVENTS',
    commands: ['run'],
    defaultText: 'true',
    parse: flag,
    boolean: true,
    help: 'post a Kubernetes Event on each pod whose routing annotations are rejected (--no-events: off)',
  },
  tls: {
    flag: '--tls',
    env: 'K8S_PODS_INGRESS_TLS',
    commands: ALL,
    defaultText: 'true',
    parse: flag,
    boolean: true,
    help: 'serve HTTPS from the TLS Secrets pods name (--no-tls: no Secret is watched, no Secret RBAC needed)',
  },
  tlsSecretAnnotation: {
    flag: '--tls-secret-annotation',
    value: 'NAME',
    env: 'K8S_PODS_INGRESS_TLS_SECRET_ANNOTATION',
    commands: ALL,
    defaultText: 'tlsSecret',
    parse: annotationName,
    help: "annotation naming the pod's TLS Secret (a Secret of type kubernetes.io/tls in the pod's namespace)",
  },
  httpsPort: {
    flag: '--https-port',
    value: 'PORT',
    env: 'K8S_PODS_INGRESS_HTTPS_PORT',
    commands: ALL,
    defaultText: '443',
    parse: integer('the HTTPS port', 1, 65535),
    help: 'port nginx listens on for HTTPS',
  },
  httpsRedirectPort: {
    flag: '--https-redirect-port',
    value: 'PORT',
    env: 'K8S_PODS_INGRESS_HTTPS_REDIRECT_PORT',
    commands: ALL,
    defaultText: '',
    parse: (v: string) => (v === '' ? null : integer('the redirect port', 1, 65535)(v)),
    help: 'HTTPS port clients reach, used in the HTTP to HTTPS redirect (default: --https-port)',
  },
  httpsRedirect: {
    flag: '--https-redirect',
    env: 'K8S_PODS_INGRESS_HTTPS_REDIRECT',
    commands: ALL,
    defaultText: 'true',
    parse: flag,
    boolean: true,
    help: 'redirect plain HTTP to HTTPS (308) for hosts with TLS, except /.well-known/acme-challenge/ (--no-https-redirect when TLS is offloaded in front)',
  },
  hstsMaxAge: {
    flag: '--hsts-max-age',
    value: 'SECONDS',
    env: 'K8S_PODS_INGRESS_HSTS_MAX_AGE',
    commands: ALL,
    defaultText: '0',
    parse: integer('the HSTS max-age', 0, 63_072_000),
    help: 'send Strict-Transport-Security with this max-age (seconds) on HTTPS answers; 0: off',
  },
  defaultTlsSecret: {
    flag: '--default-tls-secret',
    value: 'NS/NAME',
    env: 'K8S_PODS_INGRESS_DEFAULT_TLS_SECRET',
    commands: ALL,
    defaultText: '',
    parse: secretRef,
    help: 'NAMESPACE/NAME of a TLS Secret serving the hosts that name none, where its certificate covers them',
  },
  maxSecretBytes: {
    flag: '--max-secret-bytes',
    value: 'BYTES',
    env: 'K8S_PODS_INGRESS_MAX_SECRET_BYTES',
    commands: LIVE,
    defaultText: '65536',
    parse: integer('the Secret size limit', 1024, 1_048_576),
    help: 'largest tls.crt plus tls.key (base64) read from one Secret; a bigger one is reported and not used',
  },
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
  /** --help (or `help`): print the help of the command, or the top-level help when no command was named. */
  readonly help: boolean;
  /** True when argv named its command; false when `run` was taken as the default. */
  readonly explicit: boolean;
  readonly version: boolean;
  /** What the user should know, printed before the command runs (variables under their old names, …). */
  readonly warnings: readonly string[];
}

// The names the variables had before they moved under ENV_PREFIX. They are not read any more (PORT=3000 in a shell
// is exactly the collision the prefix avoids), but one that is set gets a warning naming its new name.
const OLD_ENV_NAMES: readonly string[] = [
  'ROUTABLE_LABEL_SELECTOR',
  'HOSTS_ANNOTATION',
  'PATHS_ANNOTATION',
  'PORT',
  'WINDOW_MS',
  'TEMPLATE',
  'OWNERSHIP',
  'OWNERSHIP_GRACE_SECONDS',
  'MAX_ENTRIES',
  'MAX_ROUTES_PER_POD',
  'MAX_ANNOTATION_LENGTH',
  'NGINX_WORKER_PROCESSES',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NAMESPACES',
  'WATCH_TIMEOUT_SECONDS',
  'WATCH_IDLE_TIMEOUT_SECONDS',
  'SINK',
  'NGINX_CONF',
  'NGINX_BIN',
  'HTTP_PORT',
  'HTTP_ADDRESS',
  'HEALTH_WATCH_SILENCE_SECONDS',
  'POST_EVENTS',
];

/** Parses argv (without node and script) and the environment; throws SettingsError naming what to fix. */
export function parseInvocation(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Invocation {
  const line = readCommandLine(argv, SETTINGS as Record<string, Spec<unknown>>, COMMANDS);
  const { command } = line;
  const settings = {} as Record<string, unknown>;
  const warnings: string[] = [];
  // --help and --version work whatever the environment holds.
  const quiet = line.help || line.version;
  for (const [key, spec] of Object.entries(SETTINGS) as [keyof Specs, Spec<unknown>][]) {
    const applies = spec.commands.includes(command) && !quiet;
    const fromFlag = quiet ? undefined : line.given.get(key);
    // A variable meant for another command must not stop this one.
    const fromEnv = spec.env === undefined || !applies ? undefined : env[spec.env];
    const source = fromFlag !== undefined ? spec.flag : fromEnv !== undefined ? spec.env! : null;
    const value = fromFlag ?? fromEnv ?? spec.defaultText;
    const old = spec.env?.startsWith(ENV_PREFIX) ? spec.env.slice(ENV_PREFIX.length) : undefined;
    if (applies && old !== undefined && OLD_ENV_NAMES.includes(old) && env[old] !== undefined) {
      warnings.push(`the environment variable ${old} is ignored: the setting is now read from ${spec.env}`);
    }
    try {
      settings[key] = spec.parse(value);
    } catch (error) {
      const where = source === null ? `the default of ${spec.flag}` : source;
      throw new SettingsError(
        `${where}: ${JSON.stringify(value)} is not accepted: ${(error as Error).message}${serviceLinkHint(source, value)}`,
      );
    }
  }
  const clash = portClash(settings as Settings, command === 'run');
  if (clash !== null) throw new SettingsError(clash);
  return {
    command,
    settings: settings as Settings,
    args: line.positionals,
    help: line.help,
    explicit: line.explicit,
    version: line.version,
    warnings,
  };
}

// Kubernetes injects K8S_PODS_INGRESS_PORT=tcp://… into pods of a namespace holding a Service of that name.
function serviceLinkHint(source: string | null, value: string): string {
  return source?.startsWith(ENV_PREFIX) === true && /^(tcp|udp|sctp):\/\//.test(value)
    ? ' (a Kubernetes service link: set enableServiceLinks: false in the pod spec)'
    : '';
}
