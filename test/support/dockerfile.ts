// A small reader of Dockerfiles and .dockerignore files, enough for tests to check what an image would contain
// without a Docker engine: instructions grouped by stage, flags and arguments split, comments and continuations
// handled as BuildKit's parser does.
import { readFileSync } from 'node:fs';

/** One instruction, e.g. `COPY --from=build /app/dist ./dist`. */
export interface Instruction {
  readonly keyword: string;
  /** Leading `--name=value` options. */
  readonly flags: Readonly<Record<string, string>>;
  /** Arguments: the JSON array of the exec form, or the words of the shell form. */
  readonly args: readonly string[];
  /** The argument text after the flags, as written (continuations joined). */
  readonly text: string;
  /** Exec (JSON array) form. */
  readonly json: boolean;
}

/** One build stage: `FROM base AS name` and what follows. */
export interface Stage {
  readonly name: string | null;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

/** A Dockerfile this reader cannot follow. */
export class DockerfileError extends Error {
  override readonly name = 'DockerfileError';
}

/** Parses Dockerfile text into its stages; instructions before the first FROM (ARG) are ignored. */
export function parseDockerfile(text: string): Stage[] {
  const stages: { name: string | null; base: string; instructions: Instruction[] }[] = [];
  for (const line of logicalLines(text)) {
    const instruction = parseInstruction(line);
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args;
      if (base === undefined || (as !== undefined && (as.toUpperCase() !== 'AS' || name === undefined))) {
        throw new DockerfileError(`cannot read "FROM ${instruction.text}"`);
      }
      stages.push({ name: name ?? null, base, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** Reads and parses a Dockerfile. */
export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** Returns the ENV variables a stage sets, in the `ENV NAME=value ...` form. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const word of instruction.args) {
      const equals = word.indexOf('=');
      if (equals <= 0) throw new DockerfileError(`cannot read "ENV ${instruction.text}": use the NAME=value form`);
      env[word.slice(0, equals)] = word.slice(equals + 1);
    }
  }
  return env;
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending: string | null = null;
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    // Comment lines are dropped before continuations are joined, so they may sit inside a continued RUN.
    if (trimmed.startsWith('#') || (trimmed === '' && pending === null)) continue;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending === null ? part : `${pending} ${part}`;
    if (!continues) {
      lines.push(pending.trim());
      pending = null;
    }
  }
  if (pending !== null) lines.push(pending.trim());
  return lines.filter((line) => line !== '');
}

function parseInstruction(line: string): Instruction {
  const [keyword = '', ...words] = line.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!.slice(2);
    const equals = flag.indexOf('=');
    flags[equals === -1 ? flag : flag.slice(0, equals)] = equals === -1 ? 'true' : flag.slice(equals + 1);
  }
  const text = words.join(' ');
  if (text.startsWith('[')) {
    let args: unknown;
    try {
      args = JSON.parse(text);
    } catch (error) {
      throw new DockerfileError(`cannot read the JSON arguments of "${keyword} ${text}"`, { cause: error });
    }
    if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
      throw new DockerfileError(`"${keyword} ${text}" must be a JSON array of strings`);
    }
    return { keyword: keyword.toUpperCase(), flags, args, text, json: true };
  }
  return { keyword: keyword.toUpperCase(), flags, args: words, text, json: false };
}

/** Reads a .dockerignore into its patterns (comments and blank lines dropped). */
export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Tells whether a context path (relative, `/`-separated) is left out of the build context: as in BuildKit, a pattern
 * matches a path or any of its parent directories, and the last matching pattern wins (`!` re-includes).
 */
export function isIgnored(patterns: readonly string[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = patternRegex(negated ? pattern.slice(1) : pattern);
    if (candidates.some((candidate) => regex.test(candidate))) ignored = !negated;
  }
  return ignored;
}

function patternRegex(pattern: string): RegExp {
  const clean = pattern.replace(/^\/+|\/+$/g, '');
  let source = '';
  for (let i = 0; i < clean.length; i++) {
    const char = clean[i]!;
    if (char === '*' && clean[i + 1] === '*') {
      // `**/` is any number of directories, none included; a trailing `**` is anything below.
      const slash = clean[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
