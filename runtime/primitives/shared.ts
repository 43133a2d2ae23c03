/**
 * Primitives between threads: SharedMutex, SharedCondition and a bounded SharedQueue of 32-bit
 * integers. They live in the control block's arena, so every thread that has the runtime can use
 * them, and a thread asleep in one publishes the word it sleeps on: an update request bumps that
 * word and wakes it (QBench signals the exact condition variable a thread waits on). Woken so, a
 * thread whose synchronous strand restarts (a loop annotated `// @quiescent`) goes back to its
 * update point, having taken nothing; any other goes back to sleep.
 *
 * Threads sleep only on sequence words, which every change bumps, so no wake-up is ever lost.
 * To hand one to another thread, pass `.handle` (a plain object) and rebuild it with `from`.
 */
import { ARENA_BASE, ARENA_TOP, ARENA_WORDS, FLAG, SLOT_SLEEPING_ON, state } from '../state';

export interface SharedHandle {
  quiesce: 'SharedMutex' | 'SharedCondition' | 'SharedQueue';
  at: number;
  capacity?: number;
}

function allocate(words: number): number {
  const at = Atomics.add(state.control, ARENA_TOP, words);
  if (at + words > ARENA_WORDS) {
    throw new RangeError(`quiesce: the shared arena is full (${ARENA_WORDS} words); create fewer or smaller shared primitives`);
  }
  return ARENA_BASE + at;
}

function checkHandle(handle: SharedHandle, kind: SharedHandle['quiesce']): number {
  if (handle === null || typeof handle !== 'object' || handle.quiesce !== kind || !Number.isInteger(handle.at) || handle.at < ARENA_BASE) {
    throw new TypeError(`${kind}.from: not a ${kind} handle: ${JSON.stringify(handle)}`);
  }
  return handle.at;
}

function interrupting(): boolean {
  return Atomics.load(state.control, FLAG) !== 0 && state.syncStrand?.restartable === true;
}

/** Block this thread while `control[word]` is `seen`, where an update request can wake it. */
function sleepOn(word: number, seen: number, operation: string): void {
  if (state.coordinator) {
    throw new Error(`${operation} would block the thread that coordinates updates; use its async form there`);
  }
  // Publish the word before looking at the flag: a request raised in between then finds us.
  Atomics.store(state.slot, SLOT_SLEEPING_ON, word);
  try {
    if (interrupting()) throw state.interrupt;
    Atomics.wait(state.control, word, seen);
  } finally {
    Atomics.store(state.slot, SLOT_SLEEPING_ON, 0);
  }
  if (interrupting()) throw state.interrupt;
}

/** The async form: an awaiting strand is interrupted by the transform's waits, not here. */
async function sleepOnAsync(word: number, seen: number): Promise<void> {
  const waiting = Atomics.waitAsync(state.control, word, seen);
  if (!waiting.async) return;
  // A pending Atomics.waitAsync does not keep a thread alive; a strand waiting for work must.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await waiting.value;
  } finally {
    clearInterval(keepAlive);
  }
}

function bump(word: number, waiters = Infinity): void {
  Atomics.add(state.control, word, 1);
  Atomics.notify(state.control, word, waiters);
}

const LOCKED = 0;
const LOCK_SEQ = 1;

export class SharedMutex {
  readonly #at: number;

  constructor(at?: number) {
    this.#at = at ?? allocate(2);
  }

  static from(handle: SharedHandle): SharedMutex {
    return new SharedMutex(checkHandle(handle, 'SharedMutex'));
  }

