// The render's text comparison: configs compare piece by piece, never joined, and agree with joining.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameConcatenation } from '../../src/render/same-text.js';

test('sameConcatenation compares joined texts without joining, whatever the boundaries', () => {
  const cases: [string[], string[], boolean][] = [
    [['ab', 'c'], ['ab', 'c'], true],
    [['ab', 'c'], ['a', 'bc'], true],
    [['', 'abc', ''], ['abc'], true],
    [[], [''], true],
    [['ab', 'c'], ['ab', 'd'], false],
    [['abc'], ['ab'], false],
    [['a', 'b'], ['ab', 'c'], false],
    [['xy', 'z'], ['xz', 'y'], false],
  ];
  for (const [a, b, same] of cases) {
    assert.equal(sameConcatenation(a, b), same, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(sameConcatenation(a, b), a.join('') === b.join(''));
  }
});
