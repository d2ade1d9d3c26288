import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesSelector, parseSelector, type LabelSelector } from '../../src/model/selector.js';

const parse = (text: string): LabelSelector => {
  const selector = parseSelector(text);
  assert.ok(typeof selector !== 'string', selector as string);
  return selector;
};

test('label selectors match as the API server does', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['microservice=true', { microservice: 'true' }, true],
    ['microservice=true', { microservice: 'false' }, false],
    ['microservice=true', {}, false],
    ['microservice==true', { microservice: 'true' }, true],
    ['tier!=db', {}, true],
    ['tier!=db', { tier: 'db' }, false],
    ['microservice', { microservice: '' }, true],
    ['!canary', { canary: 'x' }, false],
    ['!canary', {}, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env in (prod,staging)', { env: 'dev' }, false],
    ['env notin (dev)', {}, true],
    ['microservice=true,shard=a', { microservice: 'true', shard: 'a' }, true],
    ['microservice=true, shard=a', { microservice: 'true', shard: 'b' }, false],
    ['example.com/route=yes', { 'example.com/route': 'yes' }, true],
  ];
  for (const [text, labels, expected] of cases)
    assert.equal(matchesSelector(parse(text), labels), expected, `${text} on ${JSON.stringify(labels)}`);
});

test('bad selectors are refused with a reason', () => {
  for (const bad of ['a=b=c', 'env in (prod', 'env in prod)', 'bad key=x', 'a=$(x)', '-a=b', 'a=b;c']) {
    assert.equal(typeof parseSelector(bad), 'string', bad);
  }
});
