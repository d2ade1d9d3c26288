import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameConcatenation, sameText, withParts } from '../../src/render/same-text.js';

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

test('sameText compares by parts where both configs have them, else by text', () => {
  const cases: [string, { text: string }, { text: string }, boolean][] = [
    ['parts on both, same join', withParts({ text: 'abc' }, ['a', 'bc']), withParts({ text: 'abc' }, ['ab', 'c']), true],
    ['parts on both, different join', withParts({ text: 'abc' }, ['a', 'bc']), withParts({ text: 'abd' }, ['ab', 'd']), false],
    ['parts on one side only', withParts({ text: 'abc' }, ['a', 'bc']), { text: 'abc' }, true],
    ['no parts, different text', { text: 'a' }, { text: 'b' }, false],
  ];
  for (const [name, a, b, same] of cases) assert.equal(sameText(a, b), same, name);
});
