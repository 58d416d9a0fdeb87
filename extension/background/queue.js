/**
 * A queue with a concurrency limit: a burst of a thousand new messages runs a few analyses at
 * a time instead of a thousand at once, so Thunderbird and the host stay responsive.
 */

export class Queue {
  constructor(limit = 3) {
    this.limit = limit;
    this.running = 0;
    this.waiting = [];
  }

  get size() {
    return this.running + this.waiting.length;
  }

  /** Runs task() when a slot is free; resolves/rejects with its result. */
  push(task) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ task, resolve, reject });
      this._pump();
    });
  }

  /** Drops every task not started yet (their promises reject with "cancelled"). */
  clear(predicate = () => true) {
    const keep = [];
    for (const item of this.waiting) {
      if (predicate(item.task)) item.reject(new Error("cancelled"));
      else keep.push(item);
    }
    this.waiting = keep;
  }

  _pump() {
    while (this.running < this.limit && this.waiting.length) {
      const { task, resolve, reject } = this.waiting.shift();
      this.running++;
      Promise.resolve()
        .then(task)
        .then(resolve, reject)
        .finally(() => {
          this.running--;
          this._pump();
        });
    }
  }
}
