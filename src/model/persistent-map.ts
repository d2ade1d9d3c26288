// A persistent (structurally shared) map from strings to values: a compressed hash trie of 32-way nodes that hold
// their entries inline (key, value side by side in the node's array) and their sub-nodes after them. A change copies
// only the path to its entry (about four nodes at 20k entries), so a window that changes a few pods of a 20k-pod
// cache costs what changed, and two versions compare by skipping the sub-tries they share. Entries inline (no object
// per entry) keep it within a few bytes an entry of a Map: at 100k pods the cache is the controller's memory.

const BITS = 5;
const MASK = (1 << BITS) - 1;
/** Below this depth every hash bit is used: keys that still meet share all 32 bits and go to a Collision. */
const MAX_SHIFT = 30;

/** A draft's mark on the nodes it made: while open, it changes them in place instead of copying them again. */
interface Edit {
  open: boolean;
  /** The nodes it made, unmarked when it is done (so that no published node carries a mark). */
  readonly made: Node<unknown>[];
}

/**
 * An inner node: bit i of `data` says slot i holds an entry (key and value at `items[2k]`, `items[2k + 1]`, k its
 * rank among the entries), bit i of `nodes` that it holds a sub-node (after the entries, in slot order).
 */
class Node<V> {
  constructor(
    public data: number,
    public nodes: number,
    public items: unknown[],
    /** The open draft that made this node, which alone may change it in place; null once published. */
    public edit: Edit | null = null,
  ) {
    edit?.made.push(this as Node<unknown>);
  }

  entryCount(): number {
    return popcount(this.data);
  }

  key(rank: number): string {
    return this.items[2 * rank] as string;
  }

  value(rank: number): V {
    return this.items[2 * rank + 1] as V;
  }

  child(rank: number): Trie<V> {
    return this.items[2 * this.entryCount() + rank] as Trie<V>;
  }
}

/** Entries whose keys share all 32 bits of hash (rare: it needs two keys colliding under the full hash). */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly keys: readonly string[],
    readonly values: readonly V[],
  ) {}
}

type Trie<V> = Node<V> | Collision<V>;

const EMPTY_NODE = new Node<never>(0, 0, []);

/** Returns `node` with new fields: itself, changed in place, when the open draft `edit` made it; else a copy. */
function update<V>(node: Node<V>, edit: Edit | null, data: number, nodes: number, items: unknown[]): Node<V> {
  if (edit !== null && node.edit === edit) {
    node.data = data;
    node.nodes = nodes;
    node.items = items;
    return node;
  }
  return new Node(data, nodes, items, edit);
}

/** The items of `node` to change: its own array when the open draft `edit` made it, else a copy. */
function itemsOf<V>(node: Node<V>, edit: Edit | null): unknown[] {
  return edit !== null && node.edit === edit ? node.items : node.items.slice();
}

/** What a lookup finds for a key the map does not hold (a value may be undefined itself). */
const ABSENT: unique symbol = Symbol('absent');

/** An immutable map from strings to values that shares structure with the versions it was made from. */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    /** The trie (read by MapDraft, in this module only). */
    readonly root: Node<V>,
    /** How many entries the map holds. */
    readonly size: number,
  ) {}

  /** Returns an empty map. */
  static empty<V>(): PersistentMap<V> {
    return EMPTY as PersistentMap<V>;
  }

  /** Builds a map from entries (a later entry for the same key wins). */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    const draft = new MapDraft(PersistentMap.empty<V>());
    for (const [key, value] of entries) draft.set(key, value);
    return draft.done();
  }

  /** Starts a batch of changes that copies each node once, however many of the batch's changes touch it. */
  draft(): MapDraft<V> {
    return new MapDraft(this);
  }

  /** Returns the value under `key`, or undefined. */
  get(key: string): V | undefined {
    const found = this.find(key);
    return found === ABSENT ? undefined : found;
  }

  /** Tells whether the map holds `key`. */
  has(key: string): boolean {
    return this.find(key) !== ABSENT;
  }

  /** Returns a map with `key` set to `value`; the map itself when it already holds that very value. */
  set(key: string, value: V): PersistentMap<V> {
    const change = { added: false };
    const root = setIn(this.root, 0, hashString(key), key, value, change, null) as Node<V>;
    return root === this.root ? this : newMap(root, this.size + (change.added ? 1 : 0));
  }

  /** Returns a map without `key`; the map itself when it does not hold it. */
  delete(key: string): PersistentMap<V> {
    const change = { removed: false };
    const root = deleteIn(this.root, 0, hashString(key), key, change, null);
    if (!change.removed) return this;
    return newMap((root ?? EMPTY_NODE) as Node<V>, this.size - 1);
  }

  /** Calls `visit` with each value and key, in the trie's order (by hash, not by insertion). */
  forEach(visit: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    eachEntry(this.root, (key, value) => visit(value, key, this));
  }

  /** Iterates the entries. */
  *entries(): MapIterator<[string, V]> {
    for (const [key, value] of walk(this.root)) yield [key, value];
  }

  /** Iterates the keys. */
  *keys(): MapIterator<string> {
    for (const [key] of walk(this.root)) yield key;
  }

  /** Iterates the values. */
  *values(): MapIterator<V> {
    for (const [, value] of walk(this.root)) yield value;
  }

  /** Iterates the entries. */
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  /**
   * Calls `change` with every key whose value differs between `before` and this map (by identity), with the old
   * and new values (undefined where absent). Sub-tries the two versions share are skipped without being read.
   */
  diff(before: PersistentMap<V>, change: (key: string, was: V | undefined, is: V | undefined) => void): void {
    diffTries(before.root, this.root, change);
  }

  private find(key: string): V | typeof ABSENT {
    return findIn(this.root, key);
  }
}

