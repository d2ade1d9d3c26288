import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import Mustache from 'mustache';
import { checkValue, TemplateValueError } from '../../src/render/check-view.js';
import { compileTokens, Scope, type Token } from '../../src/render/compile-template.js';
import { ConfigRenderer } from '../../src/render/config-renderer.js';
import { compileTemplate } from '../../src/render/template.js';

const NAMES = ['a', 'b', 'c', 'a.b', 'b.c', '.', 'length', 'a.length'];
const templateArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', ' ', '\n', '  y;\n', '{', '}', '# z\n'),
    fc.constantFrom(...NAMES).map((name) => `{{${name}}}`),
    fc.constantFrom('{{! a comment }}', '{{!\n}}\n', '{{=<% %>=}}<%a%><%={{ }}=%>'),
    fc.tuple(fc.constantFrom('#', '^'), fc.constantFrom(...NAMES.filter((n) => n !== '.')), tie('body'), fc.boolean()).map(
      ([kind, name, body, standalone]) => (standalone ? `{{${kind}${name}}}\n${body}\n{{/${name}}}\n` : `{{${kind}${name}}}${body}{{/${name}}}`),
    ),
  ),
  body: fc.array(tie('piece'), { maxLength: 4 }).map((pieces) => (pieces as string[]).join('')),
})).body as fc.Arbitrary<string>;

const scalarArb = fc.oneof(fc.constantFrom('v', '10.0.0.1:80', '/p', 'bad value', '', 'x;y'), fc.integer({ min: -2, max: 3 }), fc.boolean(), fc.constant(null));
const viewArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarArb, fc.array(tie('object'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'length'), tie('value'), { maxKeys: 3 }),
})).object;

const outcome = (render: () => string): string => {
  try {
    return `ok ${render()}`;
  } catch (error) {
    return error instanceof TemplateValueError ? 'refused' : `threw ${(error as Error).name}`;
  }
};

test('the compiled template renders what Mustache.render renders, or refuses where it refuses, for any template and view', () => {
  fc.assert(
    fc.property(templateArb, viewArb, (text, view) => {
      // Pieces can join into `{{{`, which compileTemplate refuses (tested below): nothing to compare then.
      let template;
      try {
        template = compileTemplate(text, 't');
      } catch {
        fc.pre(false);
        return;
      }
      const tokens = Mustache.parse(text) as unknown as Token[];
      const expected = outcome(() => Mustache.render(text, view, {}, { escape: checkValue }));
      assert.equal(outcome(() => compileTokens(tokens)(new Scope(view))), expected, text);
      assert.equal(outcome(() => new ConfigRenderer(template).render(view as object)), expected, text);
    }),
    { seed: 31, numRuns: 3000 },
  );
});

test('unchecked output and partials are refused before anything is compiled', () => {
  for (const text of ['{{{a}}}', '{{&a}}', '{{>p}}', '{{#s}}{{{a}}}{{/s}}']) {
    assert.throws(() => compileTemplate(text, 't'), /unchecked output or a partial/, text);
  }
  assert.throws(() => compileTokens([['&', 'a', 0, 5]]), /cannot compile/);
});
