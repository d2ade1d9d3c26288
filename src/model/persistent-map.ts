// A persistent (structurally shared) map from strings to values: a hash array mapped trie of 32-way nodes. A change
// copies only the path to its entry (about four nodes at 20k entries), so a window that changes a few pods of a
// 20k-pod cache costs what changed, and two versions can be compared by skipping the subtrees they share.

const BITS = 5;
const MASK = (1 << BITS) - 1;

/** A key, its hash and its value: the trie's leaf. */
class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
  ) {}
}

/** Entries whose keys share all 32 bits of hash (rare: it needs two keys colliding under the full hash). */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly leaves: readonly Leaf<V>[],
  ) {}
}

/** An inner node: bit i of `bitmap` says slot i is present; `children` holds the present slots in order. */
class Branch<V> {
  constructor(
    readonly bitmap: number,
    readonly children: readonly Child<V>[],
  ) {}
}

type Child<V> = Leaf<V> | Collision<V> | Branch<V>;

const EMPTY_BRANCH = new Branch<never>(0, []);

/** An immutable map from strings to values that shares structure with the versions it was made from. */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly root: Branch<V>,
    /** How many entries the map holds. */
    readonly size: number,
  ) {}

  /** Returns an empty map. */
  static empty<V>(): PersistentMap<V> {
    return EMPTY as PersistentMap<V>;
  }

  /** Builds a map from entries (a later entry for the same key wins). */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  /** Returns the value under `key`, or undefined. */
  get(key: string): V | undefined {
    return this.leafOf(key)?.value;
  }

  /** Tells whether the map holds `key`. */
  has(key: string): boolean {
    return this.leafOf(key) !== undefined;
  }

  /** Returns a map with `key` set to `value`; the map itself when it already holds that very value. */
  set(key: string, value: V): PersistentMap<V> {
    const hash = hashString(key);
    const added = { count: 0 };
    const root = setIn(this.root, 0, new Leaf(hash, key, value), added) as Branch<V>;
    return root === this.root ? this : new PersistentMap(root, this.size + added.count);
  }

  /** Returns a map without `key`; the map itself when it does not hold it. */
  delete(key: string): PersistentMap<V> {
    const root = deleteIn(this.root, 0, hashString(key), key);
    if (root === this.root) return this;
    return new PersistentMap((root ?? EMPTY_BRANCH) as Branch<V>, this.size - 1);
  }

  /** Calls `visit` with each value and key, in the trie's order (by hash, not by insertion). */
  forEach(visit: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    eachLeaf(this.root, (leaf) => visit(leaf.value, leaf.key, this));
  }

  /** Iterates the entries. */
  *entries(): MapIterator<[string, V]> {
    for (const leaf of leaves(this.root)) yield [leaf.key, leaf.value];
  }

  /** Iterates the keys. */
  *keys(): MapIterator<string> {
    for (const leaf of leaves(this.root)) yield leaf.key;
  }

  /** Iterates the values. */
  *values(): MapIterator<V> {
    for (const leaf of leaves(this.root)) yield leaf.value;
  }

  /** Iterates the entries. */
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  /**
   * Calls `change` with every key whose value differs between `before` and this map (by identity), with the old
   * and new values (undefined where absent). Subtrees the two versions share are skipped without being read.
   */
  diff(before: PersistentMap<V>, change: (key: string, was: V | undefined, is: V | undefined) => void): void {
    diffChild(before.root, this.root, 0, change);
  }

  private leafOf(key: string): Leaf<V> | undefined {
    const hash = hashString(key);
    let node: Child<V> = this.root;
    for (let shift = 0; ; shift += BITS) {
      if (node instanceof Branch) {
        const bit = 1 << ((hash >>> shift) & MASK);
        if ((node.bitmap & bit) === 0) return undefined;
        node = node.children[popcount(node.bitmap & (bit - 1))]!;
      } else if (node instanceof Leaf) {
        return node.key === key ? node : undefined;
      } else {
        return node.leaves.find((leaf) => leaf.key === key);
      }
    }
  }
}

const EMPTY = new (PersistentMap as unknown as new (root: Branch<never>, size: number) => PersistentMap<never>)(
  EMPTY_BRANCH,
  0,
);

/**
 * Calls `change` for every key whose value differs between two maps. Two persistent maps are compared by their
 * shared structure; any other pair entry by entry.
 */
export function diffMaps<V>(
  before: ReadonlyMap<string, V>,
  after: ReadonlyMap<string, V>,
  change: (key: string, was: V | undefined, is: V | undefined) => void,
): void {
  if (before === after) return;
  if (before instanceof PersistentMap && after instanceof PersistentMap) {
    (after as PersistentMap<V>).diff(before as PersistentMap<V>, change);
    return;
  }
  for (const [key, value] of after) {
    const was = before.get(key);
    if (was !== value) change(key, was, value);
  }
  for (const [key, was] of before) if (!after.has(key)) change(key, was, undefined);
}

