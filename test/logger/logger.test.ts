import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import winston from 'winston';
import { createLogger } from '../../src/logger.js';
import { parseInvocation } from '../../src/settings.js';
import { captureLogs } from '../support/log-capture.js';

test('log lines are JSON with a component; children name theirs; LOG_LEVEL filters and refuses unknown levels', () => {
  const { logger, lines } = captureLogs('info');
  logger.info('started', { settings: { port: 80 } });
  logger.child({ component: 'kube-events' }).warn('Kubernetes Event not posted', { pod: 'ns/p' });
  logger.debug('hidden at info');
  assert.deepEqual(lines.map((l) => [l['level'], l['component'], l['message']]), [
    ['info', 'main', 'started'],
    ['warn', 'kube-events', 'Kubernetes Event not posted'],
  ]);
  assert.match(String(lines[0]!['timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.throws(() => parseInvocation(['run'], { K8S_PODS_INGRESS_LOG_LEVEL: 'trace' }), /K8S_PODS_INGRESS_LOG_LEVEL: "trace" is not accepted/);
});

test('text format: time, level, [component], message, then the fields as JSON', () => {
  let out = '';
  const logger = createLogger('info', 'text');
  logger.clear();
  logger.add(new winston.transports.Stream({ stream: new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) }) }));
  logger.child({ component: 'http' }).info('serving health and metrics', { address: '*:8081' });
  logger.warn('root line');
  assert.match(out, /^\S+Z info \[http\] serving health and metrics \{"address":"\*:8081"\}\n\S+Z warn \[main\] root line\n$/);
});
