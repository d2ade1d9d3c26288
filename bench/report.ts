// What every benchmark shares: reading its flags, summarising samples, and writing its figures as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** Reads `--name N` from the command line (`true`/`false` read as 1/0), or the fallback. */
export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true' ? 1 : 0;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a non-negative number, got ${value}`);
  return parsed;
}

/** Returns the median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Returns the p-th percentile (0-100) of some numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Describes the machine a figure was measured on, load included (these machines are shared). */
export function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** Writes a benchmark's figures to bench/results/NAME.json and returns the path. */
export function writeResult(name: string, figures: Record<string, unknown>): string {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...figures }, null, 2)}\n`,
  );
  return path;
}
