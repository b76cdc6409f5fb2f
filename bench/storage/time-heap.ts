/** A binary min-heap of conversation indices keyed by their next message time. */
export class TimeHeap {
  readonly #items: number[] = [];
  readonly #key: (i: number) => number;
  constructor(key: (i: number) => number) {
    this.#key = key;
  }
  get size(): number {
    return this.#items.length;
  }
  push(i: number): void {
    const items = this.#items;
    items.push(i);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.#key(items[parent]!) <= this.#key(items[at]!)) break;
      [items[parent], items[at]] = [items[at]!, items[parent]!];
      at = parent;
    }
  }
  pop(): number {
    const items = this.#items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const l = 2 * at + 1;
        const r = l + 1;
        let min = at;
        if (l < items.length && this.#key(items[l]!) < this.#key(items[min]!)) min = l;
        if (r < items.length && this.#key(items[r]!) < this.#key(items[min]!)) min = r;
        if (min === at) break;
        [items[min], items[at]] = [items[at]!, items[min]!];
        at = min;
      }
    }
    return top;
  }
}