  get handle(): SharedHandle {
    return { quiesce: 'SharedMutex', at: this.#at };
  }

  tryLock(): boolean {
    return Atomics.compareExchange(state.control, this.#at + LOCKED, 0, 1) === 0;
  }

  lock(): void {
    for (;;) {
      if (this.tryLock()) return;
      const seen = Atomics.load(state.control, this.#at + LOCK_SEQ);
      if (Atomics.load(state.control, this.#at + LOCKED) === 0) continue;
      sleepOn(this.#at + LOCK_SEQ, seen, 'SharedMutex.lock');
    }
  }

  async lockAsync(): Promise<void> {
    for (;;) {
      if (this.tryLock()) return;
      const seen = Atomics.load(state.control, this.#at + LOCK_SEQ);
      if (Atomics.load(state.control, this.#at + LOCKED) === 0) continue;
      await sleepOnAsync(this.#at + LOCK_SEQ, seen);
    }
  }

  unlock(): void {
    if (Atomics.compareExchange(state.control, this.#at + LOCKED, 1, 0) !== 1) throw new Error('SharedMutex.unlock: the mutex is not locked');
    bump(this.#at + LOCK_SEQ, 1);
  }

  /** A lock for a few instructions' worth of critical section: never interrupted. */
  lockBriefly(): void {
    while (!this.tryLock()) {
      const seen = Atomics.load(state.control, this.#at + LOCK_SEQ);
      if (Atomics.load(state.control, this.#at + LOCKED) !== 0) Atomics.wait(state.control, this.#at + LOCK_SEQ, seen, 1);
    }
  }
}

export class SharedCondition {
  readonly #at: number;

  constructor(at?: number) {
    this.#at = at ?? allocate(1);
  }

  static from(handle: SharedHandle): SharedCondition {
    return new SharedCondition(checkHandle(handle, 'SharedCondition'));
  }

  get handle(): SharedHandle {
    return { quiesce: 'SharedCondition', at: this.#at };
  }

  /**
   * Release `mutex`, sleep until notified, take `mutex` again (also when interrupted). As with any
   * condition variable, wake-ups may be spurious: wait in a loop that checks the condition.
   */
  wait(mutex: SharedMutex): void {
    const seen = Atomics.load(state.control, this.#at);
    mutex.unlock();
    try {
      sleepOn(this.#at, seen, 'SharedCondition.wait');
    } finally {
      mutex.lockBriefly();
    }
  }

  async waitAsync(mutex: SharedMutex): Promise<void> {
    const seen = Atomics.load(state.control, this.#at);
    mutex.unlock();
    try {
      await sleepOnAsync(this.#at, seen);
    } finally {
      await mutex.lockAsync();
    }
  }

  notify(): void {
    bump(this.#at, 1);
  }

  notifyAll(): void {
    bump(this.#at);
  }
}

// SharedQueue words: its lock (2), then head, count, a sequence bumped by every push and pop, the items.
const HEAD = 2;
const COUNT = 3;
const SEQ = 4;
const ITEMS = 5;

export class SharedQueue {
  readonly #at: number;
  readonly #lock: SharedMutex;
  readonly capacity: number;

  constructor(capacity: number, at?: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SharedQueue: capacity must be an integer >= 1, got ${String(capacity)}`);
    this.capacity = capacity;
    this.#at = at ?? allocate(ITEMS + capacity);
    this.#lock = new SharedMutex(this.#at);
  }

  static from(handle: SharedHandle): SharedQueue {
    const at = checkHandle(handle, 'SharedQueue');
    return new SharedQueue(handle.capacity as number, at);
  }

  get handle(): SharedHandle {
    return { quiesce: 'SharedQueue', at: this.#at, capacity: this.capacity };
  }

  get size(): number {
    return Atomics.load(state.control, this.#at + COUNT);
  }

  /** Add `item` (a 32-bit integer) if there is room. */
  tryPush(item: number): boolean {
    const c = state.control;
    this.#lock.lockBriefly();
    try {
      const count = c[this.#at + COUNT];
      if (count === this.capacity) return false;
      c[this.#at + ITEMS + ((c[this.#at + HEAD] + count) % this.capacity)] = item;
      c[this.#at + COUNT] = count + 1;
    } finally {
      this.#lock.unlock();
    }
    bump(this.#at + SEQ);
    return true;
  }

  tryPop(): { value: number } | undefined {
    const c = state.control;
    let value: number;
    this.#lock.lockBriefly();
    try {
      const count = c[this.#at + COUNT];
      if (count === 0) return undefined;
      const head = c[this.#at + HEAD];
      value = c[this.#at + ITEMS + head];
      c[this.#at + HEAD] = (head + 1) % this.capacity;
      c[this.#at + COUNT] = count - 1;
    } finally {
      this.#lock.unlock();
    }
    bump(this.#at + SEQ);
    return { value };
  }

  /** Add `item`, blocking the thread while the queue is full. */
  push(item: number): void {
    for (;;) {
      const seen = Atomics.load(state.control, this.#at + SEQ);
      if (this.tryPush(item)) return;
      sleepOn(this.#at + SEQ, seen, 'SharedQueue.push');
    }
  }

  /** Take the oldest item, blocking the thread while the queue is empty. */
  pop(): number {
    for (;;) {
      const seen = Atomics.load(state.control, this.#at + SEQ);
      const taken = this.tryPop();
      if (taken !== undefined) return taken.value;
      sleepOn(this.#at + SEQ, seen, 'SharedQueue.pop');
    }
  }

  async pushAsync(item: number): Promise<void> {
    for (;;) {
      const seen = Atomics.load(state.control, this.#at + SEQ);
      if (this.tryPush(item)) return;
      await sleepOnAsync(this.#at + SEQ, seen);
    }
  }

  async popAsync(): Promise<number> {
    for (;;) {
      const seen = Atomics.load(state.control, this.#at + SEQ);
      const taken = this.tryPop();
      if (taken !== undefined) return taken.value;
      await sleepOnAsync(this.#at + SEQ, seen);
    }
  }
}
