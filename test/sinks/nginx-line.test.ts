// nginx's stderr lines, as the supervisor reads them: level, pid and message, with the controller's log level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFatal, nginxLine, nginxLogLevel, type NginxLine } from '../../src/sinks/nginx-line.js';
import type { LogLevel } from '../../src/logger.js';

const CASES: readonly (readonly [string, string, NginxLine, LogLevel])[] = [
  [
    'a master notice',
    '2026/11/28 04:18:50 [notice] 8789#8789: start worker processes',
    { level: 'notice', pid: 8789, message: 'start worker processes' },
    'verbose',
  ],
  [
    'a failed bind',
    '2026/11/28 04:19:08 [emerg] 9014#9014: bind() to 127.0.0.1:18093 failed (98: Address already in use)',
    { level: 'emerg', pid: 9014, message: 'bind() to 127.0.0.1:18093 failed (98: Address already in use)' },
    'error',
  ],
  [
    'a per-request error (connection number dropped)',
    '2026/11/28 04:25:12 [error] 15078#15078: *1 connect() failed (111: Connection refused) while connecting to upstream',
    { level: 'error', pid: 15078, message: 'connect() failed (111: Connection refused) while connecting to upstream' },
    'warn',
  ],
  [
    'nginx -t output',
    'nginx: [emerg] unknown directive "bogus" in /tmp/x/nginx.conf.candidate:6',
    { level: 'emerg', pid: null, message: 'unknown directive "bogus" in /tmp/x/nginx.conf.candidate:6' },
    'error',
  ],
  [
    'a warning',
    'nginx: [warn] the "user" directive makes sense only if the master process runs with super-user privileges',
    {
      level: 'warn',
      pid: null,
      message: 'the "user" directive makes sense only if the master process runs with super-user privileges',
    },
    'warn',
  ],
  [
    'an unknown level',
    '2026/11/28 04:18:50 [loud] 1#1: hello',
    { level: null, pid: null, message: '2026/11/28 04:18:50 [loud] 1#1: hello' },
    'info',
  ],
  ['free text', 'something else entirely', { level: null, pid: null, message: 'something else entirely' }, 'info'],
  ['an empty line', '', { level: null, pid: null, message: '' }, 'info'],
];

describe('nginxLine', () => {
  for (const [name, text, parsed, level] of CASES) {
    it(name, () => {
      assert.deepEqual(nginxLine(text), parsed);
      assert.equal(nginxLogLevel(parsed.level), level);
    });
  }

  it('calls only emerg fatal', () => {
    assert.deepEqual(
      (['emerg', 'alert', 'crit', 'error', 'notice'] as const).map((level) => isFatal({ level, pid: 1, message: '' })),
      [true, false, false, false, false],
    );
  });
});
