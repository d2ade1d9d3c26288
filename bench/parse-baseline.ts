// The replay benchmark's baseline: read the same file line by line and JSON.parse each line, nothing else.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const started = performance.now();
let lines = 0;
let kept = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2]!), crlfDelay: Infinity })) {
  const value = JSON.parse(line) as { type?: string };
  lines++;
  if (value.type !== undefined) kept++;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ lines, kept, seconds, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
