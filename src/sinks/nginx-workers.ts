// Counts old worker generations: after a reload the previous workers keep serving their open connections, titled
// `nginx: worker process is shutting down`, until they finish or worker_shutdown_timeout closes them.
import { readdirSync, readFileSync } from 'node:fs';

/** Returns how many processes in the process group `group` (a master's) are workers shutting down; 0 on no /proc. */
export function oldWorkers(group: number | null, proc = '/proc'): number {
  if (group === null) return 0;
  let count = 0;
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`${proc}/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid pgrp ...`: comm may hold spaces and parentheses, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== group || fields[0] === 'Z') continue;
      if (readFileSync(`${proc}/${entry}/cmdline`, 'utf8').startsWith('nginx: worker process is shutting down'))
        count++;
    } catch {
      // The process ended while we looked.
    }
  }
  return count;
}