/**
 * A batch of changes to a persistent map: the nodes it makes are its own, and changed in place by its later changes
 * (a window's thousand changes to a 20k-entry map copy each node once, not once per change). The map it started
 * from is never changed; `done` gives the result, after which the draft refuses further changes.
 */
export class MapDraft<V> {
  private root: Node<V>;
  private count: number;
  private readonly edit: Edit = { open: true, made: [] };

  constructor(private readonly start: PersistentMap<V>) {
    this.root = start.root;
    this.count = start.size;
  }

  /** How many entries the map holds now. */
  get size(): number {
    return this.count;
  }

  /** Returns the value under `key` now, or undefined. */
  get(key: string): V | undefined {
    const found = findIn(this.root, key);
    return found === ABSENT ? undefined : found;
  }

  /** Lists the keys it holds now. */
  keys(): string[] {
    const keys: string[] = [];
    eachEntry(this.root, (key) => keys.push(key));
    return keys;
  }

  /** Sets `key` to `value`. */
  set(key: string, value: V): void {
    const change = { added: false };
    this.root = setIn(this.root, 0, hashString(key), key, value, change, this.open()) as Node<V>;
    if (change.added) this.count++;
  }

  /** Removes `key`, if present. */
  delete(key: string): void {
    const change = { removed: false };
    const root = deleteIn(this.root, 0, hashString(key), key, change, this.open());
    if (!change.removed) return;
    this.root = (root ?? EMPTY_NODE) as Node<V>;
    this.count--;
  }

  /** Ends the batch: the map with every change (the very map it started from when nothing changed). */
  done(): PersistentMap<V> {
    this.open();
    this.edit.open = false;
    for (const node of this.edit.made) node.edit = null;
    this.edit.made.length = 0;
    return this.root === this.start.root ? this.start : newMap(this.root, this.count);
  }

  private open(): Edit {
    if (!this.edit.open) throw new Error('this map draft is done: start a new one');
    return this.edit;
  }
}

function findIn<V>(root: Node<V>, key: string): V | typeof ABSENT {
  const hash = hashString(key);
  let node: Trie<V> = root;
  for (let shift = 0; node instanceof Node; shift += BITS) {
    const bit = bitOf(hash, shift);
    if ((node.data & bit) !== 0) {
      const rank = popcount(node.data & (bit - 1));
      return node.key(rank) === key ? node.value(rank) : ABSENT;
    }
    if ((node.nodes & bit) === 0) return ABSENT;
    node = node.child(popcount(node.nodes & (bit - 1)));
  }
  const at = node.keys.indexOf(key);
  return at === -1 ? ABSENT : node.values[at]!;
}

/** Makes a map of a trie (the constructor is private to keep tries out of other modules' hands). */
function newMap<V>(root: Node<V>, size: number): PersistentMap<V> {
  return new (PersistentMap as unknown as new (root: Node<V>, size: number) => PersistentMap<V>)(root, size);
}

const EMPTY = newMap<never>(EMPTY_NODE, 0);

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
  after.forEach((value, key) => {
    const was = before.get(key);
    if (was !== value || (was === undefined && !before.has(key))) change(key, was, value);
  });
  before.forEach((was, key) => {
    if (!after.has(key)) change(key, was, undefined);
  });
}

