import { signalFrom, type AbortOptions } from './abort';
import { done, Fifo, WaitList } from './fifo';

export class QueueClosedError extends Error {
  constructor(message = 'The queue is closed') {
    super(message);
    this.name = 'QueueClosedError';
  }
}

/** A waiting pop() or iterator next(). */
interface Taker<T> {
  take(item: T): void;
  /** The queue was closed and is drained. */
  end(): void;
}

/** A push() waiting for room. */
interface Giver<T> {
  readonly item: T;
  accepted(): void;
  refused(error: QueueClosedError): void;
}

/**
 * A first-in first-out queue between strands, optionally bounded. Every item pushed goes to
 * exactly one pop, in order; a pop that rejects (aborted, or closed) has taken nothing.
 * While pops wait the queue is empty, and while pushes wait it is full.
 */
export class Queue<T> {
  readonly #capacity: number;
  readonly #items = new Fifo<T>();
  readonly #takers = new WaitList<Taker<T>>();
  readonly #givers = new WaitList<Giver<T>>();
  #closed = false;

  /** `capacity`: how many items it holds before push() waits; 0 hands each item from push to pop. */
  constructor(options: { capacity?: number } = {}) {
    const capacity = options.capacity ?? Infinity;
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
      throw new RangeError(`Queue: capacity must be an integer >= 0 or Infinity, got ${String(capacity)}`);
    }
    this.#capacity = capacity;
  }

  /** Items in the queue, not counting pushes still waiting for room. */
  get size(): number {
    return this.#items.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Add `item`; resolves when it is in the queue or taken, waiting for room while the queue is full. */
  async push(item: T, options?: AbortOptions): Promise<void> {
    const signal = signalFrom(options);
    if (this.#closed) throw new QueueClosedError();
    if (this.#offer(item)) return;
    return new Promise<void>((resolve, reject) => {
      this.#givers.add({ item, accepted: resolve, refused: reject }, signal, reject);
    });
  }

  /** Add `item` if there is room now; false leaves the queue unchanged. */
  tryPush(item: T): boolean {
    if (this.#closed) throw new QueueClosedError();
    return this.#offer(item);
  }

  /** Take the first item, waiting for one; rejects with QueueClosedError once closed and drained. */
  async pop(options?: AbortOptions): Promise<T> {
    const signal = signalFrom(options);
    const next = this.#take();
    if (next !== undefined) return next.value;
    if (this.#closed) throw new QueueClosedError();
    return new Promise<T>((resolve, reject) => {
      this.#takers.add({ take: resolve, end: () => reject(new QueueClosedError()) }, signal, reject);
    });
  }

  tryPop(): { value: T } | undefined {
    const next = this.#take();
    return next === undefined ? undefined : { value: next.value };
  }

  /**
   * No more pushes. Items already in the queue stay for pop(); pushes still waiting for room were
   * never accepted and reject with QueueClosedError.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let giver = this.#givers.shift(); giver !== undefined; giver = this.#givers.shift()) {
      giver.refused(new QueueClosedError());
    }
    // Pops wait only while the queue is empty: it is closed and drained now.
    for (let taker = this.#takers.shift(); taker !== undefined; taker = this.#takers.shift()) taker.end();
  }

  /**
   * Pops until the queue is closed and drained. return() resolves a pending next() with done and
   * leaves the item it was waiting for to whoever pops next.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const waiting = new Map<Taker<T>, () => boolean>();
    let returned = false;
    const iterator: AsyncIterableIterator<T> = {
      next: () => {
        if (returned) return Promise.resolve(done());
        const next = this.#take();
        if (next !== undefined) return Promise.resolve({ value: next.value, done: false });
        if (this.#closed) return Promise.resolve(done());
        return new Promise<IteratorResult<T>>((resolve) => {
          const taker: Taker<T> = {
            take: (value) => {
              waiting.delete(taker);
              resolve({ value, done: false });
            },
            end: () => {
              waiting.delete(taker);
              resolve(done());
            },
          };
          waiting.set(taker, this.#takers.add(taker, undefined, () => {}));
        });
      },
      return: () => {
        returned = true;
        for (const [taker, leave] of waiting) if (leave()) taker.end();
        return Promise.resolve(done());
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Hand `item` to the first waiting pop, or queue it if there is room. */
  #offer(item: T): boolean {
    const taker = this.#takers.shift();
    if (taker !== undefined) {
      taker.take(item);
      return true;
    }
    if (this.#items.size >= this.#capacity) return false;
    this.#items.push(item);
    return true;
  }

  /** The next item, if any; taking it makes room for the first waiting push. */
  #take(): { readonly value: T } | undefined {
    // A push waits only while the queue is full, so its item goes in behind the others (with
    // capacity 0 it is the only one) before the head comes out.
    const giver = this.#givers.shift();
    if (giver !== undefined) {
      this.#items.push(giver.item);
      giver.accepted();
    }
    return this.#items.shift();
  }
}
