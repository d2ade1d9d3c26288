// The controller's Dockerfile, checked without a Docker engine: the build is replayed over the repository (COPY
// sources, .dockerignore, what `npm ci` and `npm run build` produce) and the final stage must hold everything
// `node dist/main.js run` loads, run as a numeric non-root user.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENTRY_POINTS, OUT_DIR } from '../../scripts/build.js';
import { DEFAULT_TEMPLATE_PATH, LUA_SOURCE_DIR } from '../../src/package-files.js';
import { LUA_PACKAGES } from '../../src/sinks/lua-files.js';
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
// The build's inputs: tsc type-checks src/ (tsconfig.build.json), then scripts/build.ts bundles it.
const BUILD_INPUTS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.ts',
  'src',
  'node_modules',
];

// What the RUN lines that matter produce: `npm ci` a node_modules tree, and `npm run build` one file in OUT_DIR per
// entry point of the bundle (its chunks, named by hash, beside them), provided its inputs are there.
function runOutputs(command: string, workdir: string, tree: FileTree): RunOutput[] {
  const here = (path: string): string => posix.join(workdir, path);
  if (/\bnpm ci\b/.test(command)) {
    assert.ok(tree.has(here('package-lock.json')), `npm ci in ${workdir} needs package-lock.json`);
    return [{ path: 'node_modules', kind: 'dir' }];
  }
  if (/\bnpm run build\b/.test(command)) {
    for (const needed of [...BUILD_INPUTS, ...ENTRY_POINTS]) {
      assert.ok(tree.has(here(needed)), `npm run build in ${workdir} needs ${needed}`);
    }
    return ENTRY_POINTS.map((entry) => ({
      path: posix.join(OUT_DIR, posix.basename(entry).replace(/\.ts$/, '.js')),
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
  assert.equal(pkg.scripts['build'], 'tsc -p tsconfig.build.json && tsx scripts/build.ts');
  assert.equal(pkg.scripts['prepare'], 'npm run build');
});

test('every COPY has its source: context paths exist and pass .dockerignore, --from paths come from their stage', () => {
  assert.deepEqual(replay().problems, []);
});

test('the final image holds the entrypoint, its ES module marker, the template where the program looks, and dependencies', () => {
  const image = finalTree();
  const args = entrypoint(runtime);
  assert.ok(args.includes('node'), `ENTRYPOINT runs node: ${args.join(' ')}`);
  const script = args.at(-1)!;
  assert.equal(script, posix.join('/app', OUT_DIR, 'main.js'));
  for (const entry of ENTRY_POINTS) {
    const built = posix.join('/app', OUT_DIR, posix.basename(entry).replace(/\.ts$/, '.js'));
    assert.equal(image.get(built), 'file', `${built} is in the image`);
  }
  assert.equal(image.get(script), 'file', `${script} is in the image`);
  assert.equal(
    image.get(posix.join(posix.dirname(posix.dirname(script)), 'package.json')),
    'file',
    'package.json next to dist/',
  );
  assert.equal(pkg.type, 'module', 'package.json makes dist/*.js ES modules');
  // package-files.ts finds the shipped files from the directory above its own, src/ or (bundled) dist/.
  const shipped = (path: string): string => posix.join('/app', relative(root, path).split('\\').join('/'));
  const template = shipped(DEFAULT_TEMPLATE_PATH);
  assert.equal(image.get(template), 'file', `${template} is in the image`);
  assert.equal(image.get('/app/node_modules'), 'dir');
  const lua = shipped(LUA_SOURCE_DIR);
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
