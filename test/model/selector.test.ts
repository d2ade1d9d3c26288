import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesLabelObject, matchesSelector, parseSelector, type LabelSelector } from '../../src/model/selector.js';

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
  for (const [text, labels, expected] of cases) assert.equal(matchesSelector(parse(text), labels), expected, `${text} on ${JSON.stringify(labels)}`);
});

test('bad selectors are refused with a reason', () => {
  for (const bad of ['a=b=c', 'env in (prod', 'env in prod)', 'bad key=x', 'a=$(x)', '-a=b', 'a=b;c']) {
    assert.equal(typeof parseSelector(bad), 'string', bad);
  }
});

test('raw labels are read in place as parsed: only string values are labels, anything else is no labels', () => {
  const cases: [string, string, unknown, boolean][] = [
    ['a string label matches', 'microservice=true', { microservice: 'true' }, true],
    ['a number is not a label value', 'microservice', { microservice: 1 }, false],
    ['null is not a label value', '!microservice', { microservice: null }, true],
    ['labels absent', '!microservice', undefined, true],
    ['labels an array', 'microservice', ['microservice'], false],
    ['labels a string', 'microservice', 'microservice', false],
    ['inherited keys do not count', 'toString', {}, false],
    ['a __proto__ key from JSON gives no labels through it', 'microservice', JSON.parse('{"__proto__":{"microservice":"true"}}'), false],
    ['every requirement must hold', 'a=1,b notin (2)', { a: '1', b: '2' }, false],
  ];
  for (const [name, text, labels, expected] of cases) {
    assert.equal(matchesLabelObject(parse(text), labels), expected, name);
    if (typeof labels === 'object' && labels !== null && !Array.isArray(labels) && Object.values(labels).every((v) => typeof v === 'string')) {
      assert.equal(matchesSelector(parse(text), labels as Record<string, string>), expected, `${name} (matchesSelector)`);
    }
  }
});
