/** JSON values and the two patch formats the fake API server applies: RFC 7386 merge patch and RFC 6902 JSON patch. */

/** A JSON object as it travels over the wire. */
export type JsonObject = { [key: string]: unknown };

/** Tells whether a value is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies an RFC 7386 merge patch to a copy of `target` (`null` deletes a key, objects merge, the rest replaces). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: JsonObject = isJsonObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** One RFC 6902 operation (`move` and `copy` are not needed by the controller and are rejected). */
export interface JsonPatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

function pointerTokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function applyOperation(doc: JsonObject, operation: JsonPatchOperation): void {
  const tokens = pointerTokens(operation.path);
  const last = tokens.pop();
  if (last === undefined) throw new Error('patching the whole document is not supported');
  let parent: unknown = doc;
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[Number(token)] : isJsonObject(parent) ? parent[token] : undefined;
    if (parent === undefined) throw new Error(`path "${operation.path}" does not exist`);
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (operation.op === 'add') parent.splice(index, 0, operation.value);
    else if (operation.op === 'replace') parent[index] = operation.value;
    else if (operation.op === 'remove') parent.splice(index, 1);
    else if (operation.op !== 'test') throw new Error(`unsupported op "${operation.op}"`);
    return;
  }
  if (!isJsonObject(parent)) throw new Error(`path "${operation.path}" does not exist`);
  if (operation.op === 'add' || operation.op === 'replace') parent[last] = structuredClone(operation.value);
  else if (operation.op === 'remove') delete parent[last];
  else if (operation.op === 'test') {
    if (JSON.stringify(parent[last]) !== JSON.stringify(operation.value))
      throw new Error(`test failed at "${operation.path}"`);
  } else throw new Error(`unsupported op "${operation.op}"`);
}

/** Applies RFC 6902 operations to a copy of `target`, throwing with a message on a bad path or operation. */
export function applyJsonPatch(target: JsonObject, operations: readonly JsonPatchOperation[]): JsonObject {
  const doc = structuredClone(target);
  for (const operation of operations) applyOperation(doc, operation);
  return doc;
}
