// The --help texts, generated from the settings table: the top-level one lists the commands, a command's lists its
// flags with the kind of value each takes, its environment variable and its default. Lines fit 100 columns.
import { readFileSync } from 'node:fs';
import { PACKAGE_JSON } from './package-files.js';
import { COMMANDS, SETTINGS, type Command, type Spec } from './settings.js';

const WIDTH = 100;
const FLAG_COLUMN = 32;

const ABOUT: Record<Command, { readonly usage: string; readonly what: string }> = {
  run: {
    usage: 'run [flags]',
    what: "watch the cluster's pods and serve them with nginx (or print or write each config)",
  },
  replay: {
    usage: 'replay FILE|- [flags]',
    what: 'run a recorded event stream (a file, or - for stdin) through the same pipeline, offline',
  },
  record: { usage: 'record --out FILE [flags]', what: 'connect like run and record the pod events for replay' },
};

/** Returns the top-level help: what the program is, its commands, and where to read more. */
export function topLevelHelp(): string {
  const lines = [
    'usage: k8s-pods-ingress COMMAND [flags]',
    '',
    'Routes HTTP traffic straight to Kubernetes pods, wired by pod annotations, served by nginx.',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.padEnd(8)} ${ABOUT[command].what}`),
    '',
    'With no command, run. `k8s-pods-ingress COMMAND --help` lists the flags of a command;',
    '--version prints the version. Settings are flags, or variables named K8S_PODS_INGRESS_*.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Returns the --help text of a command: usage, then every setting with its flag, variable and default. */
export function helpText(command: Command): string {
  const rows = (Object.values(SETTINGS) as Spec<unknown>[])
    .filter((spec) => spec.commands.includes(command))
    .flatMap(settingLines);
  const lines = [
    `usage: k8s-pods-ingress ${ABOUT[command].usage}`,
    '',
    ...wrap(`${ABOUT[command].what[0]!.toUpperCase()}${ABOUT[command].what.slice(1)}.`.split(' '), 0),
    '',
    'settings (a flag wins over its environment variable; a switch takes --x, --no-x or --x=true|false):',
    ...rows,
  ];
  return `${lines.join('\n')}\n`;
}

function settingLines(spec: Spec<unknown>): string[] {
  const name = spec.boolean ? `${spec.flag}, --no-${spec.flag.slice(2)}` : `${spec.flag} ${spec.value ?? 'VALUE'}`;
  const facts = [
    spec.env === undefined ? '' : `env ${spec.env}`,
    spec.defaultText === '' || spec.boolean ? '' : `default ${spec.defaultText}`,
  ];
  // Each fact stays on one line: "default microservice=true" is never cut in two.
  const known = facts.filter((fact) => fact !== '').map((fact, i, all) => (i < all.length - 1 ? `${fact},` : fact));
  const body = [...wrap(spec.help.split(' '), FLAG_COLUMN), ...(known.length === 0 ? [] : wrap(known, FLAG_COLUMN))];
  const head = `  ${name}`;
  if (head.length < FLAG_COLUMN - 1) return [`${head.padEnd(FLAG_COLUMN)}${body[0]!.trimStart()}`, ...body.slice(1)];
  return [head, ...body];
}

// Word-wraps words into lines of at most WIDTH columns, every line indented by `indent` spaces.
function wrap(words: readonly string[], indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(' '.repeat(indent) + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(' '.repeat(indent) + line);
  return lines;
}

/** Returns the version of the package this program belongs to. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string };
  return pkg.version;
}
