// Label selectors with the real server's semantics, table-driven; hostile and malformed inputs included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelSelectorError, matchesLabels, parseLabelSelector } from './label-selector.js';

const labels = { microservice: 'true', app: 'web', tier: '3', 'example.com/team': 'a' };

const matching: ReadonlyArray<readonly [string, string, Record<string, string> | undefined, boolean]> = [
  ['empty selector matches everything', '', labels, true],
  ['empty selector matches no labels', '', undefined, true],
  ['equality', 'microservice=true', labels, true],
  ['double equals', 'microservice==true', labels, true],
  ['equality, other value', 'microservice=false', labels, false],
  ['inequality', 'app!=db', labels, true],
  ['inequality matches a missing key', 'missing!=x', labels, true],
  ['existence', 'app', labels, true],
  ['existence of a missing key', 'missing', labels, false],
  ['non-existence', '!missing', labels, true],
  ['non-existence of a present key', '!app', labels, false],
  ['in', 'app in (db,web)', labels, true],
  ['in, no match', 'app in (db, cache)', labels, false],
  ['in needs the key', 'missing in (a)', labels, false],
  ['notin', 'app notin (db)', labels, true],
  ['notin with a matching value', 'app notin (web)', labels, false],
  ['notin matches a missing key', 'missing notin (a)', labels, true],
  ['greater than', 'tier>2', labels, true],
  ['less than', 'tier<2', labels, false],
  ['prefixed key', 'example.com/team=a', labels, true],
  ['comma-joined, all hold', 'microservice=true,app in (web),!missing', labels, true],
  ['comma-joined, one fails', 'microservice=true,app=db', labels, false],
  ['spaces around tokens', ' microservice = true , app ', labels, true],
  ['empty value matches an empty label', 'k=', { k: '' }, true],
  ['empty value does not match a missing label', 'k=', {}, false],
  ['prototype keys are not labels', 'constructor', {}, false],
];

const malformed: readonly string[] = [
  'a=b,',
  ',a=b',
  'a in ()',
  'a in (b',
  'a=b=c',
  'a = b c',
  'a>x',
  '-a=b',
  'a=b;rm -rf',
  'a in (b,c d)',
  '!',
  'a b',
];

describe('label selectors', () => {
  for (const [name, selector, given, expected] of matching) {
    it(`matches: ${name}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(selector), given), expected);
    });
  }
  for (const selector of malformed) {
    it(`rejects ${JSON.stringify(selector)}`, () => {
      assert.throws(() => parseLabelSelector(selector), LabelSelectorError);
    });
  }
});
