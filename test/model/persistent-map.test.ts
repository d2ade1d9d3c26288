import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diffMaps, PersistentMap } from '../../src/model/persistent-map.js';

// Two keys whose 32-bit hashes are equal, so the collision nodes are exercised too.
const COLLIDING = ['k32728', 'k261234'];
const keyArb = fc.oneof(
  fc.constantFrom(...COLLIDING, 'a', 'b', ''),
  fc.string({ maxLength: 4 }),
  fc.nat({ max: 3000 }).map((n) => `pod-${n}`),
);
const opArb = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: keyArb, value: fc.nat({ max: 3 }) }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb }),
);

const sorted = (map: ReadonlyMap<string, number>): [string, number][] =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

test('any sequence of sets and deletes holds what a Map holds, and every older version is left as it was', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
      let map = PersistentMap.empty<number>();
      const reference = new Map<string, number>();
      const versions: [PersistentMap<number>, [string, number][]][] = [];
      for (const step of ops) {
        if (step.op === 'set') {
          map = map.set(step.key, step.value);
          reference.set(step.key, step.value);
        } else {
          map = map.delete(step.key);
          reference.delete(step.key);
        }
        versions.push([map, sorted(reference)]);
      }
      assert.equal(map.size, reference.size);
      for (const key of [...reference.keys(), ...COLLIDING, 'absent']) {
        assert.equal(map.get(key), reference.get(key), key);
        assert.equal(map.has(key), reference.has(key), key);
      }
      for (const [version, entries] of versions) assert.deepEqual(sorted(version), entries);
    }),
    { seed: 11, numRuns: 300 },
  );
});

test('diff reports exactly the keys whose values differ, both ways, between any two versions', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 200 }), fc.array(opArb, { maxLength: 60 }), (common, more) => {
      const apply = (start: PersistentMap<number>, steps: typeof common): PersistentMap<number> =>
        steps.reduce((m, s) => (s.op === 'set' ? m.set(s.key, s.value) : m.delete(s.key)), start);
      const before = apply(PersistentMap.empty(), common);
      const after = apply(before, more);
      const expected = new Map<string, [number | undefined, number | undefined]>();
      for (const key of new Set([...before.keys(), ...after.keys()])) {
        if (before.get(key) !== after.get(key)) expected.set(key, [before.get(key), after.get(key)]);
      }
      for (const [a, b] of [
        [before, after],
        [new Map(before), after],
        [before, new Map(after)],
      ] as const) {
        const seen = new Map<string, [number | undefined, number | undefined]>();
        diffMaps(a, b, (key, was, is) => {
          assert.ok(!seen.has(key), `${key} reported twice`);
          seen.set(key, [was, is]);
        });
        assert.deepEqual(new Map([...seen].sort()), new Map([...expected].sort()));
      }
    }),
    { seed: 12, numRuns: 300 },
  );
});

test('setting the value a key already holds, or deleting an absent key, returns the map itself', () => {
  const map = PersistentMap.from([
    ['a', 1],
    ['b', 2],
  ]);
  assert.equal(map.set('a', 1), map);
  assert.equal(map.delete('zzz'), map);
  assert.notEqual(map.set('a', 3), map);
  assert.equal(PersistentMap.from<number>([]).size, 0);
});

test('a diff of two versions of a 20k-entry map reports the three changed keys and nothing else', () => {
  let big = PersistentMap.empty<number>();
  for (let i = 0; i < 20_000; i++) big = big.set(`ns/pod-${i}`, i);
  const changed = big.set('ns/pod-7', -1).delete('ns/pod-9').set('ns/new', 1);
  const seen: string[] = [];
  changed.diff(big, (key) => seen.push(key));
  assert.deepEqual(seen.sort(), ['ns/new', 'ns/pod-7', 'ns/pod-9']);
});

test('a draft applies any sequence of changes as the same changes one by one would, and leaves its start as it was', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 200 }), fc.array(opArb, { maxLength: 200 }), (common, more) => {
      const start = common.reduce(
        (m, s) => (s.op === 'set' ? m.set(s.key, s.value) : m.delete(s.key)),
        PersistentMap.empty<number>(),
      );
      const before = sorted(start);
      const draft = start.draft();
      const reference = new Map(start);
      for (const step of more) {
        if (step.op === 'set') {
          draft.set(step.key, step.value);
          reference.set(step.key, step.value);
        } else {
          draft.delete(step.key);
          reference.delete(step.key);
        }
        assert.equal(draft.size, reference.size);
        assert.equal(draft.get(step.key), reference.get(step.key));
      }
      const done = draft.done();
      assert.deepEqual(sorted(done), sorted(reference));
      assert.deepEqual(sorted(start), before);
      // The same contents have the same shape whatever their history, so versions compare by what they share.
      assert.deepEqual(done, PersistentMap.from(sorted(reference)));
      const changed: string[] = [];
      diffMaps(start, done, (key) => changed.push(key));
      assert.deepEqual(
        changed.sort(),
        [...new Set([...start.keys(), ...done.keys()])]
          .filter((k) => start.get(k) !== done.get(k) || start.has(k) !== done.has(k))
          .sort(),
      );
      if (more.length === 0) assert.equal(done, start);
      assert.throws(() => draft.set('x', 1), /done/);
    }),
    { seed: 13, numRuns: 300 },
  );
});
