// What a test needs to run nginx and prove it is gone afterwards: a free port, and the processes left in the
// process groups of the masters it started (each master leads its own group, which its workers inherit).
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** Returns a TCP port free on every address (the shipped template listens on all of them). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '0.0.0.0');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Returns the pids of live (not zombie) processes in the given process groups, read from /proc. */
export function processesInGroups(groups: Iterable<number>): number[] {
  const wanted = new Set(groups);
  if (wanted.size === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const group = Number(fields[2]);
    if (state !== 'Z' && state !== 'X' && wanted.has(group)) found.push(Number(entry));
  }
  return found;
}
