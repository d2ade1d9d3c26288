// The controller's Dockerfile, checked without a Docker engine: the build is replayed over the repository (COPY
// sources, .dockerignore, what `npm ci` and `tsc -p tsconfig.build.json` produce) and the final stage must hold
// everything `node dist/main.js run` loads, run as a numeric non-root user.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEMPLATE_PATH } from '../../src/commands/load-template.js';
import { LUA_PACKAGES, LUA_SOURCE_DIR } from '../../src/sinks/lua-files.js';
import { parseInvocation } from '../../src/settings.js';
import {
  isIgnored,
  parseDockerfile,
  readDockerfile,
  readDockerignore,
  stageEnv,
  type Stage,
} from '../support/dockerfile.js';
import { simulateBuild, type FileTree, type RunOutput } from '../support/image-files.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const stages = readDockerfile(`${root}Dockerfile`);
const ignore = readDockerignore(`${root}.dockerignore`);
const runtime = stages.at(-1)!;
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${root}${file}`, 'utf8')) as Record<string, unknown>;
const pkg = readJson('package.json') as {
  type?: string;
  scripts: Record<string, string>;
  dependencies: object;
  devDependencies: object;
};
const buildConfig = readJson('tsconfig.build.json') as { compilerOptions: { rootDir: string; outDir: string } };
const { rootDir, outDir } = buildConfig.compilerOptions;

// What the RUN lines that matter produce: `npm ci` a node_modules tree, and `npm run build` (tsc) one .js file per
// .ts file copied under rootDir, provided tsc, its configs and the dependencies are there.
function runOutputs(command: string, workdir: string, tree: FileTree): RunOutput[] {
  const here = (path: string): string => posix.join(workdir, path);
  if (/\bnpm ci\b/.test(command)) {
    assert.ok(tree.has(here('package-lock.json')), `npm ci in ${workdir} needs package-lock.json`);
    return [{ path: 'node_modules', kind: 'dir' }];
  }
  if (/\bnpm run build\b/.test(command)) {
    for (const needed of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'node_modules']) {
      assert.ok(tree.has(here(needed)), `npm run build in ${workdir} needs ${needed}`);
    }
    const sources = [...tree.keys()].filter(
      (path) => path.startsWith(`${here(rootDir)}/`) && /(?<!\.d)\.ts$/.test(path),
    );
    return sources.map((path) => ({
      path: posix.join(outDir, posix.relative(here(rootDir), path).replace(/\.ts$/, '.js')),
      kind: 'file',
    }));
  }
  return [];
}

// Replayed inside the tests, so a RUN whose inputs are missing fails a test rather than the loading of this file.
const replay = (): ReturnType<typeof simulateBuild> => simulateBuild(stages, root, ignore, runOutputs);
const finalTree = (): FileTree => replay().trees.get(runtime.name ?? String(stages.length - 1))!;
const entrypoint = (stage: Stage): readonly string[] =>
  stage.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? [];

test('every stage starts from node:20-bookworm-slim, and the build uses the repository build script', () => {
  assert.deepEqual(
    stages.map((stage) => stage.base),
    stages.map(() => 'node:20-bookworm-slim'),
  );
  assert.equal(pkg.scripts['build'], 'tsc -p tsconfig.build.json');
  assert.deepEqual([rootDir, outDir], ['src', 'dist']);
});

test('every COPY has its source: context paths exist and pass .dockerignore, --from paths come from their stage', () => {
  assert.deepEqual(replay().problems, []);
});

test('the final image holds the entrypoint, its ES module marker, the template where the program looks, and dependencies', () => {
  const image = finalTree();
  const args = entrypoint(runtime);
  assert.ok(args.includes('node'), `ENTRYPOINT runs node: ${args.join(' ')}`);
  const script = args.at(-1)!;
  assert.equal(script, posix.join('/app', outDir, 'main.js'));
  assert.equal(image.get(script), 'file', `${script} is in the image`);
  assert.equal(
    image.get(posix.join(posix.dirname(posix.dirname(script)), 'package.json')),
    'file',
    'package.json next to dist/',
  );
  assert.equal(pkg.type, 'module', 'package.json makes dist/*.js ES modules');
  // template.ts finds the template relative to itself; the compiled file sits at the same place under dist/.
  const fromModule = relative(`${root}src/render`, DEFAULT_TEMPLATE_PATH).split('\\').join('/');
  const template = posix.resolve(`/app/${outDir}/render`, fromModule);
  assert.equal(image.get(template), 'file', `${template} is in the image`);
  assert.equal(image.get('/app/node_modules'), 'dir');
  // lua-files.ts finds the Lua balancer relative to itself, like the template.
  const lua = posix.resolve(`/app/${outDir}/sinks`, relative(`${root}src/sinks`, LUA_SOURCE_DIR).split('\\').join('/'));
  for (const file of ['balancer.lua', 'store.lua'])
    assert.equal(image.get(posix.join(lua, file)), 'file', `${lua}/${file} is in the image`);
  const copy = runtime.instructions.find((i) => i.keyword === 'COPY' && i.args[0] === '/app/node_modules');
  const deps = stages.find((stage) => stage.name === copy?.flags['from']);
  assert.ok(
    deps?.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.text)),
    'runtime dependencies only',
  );
  assert.ok(
    ![...image.keys()].some((path) => path.startsWith('/app/src/') || path.startsWith('/app/test/')),
    'no sources in the image',
  );
});

test('the image runs the run command, with an environment the program accepts', () => {
  const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
  assert.ok(cmd?.json, 'CMD in exec form');
  assert.deepEqual(cmd.args, ['run']);
  assert.deepEqual(entrypoint(runtime).slice(0, 2), ['/usr/bin/tini', '--'], 'tini is PID 1');
  const invocation = parseInvocation(cmd.args, stageEnv(runtime));
  assert.equal(invocation.command, 'run');
  assert.equal(invocation.settings.port, 8080, 'nginx listens unprivileged');
});

test('the runtime installs Debian nginx lean, and runs as a numeric non-root user who owns the nginx prefix', () => {
  const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.text);
  const install = runs.find((text) => text.includes('apt-get install'));
  assert.ok(install, 'an apt-get install line');
  assert.match(install, /apt-get update && apt-get install -y --no-install-recommends [^&]*\bnginx\b/);
  for (const name of LUA_PACKAGES.split(' '))
    assert.match(install, new RegExp(`--no-install-recommends [^&]*\\b${name}\\b`), `${name}: dynamic backends`);
  assert.ok(install.includes('rm -rf /var/lib/apt/lists/*'), 'apt lists are cleaned in the same layer');
  const users = runtime.instructions.filter((i) => i.keyword === 'USER');
  assert.equal(users.length, 1);
  const [uid, gid] = users[0]!.args[0]!.split(':');
  assert.match(`${uid}:${gid}`, /^[1-9][0-9]*:[1-9][0-9]*$/);
  const prefix = posix.dirname(parseInvocation(['run'], stageEnv(runtime)).settings.nginxConf);
  assert.ok(
    install.includes(`install -d -o ${uid} -g ${gid} -m 0700 ${prefix}`),
    `${prefix} is created for ${uid}:${gid}`,
  );
  const afterUser = runtime.instructions.slice(runtime.instructions.indexOf(users[0]!) + 1);
  assert.ok(
    afterUser.every((i) => i.keyword !== 'RUN'),
    'every RUN happens before USER: the user needs nothing at build time',
  );
});

test('the build replay reports a missing source, an ignored path and a path no stage produced', () => {
  const text = [
    'FROM node:20-bookworm-slim AS build',
    'WORKDIR /app',
    'COPY package.json no-such-file ./',
    'COPY node_modules ./node_modules',
    'FROM node:20-bookworm-slim',
    'COPY --from=build /app/out ./out',
    'COPY --from=nothing /x /x',
  ].join('\n');
  const { problems } = simulateBuild(parseDockerfile(text), root, ignore, () => []);
  assert.deepEqual(
    problems.map((problem) => problem.replace(/^.*?: (COPY .*?): /, '$1: ')),
    [
      `COPY package.json no-such-file ./: no-such-file does not exist in the build context ${root}`,
      'COPY node_modules ./node_modules: node_modules is excluded by .dockerignore',
      'COPY --from=build /app/out ./out: stage build produces no /app/out',
      'COPY --from=nothing /x /x: no earlier stage is named nothing',
    ],
  );
});

test('.dockerignore keeps dependencies, builds, history and secrets out of the build context', () => {
  for (const path of [
    'node_modules/rxjs/package.json',
    'dist/main.js',
    '.git/config',
    'test/deploy/image.test.ts',
    '.env',
    'demo/server.js',
  ]) {
    assert.ok(isIgnored(ignore, path), `${path} is excluded`);
  }
  assert.ok(!isIgnored(ignore, 'src/main.ts'));
});

test('the .dockerignore reader follows BuildKit: parents count, the last match wins, ** spans directories', () => {
  const cases: [string[], string, boolean][] = [
    [['*', '!src'], 'src/model/pod.ts', false],
    [['*', '!src'], 'srcx/pod.ts', true],
    [['*', '!src', 'src/secret.ts'], 'src/secret.ts', true],
    [['**/*.log'], 'a/b/debug.log', true],
    [['**/*.log'], 'debug.log', true],
    [['src/*.ts'], 'src/model/pod.ts', false],
    [['dist'], 'dist/main.js', true],
  ];
  for (const [patterns, path, ignored] of cases)
    assert.equal(isIgnored(patterns, path), ignored, `${patterns.join(' ')} on ${path}`);
});

test('the lockfile matches package.json, so npm ci in the image (npm 10) accepts it', () => {
  const lock = readJson('package-lock.json') as {
    lockfileVersion: number;
    packages: Record<string, { dependencies?: object; devDependencies?: object }>;
  };
  // lockfileVersion 3 is read by npm 7 and later; node:20 ships npm 10.
  assert.equal(lock.lockfileVersion, 3);
  assert.deepEqual(lock.packages['']?.dependencies, pkg.dependencies);
  assert.deepEqual(lock.packages['']?.devDependencies, pkg.devDependencies);
});
