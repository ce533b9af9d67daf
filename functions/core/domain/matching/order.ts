/**
 * Sorting millions of edges by a float key with a comparator costs seconds; a stable LSD
 * radix sort on the key's bits (four passes of 16 bits) costs a fraction of that, and ties
 * keep index order, which is what makes the matching deterministic.
 */

/**
 * The permutation of 0..n-1 that orders `values` (no NaN) ascending, or descending, ties
 * by index ascending.
 */
export function radixOrder(values: Float64Array, descending = false): Uint32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + n * 8));
  // IEEE 754 to unsigned order: flip every bit of negatives, only the sign bit of the rest.
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const little = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
  const H = little ? 1 : 0;
  const L = little ? 0 : 1;
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + H]!;
    let l = bits[2 * i + L]!;
    if (h === 0x80000000 && l === 0) h = 0; // -0 is 0
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    if (descending) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (const [word, shift] of [[lo, 0], [lo, 16], [hi, 0], [hi, 16]] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(word[i]! >>> shift) & 0xffff]!++;
    // Skip a pass whose digit is the same for everyone.
    if (count[(word[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const idx = order[i]!;
      next[count[(word[idx]! >>> shift) & 0xffff]!++] = idx;
    }
    [order, next] = [next, order];
  }
  return order;
}
