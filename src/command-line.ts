// Reading argv against the settings table: node:util's parseArgs splits the words (`--x=v`, `--x v`, `--`, `-h`),
// and the rules of the CLI are checked on its tokens: the command comes first among the positionals and must be one
// the program has; a flag must belong to that command; a value flag's value may not look like a flag; a boolean
// flag is `--x`, `--no-x` or `--x=true|false`; no stray arguments.
import { parseArgs } from 'node:util';
import { SettingsError } from './settings-error.js';
import type { Command, Spec } from './settings.js';

/** What argv says, before values are parsed: the command, the flags given (by setting key), the positionals. */
export interface CommandLine {
  readonly command: Command;
  readonly explicit: boolean;
  /** Raw value of each setting given as a flag, by the setting's key (booleans as 'true' or 'false'). */
  readonly given: ReadonlyMap<string, string>;
  /** The positionals after the command (the replay file). */
  readonly positionals: readonly string[];
  readonly help: boolean;
  readonly version: boolean;
}

/** A usage error of the command line (exit 2, as every SettingsError). */
export class CommandLineError extends SettingsError {}

type Table = Readonly<Record<string, Spec<unknown>>>;
type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;

/** Reads argv against the table; throws CommandLineError saying what to fix. */
export function readCommandLine(argv: readonly string[], table: Table, commands: readonly Command[]): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const spec of Object.values(table)) options[spec.flag.slice(2)] = { type: spec.boolean ? 'boolean' : 'string' };
  let tokens: Token[];
  try {
    tokens = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
  } catch (error) {
    throw new CommandLineError(`${(error as Error).message}; see --help`);
  }
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  let [first, ...rest] = positionals;
  let help = tokens.some((t) => t.kind === 'option' && t.name === 'help');
  if (first === 'help') {
    help = true;
    [first, ...rest] = rest;
  }
  const explicit = first !== undefined;
  if (first !== undefined && !(commands as readonly string[]).includes(first)) {
    throw new CommandLineError(
      `unknown command ${JSON.stringify(first)}: the commands are ${commands.join(', ')} (see --help)`,
    );
  }
  const command = (first ?? 'run') as Command;
  const given = new Map<string, string>();
  for (const [index, token] of tokens.entries()) {
    if (token.kind !== 'option' || token.name === 'help' || token.name === 'version') continue;
    const [key, value] = flagValue(token, table, command);
    given.set(key, value);
    const next = tokens[index + 1];
    // `--events false` used to leave Events on and drop the word: the word is refused with the way to write it.
    if (
      table[key]!.boolean &&
      token.value === undefined &&
      next?.kind === 'positional' &&
      /^(true|false)$/.test(next.value)
    ) {
      throw new CommandLineError(
        `${token.rawName} takes no separate value: write ${token.rawName}=${next.value}, or --no-${token.name} to turn it off`,
      );
    }
  }
  if (!help && command !== 'replay' && rest.length > 0) {
    throw new CommandLineError(
      `unexpected argument ${JSON.stringify(rest[0])}: ${command} takes no arguments (the commands are ${commands.join(', ')}; see --help)`,
    );
  }
  // replay's FILE is checked by replay itself (src/commands/replay.ts), so settings can be parsed without one.
  const version = tokens.some((t) => t.kind === 'option' && t.name === 'version');
  return { command, explicit, given, positionals: rest, help, version };
}

function flagValue(token: Extract<Token, { kind: 'option' }>, table: Table, command: Command): [string, string] {
  const negated = token.name.startsWith('no-') ? find(table, `--${token.name.slice(3)}`, command) : undefined;
  if (negated !== undefined && table[negated]!.boolean) {
    if (token.value !== undefined) throw new CommandLineError(`${token.rawName} takes no value`);
    return [negated, 'false'];
  }
  const key = find(table, token.rawName, command);
  if (key === undefined) {
    const other = Object.values(table).some((spec) => spec.flag === token.rawName);
    throw new CommandLineError(
      `unknown flag ${token.rawName} for "${command}"${other ? ' (it belongs to another command)' : ''}; see ${command} --help`,
    );
  }
  const spec = table[key]!;
  if (spec.boolean) {
    if (token.value === undefined) return [key, 'true'];
    if (token.value === 'true' || token.value === 'false') return [key, token.value];
    throw new CommandLineError(
      `${token.rawName}=${token.value}: a switch takes ${token.rawName}, --no-${token.name} or ${token.rawName}=true|false`,
    );
  }
  if (token.value === undefined)
    throw new CommandLineError(`flag ${token.rawName} needs a value (${spec.value ?? 'VALUE'})`);
  if (!token.inlineValue && /^-./.test(token.value)) {
    throw new CommandLineError(
      `flag ${token.rawName} needs a value (${spec.value ?? 'VALUE'}), not the flag-like ${JSON.stringify(token.value)}; write ${token.rawName}=${token.value} if you mean it`,
    );
  }
  return [key, token.value];
}

function find(table: Table, flag: string, command: Command): string | undefined {
  return Object.entries(table).find(([, spec]) => spec.flag === flag && spec.commands.includes(command))?.[0];
}
