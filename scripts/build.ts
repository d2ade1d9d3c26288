// Builds dist/, the program npm's scripts, the package's bin and the image run (`npm run build`, after tsc has
// type-checked src/; `npm ci` builds too, through `prepare`):
//
//   npm run build
//
// The program is bundled, because start-up is mostly the loading of modules: the published rxjs is ~735 CommonJS
// files, and the replay of a small file spent more time loading them than replaying. The bundle takes rxjs from its
// ES2015 build, which the bundler can tree-shake (rxjs's `node` export condition points at the CommonJS one), and
// splits at each dynamic import, so a command loads only the code it runs.
//
// Every output file is written flat into dist/, one level below the package root as src/package-files.ts is in src/:
// that is how the bundled code finds the template, the Lua files and package.json. The parse worker's entry is beside
// the code that starts it (src/streams/parse-in-worker.ts looks for `./replay-worker.js`).
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Where the program is built; each entry point becomes dist/<its name>.js. */
export const OUT_DIR = 'dist';

/** The program (the command line) and the file the parse worker runs. */
export const ENTRY_POINTS = ['src/main.ts', 'src/streams/replay-worker.ts'];

/**
 * Packages left out of the bundle and loaded from node_modules as installed: only `run` and `record` load them, after
 * start-up, and the Kubernetes client and winston load parts of themselves by computed paths a bundler cannot follow.
 */
export const EXTERNAL_PACKAGES = ['@kubernetes/client-node', 'prom-client', 'winston'];

// rxjs's ES2015 modules, named by the `es2015` field of its package.json (an alias resolves from the package root).
function rxjsModules(): string {
  const manifest = JSON.parse(readFileSync(`${ROOT}node_modules/rxjs/package.json`, 'utf8')) as { es2015: string };
  return `./node_modules/rxjs/${manifest.es2015.replace(/^\.\//, '')}`;
}

/** Builds the program into a fresh `outDir` (relative to the package root, or absolute). */
export function buildProgram(outDir: string = OUT_DIR, options: { sourcemap: boolean } = { sourcemap: true }): void {
  rmSync(resolve(ROOT, outDir), { recursive: true, force: true });
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL_PACKAGES,
    alias: { rxjs: rxjsModules() },
    sourcemap: options.sourcemap,
    logLevel: 'warning',
  });
}

// Run as a script, not when a test or a benchmark imports the names above.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) buildProgram();
