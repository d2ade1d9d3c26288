// Replays the file-system side of a Docker build without a Docker engine: which paths each stage holds after its
// COPY, WORKDIR and (as the caller describes them) RUN instructions, so tests can check that every COPY has a source
// and that the final image holds what the program needs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { isIgnored, type Instruction, type Stage } from './dockerfile.js';

/** What a path in an image is. */
export type EntryKind = 'file' | 'dir';

/** The paths of one stage's file system, absolute and `/`-separated, that the build put there. */
export type FileTree = ReadonlyMap<string, EntryKind>;

/** A path a RUN instruction creates, relative to the working directory unless absolute. */
export interface RunOutput {
  readonly path: string;
  readonly kind: EntryKind;
}

/** Describes what a RUN command creates, given its text, the stage's working directory and the stage so far. */
export type RunOutputs = (command: string, workdir: string, tree: FileTree) => readonly RunOutput[];

/** The simulated stages, by name (or index for unnamed ones), and every COPY whose source is missing. */
export interface SimulatedBuild {
  readonly trees: ReadonlyMap<string, FileTree>;
  readonly problems: readonly string[];
}

/** Replays a build's COPY, WORKDIR and RUN instructions over a context directory and its .dockerignore patterns. */
export function simulateBuild(
  stages: readonly Stage[],
  contextDir: string,
  ignore: readonly string[],
  runOutputs: RunOutputs,
): SimulatedBuild {
  const trees = new Map<string, FileTree>();
  const problems: string[] = [];
  stages.forEach((stage, index) => {
    const tree = new Map<string, EntryKind>();
    let workdir = '/';
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'WORKDIR') {
        workdir = posix.resolve(workdir, instruction.args[0] ?? '/');
        addDir(tree, workdir);
      } else if (instruction.keyword === 'RUN') {
        for (const output of runOutputs(instruction.text, workdir, tree))
          add(tree, posix.resolve(workdir, output.path), output.kind);
      } else if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
        const from = instruction.flags['from'];
        const sources = instruction.args.slice(0, -1);
        const dest = posix.resolve(workdir, instruction.args.at(-1) ?? '.');
        const intoDir = (instruction.args.at(-1) ?? '').endsWith('/') || sources.length > 1;
        const copy = from === undefined ? copyFromContext(contextDir, ignore) : copyFromStage(trees.get(from), from);
        for (const source of sources) {
          const problem = copy(source, dest, intoDir, tree);
          if (problem !== null) problems.push(`stage ${stage.name ?? index}: ${written(instruction)}: ${problem}`);
        }
      }
    }
    trees.set(stage.name ?? String(index), tree);
  });
  return { trees, problems };
}

function written(instruction: Instruction): string {
  const flags = Object.entries(instruction.flags).map(([name, value]) => `--${name}=${value}`);
  return [instruction.keyword, ...flags, instruction.text].join(' ');
}

type Copy = (source: string, dest: string, intoDir: boolean, tree: Map<string, EntryKind>) => string | null;

function copyFromContext(contextDir: string, ignore: readonly string[]): Copy {
  return (source, dest, intoDir, tree) => {
    const relative = posix.normalize(source).replace(/^\.?\/+/, '');
    if (relative.startsWith('..')) return `${source} is outside the build context`;
    if (/[*?[]/.test(relative)) return `${source}: wildcards are not supported by this check`;
    const path = join(contextDir, relative);
    if (!existsSync(path)) return `${source} does not exist in the build context ${contextDir}`;
    if (isIgnored(ignore, relative)) return `${source} is excluded by .dockerignore`;
    if (!statSync(path).isDirectory()) {
      add(tree, intoDir ? posix.join(dest, posix.basename(relative)) : dest, 'file');
      return null;
    }
    // Docker copies a directory's contents, minus what .dockerignore excludes, into the destination.
    addDir(tree, dest);
    for (const file of walk(path)) {
      if (!isIgnored(ignore, posix.join(relative, file))) add(tree, posix.join(dest, file), 'file');
    }
    return null;
  };
}

function copyFromStage(source: FileTree | undefined, name: string): Copy {
  return (path, dest, intoDir, tree) => {
    if (source === undefined) return `no earlier stage is named ${name}`;
    const absolute = posix.resolve('/', path);
    const kind = source.get(absolute);
    if (kind === undefined) return `stage ${name} produces no ${absolute}`;
    if (kind === 'file') {
      add(tree, intoDir ? posix.join(dest, posix.basename(absolute)) : dest, 'file');
      return null;
    }
    addDir(tree, dest);
    for (const [entry, entryKind] of source) {
      if (entry.startsWith(`${absolute}/`)) add(tree, posix.join(dest, entry.slice(absolute.length + 1)), entryKind);
    }
    return null;
  };
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? walk(join(dir, entry.name), relative) : [relative];
  });
}

function add(tree: Map<string, EntryKind>, path: string, kind: EntryKind): void {
  addDir(tree, posix.dirname(path));
  if (kind === 'file' || !tree.has(path)) tree.set(path, kind);
}

function addDir(tree: Map<string, EntryKind>, path: string): void {
  for (let dir = path; !tree.has(dir); dir = posix.dirname(dir)) {
    tree.set(dir, 'dir');
    if (dir === '/') break;
  }
}