function setIn<V>(node: Child<V>, shift: number, leaf: Leaf<V>, added: { count: number }): Child<V> {
  if (node instanceof Branch) {
    const bit = 1 << ((leaf.hash >>> shift) & MASK);
    const index = popcount(node.bitmap & (bit - 1));
    if ((node.bitmap & bit) === 0) {
      added.count = 1;
      return new Branch(node.bitmap | bit, insertAt(node.children, index, leaf));
    }
    const child = node.children[index]!;
    const next = setIn(child, shift + BITS, leaf, added);
    return next === child ? node : new Branch(node.bitmap, replaceAt(node.children, index, next));
  }
  if (node instanceof Leaf) {
    if (node.key === leaf.key) return node.value === leaf.value ? node : leaf;
    added.count = 1;
    if (node.hash === leaf.hash) return new Collision(leaf.hash, [node, leaf]);
    return setIn(setIn(EMPTY_BRANCH as Branch<V>, shift, node, { count: 0 }), shift, leaf, { count: 0 });
  }
  if (node.hash !== leaf.hash) {
    const branch = new Branch<V>(1 << ((node.hash >>> shift) & MASK), [node]);
    return setIn(branch, shift, leaf, added);
  }
  const at = node.leaves.findIndex((old) => old.key === leaf.key);
  if (at === -1) {
    added.count = 1;
    return new Collision(node.hash, [...node.leaves, leaf]);
  }
  return node.leaves[at]!.value === leaf.value ? node : new Collision(node.hash, replaceAt(node.leaves, at, leaf));
}

/** Returns the node without `key`: the node itself when absent, null when it became empty. */
function deleteIn<V>(node: Child<V>, shift: number, hash: number, key: string): Child<V> | null {
  if (node instanceof Leaf) return node.key === key ? null : node;
  if (node instanceof Collision) {
    const rest = node.leaves.filter((leaf) => leaf.key !== key);
    if (rest.length === node.leaves.length) return node;
    return rest.length === 1 ? rest[0]! : new Collision(node.hash, rest);
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  if ((node.bitmap & bit) === 0) return node;
  const index = popcount(node.bitmap & (bit - 1));
  const child = node.children[index]!;
  const next = deleteIn(child, shift + BITS, hash, key);
  if (next === child) return node;
  if (next !== null) {
    // A branch left with one leaf collapses into it, so equal contents keep one shape whatever the history.
    if (shift > 0 && node.children.length === 1 && !(next instanceof Branch)) return next;
    return new Branch(node.bitmap, replaceAt(node.children, index, next));
  }
  if (node.children.length === 1) return shift === 0 ? EMPTY_BRANCH : null;
  const children = removeAt(node.children, index);
  if (shift > 0 && children.length === 1 && !(children[0] instanceof Branch)) return children[0]!;
  return new Branch(node.bitmap & ~bit, children);
}

function diffChild<V>(
  a: Child<V> | undefined,
  b: Child<V> | undefined,
  shift: number,
  change: (key: string, was: V | undefined, is: V | undefined) => void,
): void {
  if (a === b) return;
  if (a instanceof Branch && b instanceof Branch) {
    let bits = a.bitmap | b.bitmap;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const below = bit - 1;
      const x = (a.bitmap & bit) === 0 ? undefined : a.children[popcount(a.bitmap & below)];
      const y = (b.bitmap & bit) === 0 ? undefined : b.children[popcount(b.bitmap & below)];
      diffChild(x, y, shift + BITS, change);
    }
    return;
  }
  // Different shapes (a leaf against a subtree, collisions): small, compared entry by entry.
  const before = new Map<string, V>();
  if (a !== undefined) for (const leaf of leaves(a)) before.set(leaf.key, leaf.value);
  if (b !== undefined) {
    for (const leaf of leaves(b)) {
      const was = before.get(leaf.key);
      const had = before.delete(leaf.key);
      if (!had || was !== leaf.value) change(leaf.key, had ? was : undefined, leaf.value);
    }
  }
  for (const [key, was] of before) change(key, was, undefined);
}

/** Calls `visit` with every leaf under `node`, depth first: plain recursion, no generator per level. */
function eachLeaf<V>(node: Child<V>, visit: (leaf: Leaf<V>) => void): void {
  if (node instanceof Leaf) visit(node);
  else if (node instanceof Collision) node.leaves.forEach(visit);
  else for (const child of node.children) eachLeaf(child, visit);
}

/** The leaves under `node`, depth first, walked with one stack (a generator per trie level costs 5x at 20k). */
function* leaves<V>(node: Child<V>): Generator<Leaf<V>> {
  const stack: Child<V>[] = [node];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top instanceof Leaf) yield top;
    else if (top instanceof Collision) yield* top.leaves;
    else for (let i = top.children.length - 1; i >= 0; i--) stack.push(top.children[i]!);
  }
}

function insertAt<T>(items: readonly T[], index: number, item: T): T[] {
  const next = new Array<T>(items.length + 1);
  for (let i = 0; i < index; i++) next[i] = items[i]!;
  next[index] = item;
  for (let i = index; i < items.length; i++) next[i + 1] = items[i]!;
  return next;
}

function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  const next = items.slice();
  next[index] = item;
  return next;
}

function removeAt<T>(items: readonly T[], index: number): T[] {
  const next = items.slice(0, index);
  for (let i = index + 1; i < items.length; i++) next.push(items[i]!);
  return next;
}

function popcount(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A 32-bit string hash (FNV-1a over UTF-16 code units, then avalanched so the low bits spread). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
