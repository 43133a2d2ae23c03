/** What the primitives share: their lists, first come first served, and the end of an iteration. */
import { abortError, listenForAbort, type AbortError } from './abort';

export interface Link<T> {
  readonly value: T;
  prev: Link<T> | undefined;
  next: Link<T> | undefined;
  linked: boolean;
}

/** A first-in first-out list with O(1) removal anywhere (an array's shift and splice are O(n)). */
export class Fifo<T> {
  #head: Link<T> | undefined = undefined;
  #tail: Link<T> | undefined = undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get first(): Link<T> | undefined {
    return this.#head;
  }

  push(value: T): Link<T> {
    const link: Link<T> = { value, prev: this.#tail, next: undefined, linked: true };
    if (this.#tail === undefined) this.#head = link;
    else this.#tail.next = link;
    this.#tail = link;
    this.#size++;
    return link;
  }

  shift(): Link<T> | undefined {
    const link = this.#head;
    if (link !== undefined) this.remove(link);
    return link;
  }

  /** False when `link` had already been removed. */
  remove(link: Link<T>): boolean {
    if (!link.linked) return false;
    link.linked = false;
    if (link.prev === undefined) this.#head = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.#tail = link.prev;
    else link.next.prev = link.prev;
    link.prev = link.next = undefined;
    this.#size--;
    return true;
  }
}

/** The result that ends an iteration (a fresh object each time, as Node core gives). */
export function done(): IteratorReturnResult<undefined> {
  return { value: undefined, done: true };
}

interface Waiter<E> {
  readonly entry: E;
  readonly signal: AbortSignal | undefined;
  readonly aborted: (error: AbortError) => void;
  stopListening: () => void;
}

/**
 * The pending operations of a primitive, served first come first served. A waiter leaves the list
 * when it is served, cancelled or aborted, whichever comes first, and its abort listener goes with it.
 */
export class WaitList<E extends object> {
  readonly #waiters = new Fifo<Waiter<E>>();

  /**
   * Add a waiter; if `signal` aborts while it waits, it leaves the list and `aborted` is called.
   * Returns the function that takes it out of the list (false if it had left already).
   */
  add(entry: E, signal: AbortSignal | undefined, aborted: (error: AbortError) => void): () => boolean {
    const link = this.#waiters.push({ entry, signal, aborted, stopListening: () => {} });
    link.value.stopListening = listenForAbort(signal, (error) => {
      if (this.#remove(link)) aborted(error);
    });
    return () => this.#remove(link);
  }

  /**
   * Take the first waiter to serve it. A waiter whose signal has aborted while its abort listener
   * has not run yet (an earlier listener on the same signal is serving this list) is aborted here
   * instead, so that what is handed out never goes to an operation that rejects.
   */
  shift(): E | undefined {
    for (let link = this.#waiters.first; link !== undefined; link = this.#waiters.first) {
      this.#remove(link);
      const { entry, signal, aborted } = link.value;
      if (signal?.aborted !== true) return entry;
      aborted(abortError(signal));
    }
    return undefined;
  }

  #remove(link: Link<Waiter<E>>): boolean {
    if (!this.#waiters.remove(link)) return false;
    link.value.stopListening();
    return true;
  }
}
