import { signalFrom, type AbortOptions } from './abort';
import { WaitList } from './fifo';
import type { Mutex } from './mutex';

/** A condition variable, with pthread_cond_wait's contract for async code. */
export class Condition {
  readonly #waiters = new WaitList<() => void>();

  /**
   * Release `mutex`, wait for a notify, and re-acquire `mutex` before settling, also when the
   * signal aborts (then it rejects with an AbortError once the mutex is held again), so the caller
   * always holds the mutex afterwards. The caller must hold `mutex`.
   */
  async wait(mutex: Mutex, options?: AbortOptions): Promise<void> {
    if (!mutex.locked) throw new Error('Condition.wait: the mutex must be locked by the caller');
    const signal = signalFrom(options);
    // Waiting begins before the mutex is released, so a notify made under the mutex is never missed.
    const notified = new Promise<void>((resolve, reject) => {
      this.#waiters.add(resolve, signal, reject);
    });
    mutex.unlock();
    try {
      await notified;
    } finally {
      await mutex.lock();
    }
  }

  /** Wake the longest-waiting wait(). */
  notify(): void {
    this.#waiters.shift()?.();
  }

  notifyAll(): void {
    for (let wake = this.#waiters.shift(); wake !== undefined; wake = this.#waiters.shift()) wake();
  }
}
