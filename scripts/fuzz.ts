// The adversarial fuzz campaign (issue 8): valid pods next to hostile ones, through applyEvents -> renderState, with
// the invariants of test/support/fuzz-case.ts on every config and `nginx -t` on a sample. Seeded and reproducible.
//
//   npm run fuzz -- [--seed N] [--runs N] [--workers N] [--nginx-every N] [--path P]
//
// Work is split into shards, one per worker process; shard i runs with seed N+i. A failure prints the command that
// replays it alone (its shard seed, `--workers 1` and fast-check's `--path`).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { checkCase, fuzzCase } from '../test/support/fuzz-case.js';
import { nginxTest } from '../test/support/nginx-check.js';

interface Options {
  seed: number;
  runs: number;
  workers: number;
  nginxEvery: number;
  path: string | undefined;
  shard: number | undefined;
}

interface ShardResult {
  readonly shard: number;
  readonly seed: number;
  readonly runs: number;
  readonly ok: boolean;
  readonly nginxTests: number;
  readonly seconds: number;
  readonly report: string;
}

const HELP = `usage: npm run fuzz -- [--seed N] [--runs N] [--workers N] [--nginx-every N] [--path P]

The adversarial fuzz campaign: valid pods next to hostile ones, every invariant checked on every config.
  --seed N          seed of shard 0; shard i uses N+i (default: the clock)
  --runs N          cases in all, split over the workers (default 10000)
  --workers N       worker processes, one shard each (default 1)
  --nginx-every N   run nginx -t on every Nth config of a shard; 0: never (default 2000)
  --path P          fast-check's replay path of a failure (with --workers 1)
`;

class UsageError extends Error {}

// Returns null for --help.
function readArgs(argv: readonly string[]): Options | null {
  const number = { type: 'string' } as const;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seed: number,
        runs: number,
        workers: number,
        'nginx-every': number,
        shard: number,
        path: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`fuzz: ${(error as Error).message} (see --help)`);
  }
  if (values['help'] === true) return null;
  const whole = (name: string, fallback: number): number => {
    const value = values[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value))
      throw new UsageError(`fuzz: --${name} takes a whole number, not ${JSON.stringify(value)}`);
    return Number(value);
  };
  const shard = values['shard'] === undefined ? undefined : whole('shard', 0);
  const path = typeof values['path'] === 'string' ? values['path'] : undefined;
  return {
    seed: whole('seed', Date.now() % 2_147_483_647),
    runs: whole('runs', 10_000),
    workers: whole('workers', 1),
    nginxEvery: whole('nginx-every', 2_000),
    path,
    shard,
  };
}

function runShard(shard: number, seed: number, runs: number, options: Options): ShardResult {
  const started = performance.now();
  let cases = 0;
  let nginxTests = 0;
  const property = fc.property(fuzzCase, (c) => {
    const { text, problems } = checkCase(c);
    cases++;
    if (problems.length === 0 && options.nginxEvery > 0 && cases % options.nginxEvery === 0) {
      nginxTests++;
      const tested = nginxTest(text);
      if (!tested.ok) problems.push(`nginx -t failed: ${tested.output}`);
    }
    if (cases % 100_000 === 0)
      process.stderr.write(`shard ${shard}: ${cases} cases, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    if (problems.length > 0) throw new Error(problems.slice(0, 5).join('\n'));
  });
  const details = fc.check(property, {
    seed,
    numRuns: runs,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const report = details.failed
    ? `${fc.defaultReportMessage(details) ?? 'failed'}\nbroken invariants:\n${String((details.errorInstance as Error | null)?.message ?? '')}\nreplay: npm run fuzz -- --seed ${seed} --runs ${runs} --workers 1 --path ${details.counterexamplePath ?? ''}`
    : '';
  return {
    shard,
    seed,
    runs: details.numRuns,
    ok: !details.failed,
    nginxTests,
    seconds: (performance.now() - started) / 1000,
    report,
  };
}

function runWorker(shard: number, options: Options, runs: number): Promise<ShardResult> {
  const args = [
    '--shard',
    String(shard),
    '--seed',
    String(options.seed + shard),
    '--runs',
    String(runs),
    '--nginx-every',
    String(options.nginxEvery),
  ];
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => resolve(message as ShardResult));
    child.once('exit', (code) => reject(new Error(`fuzz: shard ${shard} exited with ${code} before reporting`)));
  });
}

async function main(): Promise<number> {
  const options = readArgs(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(HELP);
    return 0;
  }
  if (options.shard !== undefined) {
    const result = runShard(options.shard, options.seed, options.runs, options);
    await new Promise<void>((resolve) => process.send!(result, () => resolve()));
    return 0;
  }
  const perShard = Math.ceil(options.runs / options.workers);
  console.log(
    `fuzz: seed ${options.seed}, ${options.workers} worker(s) x ${perShard} cases (shard i uses seed ${options.seed}+i), nginx -t every ${options.nginxEvery} cases`,
  );
  const started = performance.now();
  const results =
    options.workers === 1
      ? [runShard(0, options.seed, perShard, options)]
      : await Promise.all(Array.from({ length: options.workers }, (_, shard) => runWorker(shard, options, perShard)));
  for (const r of results) {
    console.log(
      `shard ${r.shard}: seed ${r.seed}, ${r.runs} cases, ${r.nginxTests} nginx -t, ${r.seconds.toFixed(1)} s: ${r.ok ? 'ok' : 'FAILED'}`,
    );
    if (!r.ok) console.log(r.report);
  }
  const total = results.reduce((sum, r) => sum + r.runs, 0);
  const ok = results.every((r) => r.ok);
  console.log(
    `fuzz: seed ${options.seed}, ${total} cases, ${((performance.now() - started) / 1000).toFixed(1)} s wall: ${ok ? 'passed' : 'FAILED'}`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
