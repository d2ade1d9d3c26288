// The recorder's Secret lines (src/sinks/record-events.ts): redacted Secrets, read back for replay.
import type { ProjectedSecret } from '../model/secret.js';
import { readRecordedSecret } from '../model/recorded-secret.js';
import type { ReplayLine } from './parse-line.js';

/** The line types that carry Secrets. */
export const SECRET_TYPES: readonly string[] = ['SECRET_SYNC', 'SECRET_ADDED', 'SECRET_MODIFIED', 'SECRET_DELETED'];

/** Reads a Secret line (`secrets` for SECRET_SYNC, `secret` for a change), or returns why it is malformed. */
export function secretLine(
  type: string,
  record: Readonly<Record<string, unknown>>,
  at: number | null,
): ReplayLine | string {
  if (type === 'SECRET_SYNC') {
    const list = record['secrets'];
    if (!Array.isArray(list)) return 'a SECRET_SYNC line needs a "secrets" array';
    const secrets: ProjectedSecret[] = [];
    for (const [index, item] of list.entries()) {
      const secret = readRecordedSecret(item);
      if (typeof secret === 'string') return `secrets[${index}]: ${secret}`;
      secrets.push(secret);
    }
    return { kind: 'event', at, event: { type: 'SECRET_SYNC', secrets } };
  }
  const secret = readRecordedSecret(record['secret']);
  if (typeof secret === 'string') return `a ${type} line needs a "secret": ${secret}`;
  return { kind: 'event', at, event: { type: type as 'SECRET_ADDED' | 'SECRET_MODIFIED' | 'SECRET_DELETED', secret } };
}
