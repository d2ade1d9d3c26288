const encoder = new TextEncoder();

/**
 * Hashes text with FNV-1a 32-bit over its UTF-8 bytes, as the original project named its upstreams
 * (`test.k8s.local` + `/nodejs` -> 1866206336).
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