/** Returns the trie with `key` set: the trie itself when it already holds that very value. */
function setIn<V>(
  node: Trie<V>,
  shift: number,
  hash: number,
  key: string,
  value: V,
  change: { added: boolean },
  edit: Edit | null,
): Trie<V> {
  if (node instanceof Collision) {
    const at = node.keys.indexOf(key);
    if (at !== -1) {
      if (node.values[at] === value) return node;
      return new Collision(node.hash, node.keys, replaceAt(node.values, at, value));
    }
    change.added = true;
    // Keys in order, so equal contents keep one shape whatever their history.
    let place = 0;
    while (place < node.keys.length && node.keys[place]! < key) place++;
    const keys = node.keys.slice();
    const values = node.values.slice();
    keys.splice(place, 0, key);
    values.splice(place, 0, value);
    return new Collision(node.hash, keys, values);
  }
  const bit = bitOf(hash, shift);
  if ((node.data & bit) !== 0) {
    const rank = popcount(node.data & (bit - 1));
    const old = node.key(rank);
    if (old === key) {
      if (node.value(rank) === value) return node;
      const items = itemsOf(node, edit);
      items[2 * rank + 1] = value;
      return update(node, edit, node.data, node.nodes, items);
    }
    // Two keys in one slot: they move down into a sub-node of their own.
    change.added = true;
    const pair = pairOf(shift + BITS, hashString(old), old, node.value(rank), hash, key, value, edit);
    const items = itemsOf(node, edit);
    items.splice(2 * rank, 2);
    items.splice(2 * (node.entryCount() - 1) + popcount(node.nodes & (bit - 1)), 0, pair);
    return update(node, edit, node.data & ~bit, node.nodes | bit, items);
  }
  if ((node.nodes & bit) !== 0) {
    const rank = popcount(node.nodes & (bit - 1));
    const child = node.child(rank);
    const next = setIn(child, shift + BITS, hash, key, value, change, edit);
    if (next === child) return node;
    const items = itemsOf(node, edit);
    items[2 * node.entryCount() + rank] = next;
    return update(node, edit, node.data, node.nodes, items);
  }
  change.added = true;
  const items = itemsOf(node, edit);
  items.splice(2 * popcount(node.data & (bit - 1)), 0, key, value);
  return update(node, edit, node.data | bit, node.nodes, items);
}

/** The sub-node holding two entries whose hashes agree above `shift`. */
function pairOf<V>(
  shift: number,
  h1: number,
  k1: string,
  v1: V,
  h2: number,
  k2: string,
  v2: V,
  edit: Edit | null,
): Trie<V> {
  if (shift > MAX_SHIFT) return k1 < k2 ? new Collision(h1, [k1, k2], [v1, v2]) : new Collision(h1, [k2, k1], [v2, v1]);
  const b1 = bitOf(h1, shift);
  const b2 = bitOf(h2, shift);
  if (b1 === b2) return new Node(0, b1, [pairOf(shift + BITS, h1, k1, v1, h2, k2, v2, edit)], edit);
  return new Node(b1 | b2, 0, b1 >>> 0 < b2 >>> 0 ? [k1, v1, k2, v2] : [k2, v2, k1, v1], edit);
}

/**
 * Returns the node without `key`: the node itself when absent, null when it became empty. A sub-node left with a
 * single entry is folded into its parent, so equal contents keep one shape whatever their history.
 */
function deleteIn<V>(
  node: Trie<V>,
  shift: number,
  hash: number,
  key: string,
  change: { removed: boolean },
  edit: Edit | null,
): Trie<V> | null {
  if (node instanceof Collision) {
    const at = node.keys.indexOf(key);
    if (at === -1) return node;
    change.removed = true;
    if (node.keys.length === 1) return null;
    return new Collision(node.hash, removeAt(node.keys, at), removeAt(node.values, at));
  }
  const bit = bitOf(hash, shift);
  if ((node.data & bit) !== 0) {
    const rank = popcount(node.data & (bit - 1));
    if (node.key(rank) !== key) return node;
    change.removed = true;
    if (node.data === bit && node.nodes === 0) return null;
    const items = itemsOf(node, edit);
    items.splice(2 * rank, 2);
    return update(node, edit, node.data & ~bit, node.nodes, items);
  }
  if ((node.nodes & bit) === 0) return node;
  const rank = popcount(node.nodes & (bit - 1));
  const child = node.child(rank);
  const next = deleteIn(child, shift + BITS, hash, key, change, edit);
  // Unchanged (a draft's own sub-node may have changed in place: the flag says, not the identity).
  if (!change.removed) return node;
  const at = 2 * node.entryCount() + rank;
  const single = next === null ? null : singleEntry(next);
  if (next !== null && single === null) {
    if (next === child) return node;
    const items = itemsOf(node, edit);
    items[at] = next;
    return update(node, edit, node.data, node.nodes, items);
  }
  // The sub-node is gone, or holds one entry, which comes up into this node's slot.
  const items = itemsOf(node, edit);
  items.splice(at, 1);
  if (single === null) {
    if (node.data === 0 && node.nodes === bit) return null;
    return update(node, edit, node.data, node.nodes & ~bit, items);
  }
  items.splice(2 * popcount(node.data & (bit - 1)), 0, single[0], single[1]);
  return update(node, edit, node.data | bit, node.nodes & ~bit, items);
}

