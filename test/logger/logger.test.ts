import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import winston from 'winston';
import { createLightLogger } from '../../src/light-logger.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { parseInvocation } from '../../src/settings.js';
import { captureLogs } from '../support/log-capture.js';

test('log lines are JSON with a component; children name theirs; LOG_LEVEL filters and refuses unknown levels', () => {
  const { logger, lines } = captureLogs('info');
  logger.info('started', { settings: { port: 80 } });
  logger.child({ component: 'kube-events' }).warn('Kubernetes Event not posted', { pod: 'ns/p' });
  logger.debug('hidden at info');
  assert.deepEqual(
    lines.map((l) => [l['level'], l['component'], l['message']]),
    [
      ['info', 'main', 'started'],
      ['warn', 'kube-events', 'Kubernetes Event not posted'],
    ],
  );
  assert.match(String(lines[0]!['timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.throws(
    () => parseInvocation(['run'], { K8S_PODS_INGRESS_LOG_LEVEL: 'trace' }),
    /K8S_PODS_INGRESS_LOG_LEVEL: "trace" is not accepted/,
  );
});

test('text format: time, level, [component], message, then the fields as JSON', () => {
  let out = '';
  const logger = createLogger('info', 'text');
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) }),
    }),
  );
  logger.child({ component: 'http' }).info('serving health and metrics', { address: '*:8081' });
  logger.warn('root line');
  assert.match(
    out,
    /^\S+Z info \[http\] serving health and metrics \{"address":"\*:8081"\}\n\S+Z warn \[main\] root line\n$/,
  );
});

test('the light logger replay uses writes the very lines winston writes, in both formats', () => {
  for (const format of ['json', 'text'] as const) {
    let fromWinston = '';
    const heavy = createLogger('info', format);
    heavy.clear();
    heavy.add(
      new winston.transports.Stream({
        stream: new Writable({ write: (chunk: Buffer, _e, done) => ((fromWinston += chunk.toString()), done()) }),
      }),
    );
    let fromLight = '';
    const light = createLightLogger('info', format, (line) => (fromLight += line));
    for (const logger of [heavy, light] as Logger[]) {
      logger
        .child({ component: 'replay' })
        .warn('malformed line skipped', { file: 'f', line: 3, reason: 'not JSON', nested: { z: 1, a: [2] } });
      logger.info('root line');
      logger.debug('hidden at info');
      logger.child({ component: 'replay' }).child({ file: 'g' }).log('error', 'gone', { b: true });
    }
    const withoutTime = (text: string): string => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'T');
    assert.equal(withoutTime(fromLight), withoutTime(fromWinston), format);
    assert.equal(fromLight.trim().split('\n').length, 3);
  }
});
