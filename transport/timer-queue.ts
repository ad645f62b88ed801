/**
 * Timers ordered by due time, ties in the order their ids were given (ids must increase): a binary heap over
 * parallel arrays, so no object is made per comparison. Cancelled timers leave the heap lazily, when they reach
 * the top. The simulator's clock runs on one; so do the real clock's timers.
 */
export class TimerQueue {
  private dues: number[] = [];
  private ids: number[] = [];
  private readonly callbacks = new Map<number, () => void>();

  /** Live (not cancelled, not yet taken) timers. */
  get size(): number {
    return this.callbacks.size;
  }

  add(id: number, due: number, fn: () => void): void {
    this.callbacks.set(id, fn);
    this.push(due, id);
  }

  /** False when the id is unknown, already run or already cancelled. */
  cancel(id: number): boolean {
    return this.callbacks.delete(id);
  }

  /** Removes one live timer out of turn and gives its callback; undefined when unknown, run or cancelled. */
  take(id: number): (() => void) | undefined {
    const fn = this.callbacks.get(id);
    this.callbacks.delete(id);
    return fn;
  }

  /** Due time of the earliest live timer. */
  peek(): number | undefined {
    while (this.ids.length > 0 && !this.callbacks.has(this.ids[0]!)) this.pop();
    return this.dues.length > 0 ? this.dues[0] : undefined;
  }

  /** Removes the earliest live timer and gives its callback (call peek first for its due time). */
  shift(): (() => void) | undefined {
    if (this.peek() === undefined) return undefined;
    const id = this.pop();
    const fn = this.callbacks.get(id)!;
    this.callbacks.delete(id);
    return fn;
  }

  private less(i: number, j: number): boolean {
    const a = this.dues[i]!;
    const b = this.dues[j]!;
    return a < b || (a === b && this.ids[i]! < this.ids[j]!);
  }

  private swap(i: number, j: number): void {
    const d = this.dues[i]!;
    this.dues[i] = this.dues[j]!;
    this.dues[j] = d;
    const s = this.ids[i]!;
    this.ids[i] = this.ids[j]!;
    this.ids[j] = s;
  }

  private push(due: number, id: number): void {
    this.dues.push(due);
    this.ids.push(id);
    let i = this.dues.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): number {
    const top = this.ids[0]!;
    const lastDue = this.dues.pop()!;
    const lastId = this.ids.pop()!;
    const n = this.dues.length;
    if (n > 0) {
      this.dues[0] = lastDue;
      this.ids[0] = lastId;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < n && this.less(l, smallest)) smallest = l;
        if (r < n && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }
}