/** The one entry of a trie that holds exactly one, else null. */
function singleEntry<V>(trie: Trie<V>): [string, V] | null {
  if (trie instanceof Collision) return trie.keys.length === 1 ? [trie.keys[0]!, trie.values[0]!] : null;
  if (trie.nodes !== 0 || popcount(trie.data) !== 1) return null;
  return [trie.key(0), trie.value(0)];
}

function diffTries<V>(
  a: Trie<V> | undefined,
  b: Trie<V> | undefined,
  change: (key: string, was: V | undefined, is: V | undefined) => void,
): void {
  if (a === b) return;
  if (a instanceof Node && b instanceof Node) {
    let bits = a.data | a.nodes | b.data | b.nodes;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      if ((a.nodes & bit) !== 0 && (b.nodes & bit) !== 0) {
        diffTries(a.child(popcount(a.nodes & (bit - 1))), b.child(popcount(b.nodes & (bit - 1))), change);
      } else if ((a.data & bit) !== 0 && (b.data & bit) !== 0) {
        // An entry on both sides, the usual case beside a change: compared in place, nothing allocated.
        const ra = popcount(a.data & (bit - 1));
        const rb = popcount(b.data & (bit - 1));
        const ka = a.key(ra);
        const kb = b.key(rb);
        if (ka === kb) {
          if (a.value(ra) !== b.value(rb)) change(ka, a.value(ra), b.value(rb));
        } else {
          change(ka, a.value(ra), undefined);
          change(kb, undefined, b.value(rb));
        }
      } else {
        diffSlots(slotEntries(a, bit), slotEntries(b, bit), change);
      }
    }
    return;
  }
  // A collision against anything: small, compared entry by entry.
  diffSlots(a === undefined ? [] : [...walk(a)], b === undefined ? [] : [...walk(b)], change);
}

/** The entries of one slot of a node: its inline entry, or those under its sub-node. */
function slotEntries<V>(node: Node<V>, bit: number): [string, V][] {
  if ((node.data & bit) !== 0) {
    const rank = popcount(node.data & (bit - 1));
    return [[node.key(rank), node.value(rank)]];
  }
  if ((node.nodes & bit) !== 0) return [...walk(node.child(popcount(node.nodes & (bit - 1))))];
  return [];
}

function diffSlots<V>(
  before: readonly [string, V][],
  after: readonly [string, V][],
  change: (key: string, was: V | undefined, is: V | undefined) => void,
): void {
  const old = new Map(before);
  for (const [key, value] of after) {
    const had = old.has(key);
    const was = old.get(key);
    old.delete(key);
    if (!had || was !== value) change(key, had ? was : undefined, value);
  }
  for (const [key, was] of old) change(key, was, undefined);
}

/** Calls `visit` with every entry under `trie`, depth first: plain recursion, no generator per level. */
function eachEntry<V>(trie: Trie<V>, visit: (key: string, value: V) => void): void {
  if (trie instanceof Collision) {
    trie.keys.forEach((key, i) => visit(key, trie.values[i]!));
    return;
  }
  const entries = trie.entryCount();
  for (let rank = 0; rank < entries; rank++) visit(trie.key(rank), trie.value(rank));
  for (let i = 2 * entries; i < trie.items.length; i++) eachEntry(trie.items[i] as Trie<V>, visit);
}

/** The entries under `trie`, depth first, walked with one stack (a generator per trie level costs 5x at 20k). */
function* walk<V>(trie: Trie<V>): Generator<[string, V]> {
  const stack: Trie<V>[] = [trie];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top instanceof Collision) {
      for (let i = 0; i < top.keys.length; i++) yield [top.keys[i]!, top.values[i]!];
      continue;
    }
    const entries = top.entryCount();
    for (let rank = 0; rank < entries; rank++) yield [top.key(rank), top.value(rank)];
    for (let i = top.items.length - 1; i >= 2 * entries; i--) stack.push(top.items[i] as Trie<V>);
  }
}

function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  const next = items.slice();
  next[index] = item;
  return next;
}

function removeAt<T>(items: readonly T[], index: number): T[] {
  const next = items.slice();
  next.splice(index, 1);
  return next;
}

/** The slot bit of `hash` at a depth: a signed 32-bit integer, as the bitmaps are (small integers, never boxed). */
function bitOf(hash: number, shift: number): number {
  return 1 << ((hash >>> shift) & MASK);
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
