// `npm run bench`: every benchmark in turn, each in its own process, printing its figures and writing
// bench/results/NAME.json. Plan for ~15 minutes on 2 cores; each script also runs on its own.
import { spawnSync } from 'node:child_process';

const parts: [string, string[]][] = [
  ['render-vs-nginx', []],
  ['replay-throughput', []],
  ['replay-podlist', []],
  ['memory', []],
  ['event-to-served', []],
  ['event-to-served', ['--pods', '10000', '--backend-only', 'true']],
  ['startup-at-scale', []],
  ['reload-economy', []],
  ['reloads-under-load', []],
  ['rolling-restart', []],
  ['members-pushes', []],
];
const only = process.argv.slice(2);
let failed = 0;
for (const [name, args] of parts) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}: npx tsx bench/${name}.ts ${args.join(' ')}`.trimEnd());
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...args], { stdio: 'inherit' });
  console.log(
    `== ${name}: ${result.status === 0 ? 'done' : `FAILED (status ${result.status})`} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
