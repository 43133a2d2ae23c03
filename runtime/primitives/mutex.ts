import { signalFrom, type AbortOptions } from './abort';
import { WaitList } from './fifo';

/** A lock for async code: lock() calls acquire it in the order they were made. */
export class Mutex {
  #locked = false;
  readonly #waiters = new WaitList<() => void>();

  get locked(): boolean {
    return this.#locked;
  }

  /** Acquire the lock, after every earlier lock() call. An aborted lock() never acquires it. */
  async lock(options?: AbortOptions): Promise<void> {
    const signal = signalFrom(options);
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.add(resolve, signal, reject);
    });
  }

  /** Acquire the lock if it is free now; never overtakes a waiting lock(). */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  unlock(): void {
    if (!this.#locked) throw new Error('Mutex.unlock: the mutex is not locked');
    // Hand the lock straight to the first waiter, so that no later lock() or tryLock() can take it
    // first; while anyone waits, the mutex stays locked.
    const grant = this.#waiters.shift();
    if (grant === undefined) this.#locked = false;
    else grant();
  }

  /** Run `fn` holding the lock, and release it however `fn` ends. */
  async withLock<T>(fn: () => T | Promise<T>, options?: AbortOptions): Promise<T> {
    await this.lock(options);
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }
}
