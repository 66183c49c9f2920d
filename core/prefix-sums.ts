/**
 * Sums of a growing list of numbers by position (a Fenwick tree): set one value, sum a prefix, or
 * find where a prefix first reaches a total, each in O(log n). The context planner keeps what each
 * budget edit saves here, so planning a step does not walk the whole thread.
 */
export class PrefixSums {
  private values = new Float64Array(16);
  private tree = new Float64Array(17);

  get(index: number): number {
    return index < this.values.length ? this.values[index]! : 0;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) this.grow(index + 1);
    const delta = value - this.values[index]!;
    if (delta === 0) return;
    this.values[index] = value;
    for (let node = index + 1; node < this.tree.length; node += node & -node) this.tree[node]! += delta;
  }

  /** The sum of the values at positions 0..index (0 when index < 0). */
  sumTo(index: number): number {
    let sum = 0;
    for (let node = Math.min(index + 1, this.values.length); node > 0; node -= node & -node) sum += this.tree[node]!;
    return sum;
  }

  total(): number {
    return this.sumTo(this.values.length - 1);
  }

  /**
   * The first position whose prefix sum reaches `target` (values must not be negative), or -1 when
   * the whole sum stays below it.
   */
  firstReaching(target: number): number {
    if (target <= 0) return 0;
    let node = 0;
    let remaining = target;
    for (let step = highestPowerOfTwo(this.values.length); step > 0; step >>= 1) {
      const next = node + step;
      if (next < this.tree.length && this.tree[next]! < remaining) {
        node = next;
        remaining -= this.tree[next]!;
      }
    }
    return node < this.values.length ? node : -1;
  }

  private grow(size: number): void {
    let capacity = this.values.length;
    while (capacity < size) capacity *= 2;
    const values = this.values;
    this.values = new Float64Array(capacity);
    this.tree = new Float64Array(capacity + 1);
    values.forEach((value, index) => this.set(index, value));
  }
}

function highestPowerOfTwo(limit: number): number {
  let power = 1;
  while (power * 2 <= limit) power *= 2;
  return power;
}
