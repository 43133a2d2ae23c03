import { spawnSync } from 'node:child_process';
import { EventEmitter, getEventListeners, setMaxListeners } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Condition, Mutex, Queue, QueueClosedError, on, once, sleep } from 'quiesce';

// ---- helpers ---------------------------------------------------------------------------------

/** How the promise ended, without letting a rejection go unhandled. */
function outcome<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Let every promise chain that can make progress do so (timers excepted). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `promise`, or a failure if it is still pending after `ms`: a wrong implementation fails, not hangs. */
function within<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function assertAbortError(error: unknown, reason?: unknown): void {
  assert.instance(error, Error);
  const e = error as Error & { code?: string };
  assert.is(e.name, 'AbortError');
  assert.is(e.code, 'ABORT_ERR');
  if (reason !== undefined) assert.is(e.cause, reason);
}

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** mulberry32: a small seeded PRNG, so a failing interleaving can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- sleep -----------------------------------------------------------------------------------

test('sleep resolves after the delay', async () => {
  const start = Date.now();
  await sleep(20);
  assert.ok(Date.now() - start >= 19);
});

test('sleep refuses a bad delay with a RangeError', async () => {
  for (const ms of [-1, NaN, Infinity, 2 ** 31, '5' as unknown as number]) {
    const error = await rejection(sleep(ms));
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /sleep: ms must be/);
  }
});

test('sleep rejects at once for an already-aborted signal', async () => {
  const ac = new AbortController();
  const reason = new Error('stop');
  ac.abort(reason);
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const result = outcome(sleep(10_000, { signal: ac.signal }));
  assert.is(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, timers);
  await settle();
  assert.ok(result.settled);
  assertAbortError(result.error, reason);
});

test('sleep rejects on abort and stops listening', async () => {
  const ac = new AbortController();
  const pending = sleep(10_000, { signal: ac.signal });
  assert.is(abortListeners(ac.signal), 1);
  ac.abort();
  assertAbortError(await rejection(pending), ac.signal.reason);
  assert.is(abortListeners(ac.signal), 0);
});

test('sleep leaves no listener on a long-lived signal', async () => {
  const ac = new AbortController();
  setMaxListeners(Infinity, ac.signal);
  await Promise.all(Array.from({ length: 1000 }, () => sleep(0, { signal: ac.signal })));
  assert.is(abortListeners(ac.signal), 0);
});

test('an aborted sleep clears its timer: the process exits at once', () => {
  const script = `
    const { sleep } = require(${JSON.stringify(require.resolve('quiesce'))});
    const ac = new AbortController();
    sleep(60000, { signal: ac.signal }).catch((e) => console.log(e.name));
    setTimeout(() => ac.abort(), 20);
  `;
  const start = Date.now();
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stdout.trim(), 'AbortError');
  assert.ok(Date.now() - start < 5_000, `child took ${Date.now() - start} ms`);
});

// ---- Mutex -----------------------------------------------------------------------------------

test('Mutex: lock, tryLock, unlock', async () => {
  const mutex = new Mutex();
  assert.is(mutex.locked, false);
  await mutex.lock();
  assert.is(mutex.locked, true);
  assert.is(mutex.tryLock(), false);
  mutex.unlock();
  assert.is(mutex.tryLock(), true);
  mutex.unlock();
  assert.is(mutex.locked, false);
  assert.throws(() => mutex.unlock(), /not locked/);
});

test('Mutex hands the lock over first come first served, with no overtaking', async () => {
  const mutex = new Mutex();
  await mutex.lock();
  const order: number[] = [];
  const lockers = [0, 1, 2, 3, 4].map((i) =>
    mutex.lock().then(() => {
      order.push(i);
      mutex.unlock();
    }),
  );
  mutex.unlock();
  // The first waiter owns the lock now, before it has even run.
  assert.is(mutex.tryLock(), false);
  await within(Promise.all(lockers));
  assert.equal(order, [0, 1, 2, 3, 4]);
  assert.is(mutex.locked, false);
});

test('Mutex: an aborted lock() leaves the wait list and never acquires', async () => {
  const mutex = new Mutex();
  await mutex.lock();
  const ac = new AbortController();
  const b = outcome(mutex.lock({ signal: ac.signal }));
  const c = outcome(mutex.lock());
  ac.abort();
  await settle();
  assertAbortError(b.error, ac.signal.reason);
  assert.is(abortListeners(ac.signal), 0);
  mutex.unlock();
  await settle();
  assert.ok(c.settled && c.error === undefined);
  mutex.unlock();
  assert.is(mutex.locked, false);
});

test('Mutex: an already-aborted signal rejects even when the mutex is free', async () => {
  const mutex = new Mutex();
  const ac = new AbortController();
  ac.abort();
  assertAbortError(await rejection(mutex.lock({ signal: ac.signal })));
  assert.is(mutex.locked, false);
});

test('Mutex: a lock granted in the same tick as its abort passes on to the next waiter', async () => {
  const mutex = new Mutex();
  await mutex.lock();
  const ac = new AbortController();
  // This listener runs before lock()'s own: the unlock happens when the signal has aborted but
  // the waiter has not yet heard of it.
  ac.signal.addEventListener('abort', () => mutex.unlock(), { once: true });
  const b = outcome(mutex.lock({ signal: ac.signal }));
  const c = outcome(mutex.lock());
  ac.abort();
  await settle();
  assertAbortError(b.error);
  assert.ok(c.settled && c.error === undefined, 'the next waiter got the lock');
  mutex.unlock();
  assert.is(mutex.locked, false);
});

test('Mutex: a lock granted in the same tick as its abort is released when nobody else waits', async () => {
  const mutex = new Mutex();
  await mutex.lock();
  const ac = new AbortController();
  ac.signal.addEventListener('abort', () => mutex.unlock(), { once: true });
  const b = outcome(mutex.lock({ signal: ac.signal }));
  ac.abort();
  await settle();
  assertAbortError(b.error);
  assert.is(mutex.locked, false, 'the lock was not leaked to the aborted waiter');
});

test('Mutex.withLock returns the result and releases on throw', async () => {
  const mutex = new Mutex();
  assert.is(await mutex.withLock(() => 42), 42);
  assert.is(mutex.locked, false);
  const error = await rejection(
    mutex.withLock(async () => {
      await sleep(1);
      throw new Error('boom');
    }),
  );
  assert.is((error as Error).message, 'boom');
  assert.is(mutex.locked, false);
});

test('Mutex: random lockers with aborts keep mutual exclusion and FIFO order (seeded)', async () => {
  for (const seed of [1, 2, 3]) {
    const rand = random(seed);
    const mutex = new Mutex();
    const signals: AbortSignal[] = [];
    const acquired: number[] = [];
    let holders = 0;
    const lockers: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      const ac = rand() < 0.3 ? new AbortController() : undefined;
      if (ac !== undefined) signals.push(ac.signal);
      lockers.push(
        mutex.lock({ signal: ac?.signal }).then(
          async () => {
            holders++;
            assert.is(holders, 1, 'two holders at once');
            acquired.push(i);
            for (let t = Math.floor(rand() * 4); t > 0; t--) await null;
            holders--;
            mutex.unlock();
          },
          (error: unknown) => assertAbortError(error),
        ),
      );
      if (ac !== undefined && rand() < 0.7) {
        const abortAfter = Math.floor(rand() * 3);
        void (async () => {
          for (let t = abortAfter; t > 0; t--) await null;
          ac.abort();
        })();
      }
      if (rand() < 0.2) await null;
    }
    await within(Promise.all(lockers));
    // Whoever acquired did so in call order; the others were aborted.
    let last = -1;
    for (const i of acquired) {
      assert.ok(i > last, `seed ${seed}: ${i} acquired after ${last}`);
      last = i;
    }
    assert.ok(acquired.length > 1000, `seed ${seed}: only ${acquired.length} acquired`);
    assert.is(mutex.locked, false);
    for (const signal of signals) assert.is(abortListeners(signal), 0);
  }
});

// ---- Condition -------------------------------------------------------------------------------

test('Condition.wait releases the mutex and holds it again when it resolves', async () => {
  const mutex = new Mutex();
  const cond = new Condition();
  await mutex.lock();
  const waiting = outcome(cond.wait(mutex));
  assert.is(mutex.locked, false, 'wait released the mutex');
  await mutex.lock();
  cond.notify();
  await settle();
  assert.is(waiting.settled, false, 'a notified wait still needs the mutex');
  mutex.unlock();
  await settle();
  assert.ok(waiting.settled && waiting.error === undefined);
  assert.is(mutex.locked, true, 'the waiter holds the mutex');
  mutex.unlock();
});

test('Condition.notify wakes the longest waiter; notifyAll wakes all', async () => {
  const mutex = new Mutex();
  const cond = new Condition();
  const woken: number[] = [];
  const waiters = [0, 1, 2].map(async (i) => {
    await mutex.lock();
    await cond.wait(mutex);
    woken.push(i);
    mutex.unlock();
  });
  await settle();
  cond.notify();
  await settle();
  assert.equal(woken, [0]);
  cond.notifyAll();
  await within(Promise.all(waiters));
  assert.equal(woken, [0, 1, 2]);
  cond.notify();
  assert.is(mutex.locked, false);
});

test('Condition.wait on a mutex that is not held rejects', async () => {
  const error = await rejection(new Condition().wait(new Mutex()));
  assert.match((error as Error).message, /must be locked/);
});

test('Condition.wait on abort re-acquires the mutex before it rejects', async () => {
  const mutex = new Mutex();
  const cond = new Condition();
  await mutex.lock();
  const ac = new AbortController();
  const waiting = outcome(cond.wait(mutex, { signal: ac.signal }));
  await mutex.lock();
  ac.abort();
  await settle();
  assert.is(waiting.settled, false, 'an aborted wait still needs the mutex');
  assert.is(abortListeners(ac.signal), 0);
  mutex.unlock();
  await settle();
  assertAbortError(waiting.error, ac.signal.reason);
  assert.is(mutex.locked, true, 'the aborted waiter holds the mutex');
  mutex.unlock();
});

test('Condition.wait with an already-aborted signal rejects without releasing the mutex', async () => {
  const mutex = new Mutex();
  await mutex.lock();
  const ac = new AbortController();
  ac.abort();
  const waiting = new Condition().wait(mutex, { signal: ac.signal });
  assert.is(mutex.locked, true);
  assertAbortError(await rejection(waiting));
  assert.is(mutex.locked, true);
});

test('Condition: an aborted wait does not swallow a notify, even in the same tick', async () => {
  const mutex = new Mutex();
  const cond = new Condition();
  for (const sameTick of [false, true]) {
    const ac = new AbortController();
    if (sameTick) ac.signal.addEventListener('abort', () => cond.notify(), { once: true });
    await mutex.lock();
    const a = outcome(cond.wait(mutex, { signal: ac.signal }));
    await mutex.lock();
    const b = outcome(cond.wait(mutex));
    ac.abort();
    if (!sameTick) cond.notify();
    await settle();
    assertAbortError(a.error);
    mutex.unlock();
    await settle();
    assert.ok(b.settled && b.error === undefined, `sameTick=${sameTick}: the other waiter was notified`);
    mutex.unlock();
    assert.is(mutex.locked, false);
  }
});

test('Condition leaves no listener on a long-lived signal', async () => {
  const mutex = new Mutex();
  const cond = new Condition();
  const ac = new AbortController();
  for (let i = 0; i < 100; i++) {
    await mutex.lock();
    const waiting = cond.wait(mutex, { signal: ac.signal });
    cond.notify();
    await waiting;
    mutex.unlock();
  }
  assert.is(abortListeners(ac.signal), 0);
});

// ---- Queue -----------------------------------------------------------------------------------

test('Queue: first in, first out', async () => {
  const queue = new Queue<number>();
  await queue.push(1);
  assert.is(queue.tryPush(2), true);
  await queue.push(3);
  assert.is(queue.size, 3);
  assert.is(await queue.pop(), 1);
  assert.equal(queue.tryPop(), { value: 2 });
  assert.is(await queue.pop(), 3);
  assert.is(queue.tryPop(), undefined);
  assert.is(queue.size, 0);
});

test('Queue: a waiting pop gets the next push, in the order the pops were made', async () => {
  const queue = new Queue<string>();
  const a = queue.pop();
  const b = queue.pop();
  await queue.push('x');
  await queue.push('y');
  assert.is(await within(a), 'x');
  assert.is(await within(b), 'y');
  assert.is(queue.size, 0);
});

test('Queue: push waits while full and keeps its place', async () => {
  const queue = new Queue<number>({ capacity: 2 });
  await queue.push(1);
  await queue.push(2);
  assert.is(queue.tryPush(99), false);
  const three = outcome(queue.push(3));
  const four = outcome(queue.push(4));
  await settle();
  assert.is(three.settled, false);
  assert.is(queue.tryPush(99), false, 'tryPush does not overtake waiting pushes');
  assert.is(await queue.pop(), 1);
  await settle();
  assert.ok(three.settled && !four.settled);
  assert.is(queue.size, 2);
  assert.equal([await queue.pop(), await queue.pop(), await queue.pop()], [2, 3, 4]);
  assert.ok(four.settled);
});

test('Queue with capacity 0 hands each item from push to pop', async () => {
  const queue = new Queue<number>({ capacity: 0 });
  assert.is(queue.tryPush(1), false);
  const pushed = outcome(queue.push(1));
  await settle();
  assert.is(pushed.settled, false);
  assert.equal(queue.tryPop(), { value: 1 });
  await settle();
  assert.ok(pushed.settled);
  const popped = queue.pop();
  assert.is(queue.tryPush(2), true);
  assert.is(await within(popped), 2);
});

test('Queue refuses a bad capacity', () => {
  for (const capacity of [-1, 1.5, NaN]) assert.throws(() => new Queue({ capacity }), RangeError);
});

test('Queue: an aborted pop leaves the wait list and takes nothing', async () => {
  const queue = new Queue<string>();
  const ac = new AbortController();
  const a = outcome(queue.pop({ signal: ac.signal }));
  const b = queue.pop();
  ac.abort();
  await queue.push('x');
  assert.is(await within(b), 'x');
  assertAbortError(a.error, ac.signal.reason);
  assert.is(abortListeners(ac.signal), 0);
});

test('Queue: an item pushed in the same tick as a pop aborts goes to the next pop', async () => {
  const queue = new Queue<string>();
  const ac = new AbortController();
  ac.signal.addEventListener('abort', () => queue.tryPush('x'), { once: true });
  const a = outcome(queue.pop({ signal: ac.signal }));
  const b = outcome(queue.pop());
  ac.abort();
  await settle();
  assertAbortError(a.error);
  assert.is(b.value, 'x');
  assert.is(queue.size, 0);
});

test('Queue: an item pushed in the same tick as the only pop aborts stays in the queue', async () => {
  const queue = new Queue<string>();
  await queue.push('first');
  const ac = new AbortController();
  ac.signal.addEventListener('abort', () => queue.tryPush('x'), { once: true });
  assert.is(await queue.pop(), 'first');
  const a = outcome(queue.pop({ signal: ac.signal }));
  ac.abort();
  await settle();
  assertAbortError(a.error);
  assert.equal(queue.tryPop(), { value: 'x' });
});

test('Queue: an aborted push never enters the queue', async () => {
  const queue = new Queue<number>({ capacity: 1 });
  await queue.push(1);
  const ac = new AbortController();
  const two = outcome(queue.push(2, { signal: ac.signal }));
  const three = outcome(queue.push(3));
  ac.abort();
  assert.equal([await queue.pop(), await queue.pop()], [1, 3]);
  await settle();
  assertAbortError(two.error);
  assert.ok(three.settled && three.error === undefined);
  assert.is(queue.tryPop(), undefined);
  assert.is(abortListeners(ac.signal), 0);
});

test('Queue.close: queued items drain, then pops reject; pushes reject', async () => {
  const queue = new Queue<number>({ capacity: 1 });
  await queue.push(1);
  const waitingPush = outcome(queue.push(2));
  queue.close();
  queue.close();
  assert.is(queue.closed, true);
  await settle();
  assert.instance(waitingPush.error, QueueClosedError);
  assert.instance(await rejection(queue.push(3)), QueueClosedError);
  assert.throws(() => queue.tryPush(3), (e: unknown) => e instanceof QueueClosedError);
  assert.is(await queue.pop(), 1);
  const error = await rejection(queue.pop());
  assert.instance(error, QueueClosedError);
  assert.is((error as Error).name, 'QueueClosedError');

  const empty = new Queue<number>();
  const pending = [empty.pop(), empty.pop()];
  empty.close();
  for (const pop of pending) assert.instance(await rejection(pop), QueueClosedError);
});

test('Queue: the async iterator ends when closed and drained', async () => {
  const queue = new Queue<number>();
  const consumed: number[] = [];
  const consumer = (async () => {
    for await (const item of queue) consumed.push(item);
  })();
  for (let i = 0; i < 5; i++) await queue.push(i);
  await queue.push(5);
  queue.close();
  await within(consumer);
  assert.equal(consumed, [0, 1, 2, 3, 4, 5]);
});

test('Queue: iterator return() with a next() pending resolves done and loses nothing', async () => {
  const queue = new Queue<string>();
  const iterator = queue[Symbol.asyncIterator]();
  const next = iterator.next();
  assert.equal(await iterator.return!(), { value: undefined, done: true });
  assert.equal(await within(next), { value: undefined, done: true });
  await queue.push('kept');
  assert.is(queue.size, 1, 'the item stayed in the queue');
  assert.equal(await iterator.next(), { value: undefined, done: true });
  assert.is(await queue.pop(), 'kept');
});

test('Queue leaves no listener on a long-lived signal', async () => {
  const queue = new Queue<number>({ capacity: 1 });
  const ac = new AbortController();
  const { signal } = ac;
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 500; i++) {
    work.push(queue.push(i, { signal }), queue.pop({ signal }));
    work.push(queue.pop({ signal }), queue.push(i, { signal }));
  }
  await within(Promise.all(work));
  assert.is(abortListeners(signal), 0);
});

interface PushRecord {
  readonly item: number;
  status: 'pending' | 'accepted' | 'aborted' | 'closed' | 'refused';
}

interface PopRecord {
  status: 'pending' | 'taken' | 'empty' | 'aborted' | 'closed' | 'done';
  value?: number;
}

/**
 * Random interleavings of push, pop, tryPush, tryPop, iterator next and return, aborts (some in
 * the same tick as a push) and ticks; then close and drain. Pushes are accepted in call order and
 * pops served in call order, so the items taken, read in pop-call order, must be exactly the
 * accepted items, in order.
 */
async function queueRun(seed: number, capacity: number, operations: number): Promise<void> {
  const rand = random(seed);
  const queue = new Queue<number>({ capacity });
  const pushes: PushRecord[] = [];
  const pops: PopRecord[] = [];
  const live: AbortController[] = [];
  const controllers: { ac: AbortController; testListener: boolean }[] = [];
  let iterator = queue[Symbol.asyncIterator]();
  const where = `seed ${seed}, capacity ${capacity}`;

  const maybeSignal = (): AbortSignal | undefined => {
    if (rand() >= 0.35) return undefined;
    const ac = new AbortController();
    const testListener = rand() < 0.3;
    if (testListener) {
      // Runs before the operation's own listener: a push or pop in the same tick as the abort.
      const pushFirst = rand() < 0.7;
      ac.signal.addEventListener('abort', () => (pushFirst ? tryPush() : tryPop()), { once: true });
    }
    live.push(ac);
    controllers.push({ ac, testListener });
    return ac.signal;
  };
  const push = (): void => {
    const signal = maybeSignal();
    const record: PushRecord = { item: pushes.length, status: 'pending' };
    pushes.push(record);
    queue.push(record.item, { signal }).then(
      () => (record.status = 'accepted'),
      (error: unknown) => {
        if (error instanceof QueueClosedError) record.status = 'closed';
        else {
          assertAbortError(error);
          record.status = 'aborted';
        }
      },
    );
  };
  const tryPush = (): void => {
    const record: PushRecord = { item: pushes.length, status: 'pending' };
    pushes.push(record);
    record.status = queue.tryPush(record.item) ? 'accepted' : 'refused';
  };
  const pop = (): void => {
    const signal = maybeSignal();
    const record: PopRecord = { status: 'pending' };
    pops.push(record);
    queue.pop({ signal }).then(
      (value) => Object.assign(record, { status: 'taken', value }),
      (error: unknown) => {
        if (error instanceof QueueClosedError) record.status = 'closed';
        else {
          assertAbortError(error);
          record.status = 'aborted';
        }
      },
    );
  };
  const tryPop = (): void => {
    const got = queue.tryPop();
    pops.push(got === undefined ? { status: 'empty' } : { status: 'taken', value: got.value });
  };
  const next = (): void => {
    const record: PopRecord = { status: 'pending' };
    pops.push(record);
    iterator.next().then((result) => {
      if (result.done === true) record.status = 'done';
      else Object.assign(record, { status: 'taken', value: result.value });
    });
  };
  const abort = (): void => {
    if (live.length === 0) return;
    const [ac] = live.splice(Math.floor(rand() * live.length), 1);
    ac!.abort();
  };

  for (let i = 0; i < operations; i++) {
    const r = rand();
    if (r < 0.25) push();
    else if (r < 0.33) tryPush();
    else if (r < 0.55) pop();
    else if (r < 0.6) tryPop();
    else if (r < 0.68) next();
    else if (r < 0.7) {
      void iterator.return!();
      iterator = queue[Symbol.asyncIterator]();
    } else if (r < 0.85) abort();
    else if (r < 0.97) {
      for (let t = Math.floor(rand() * 5); t > 0; t--) await null;
    } else await settle();
  }
  await settle();
  queue.close();
  await settle();
  for (let got = queue.tryPop(); got !== undefined; got = queue.tryPop()) {
    pops.push({ status: 'taken', value: got.value });
  }
  await settle();

  for (const { ac, testListener } of controllers) {
    const expected = testListener && !ac.signal.aborted ? 1 : 0;
    assert.is(abortListeners(ac.signal), expected, `${where}: abort listener left behind`);
  }

  assert.ok(pushes.every((p) => p.status !== 'pending'), `${where}: a push never settled`);
  assert.ok(pops.every((p) => p.status !== 'pending'), `${where}: a pop never settled`);
  const accepted = pushes.filter((p) => p.status === 'accepted').map((p) => p.item);
  const taken = pops.filter((p) => p.status === 'taken').map((p) => p.value);
  assert.equal(taken, accepted, `${where}: items lost, duplicated or out of order`);
  // The run must have exercised what it claims to.
  const count = (list: { status: string }[], status: string): number => list.filter((p) => p.status === status).length;
  assert.ok(taken.length > operations / 10, `${where}: only ${taken.length} items delivered`);
  assert.ok(count(pops, 'aborted') > 0 && count(pops, 'done') > 0, `${where}: no aborted pop or ended next()`);
  if (capacity !== Infinity) assert.ok(count(pushes, 'aborted') > 0, `${where}: no aborted push`);
}

test('Queue: random interleavings deliver every accepted item exactly once, in order (seeded)', async () => {
  for (const capacity of [Infinity, 0, 1, 4]) {
    for (const seed of [11, 22, 33]) await queueRun(seed, capacity, 5000);
  }
});

// ---- events ----------------------------------------------------------------------------------

test('once resolves with the arguments and removes its listeners', async () => {
  const emitter = new EventEmitter();
  const ac = new AbortController();
  const got = once(emitter, 'data', { signal: ac.signal });
  assert.is(emitter.listenerCount('data'), 1);
  assert.is(emitter.listenerCount('error'), 1);
  emitter.emit('data', 1, 'two');
  assert.equal(await got, [1, 'two']);
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);
  assert.is(abortListeners(ac.signal), 0);
});

test("once rejects on 'error', unless it waits for 'error'", async () => {
  const emitter = new EventEmitter();
  const failure = new Error('bad');
  const got = once(emitter, 'data');
  emitter.emit('error', failure);
  assert.is(await rejection(got), failure);
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);

  const error = once(emitter, 'error');
  emitter.emit('error', failure);
  assert.equal(await error, [failure]);
  assert.is(emitter.listenerCount('error'), 0);
});

test('once rejects on abort and removes its listeners', async () => {
  const emitter = new EventEmitter();
  const ac = new AbortController();
  const got = once(emitter, 'data', { signal: ac.signal });
  ac.abort();
  assertAbortError(await rejection(got), ac.signal.reason);
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);
  assert.is(abortListeners(ac.signal), 0);

  const aborted = once(emitter, 'data', { signal: ac.signal });
  assert.is(emitter.listenerCount('data'), 0, 'an already-aborted signal adds no listener');
  assertAbortError(await rejection(aborted));
});

test('once works with an EventTarget', async () => {
  const target = new EventTarget();
  const got = once(target, 'ping');
  const event = new Event('ping');
  target.dispatchEvent(event);
  assert.equal(await got, [event]);
});

test('on buffers events and yields them in order', async () => {
  const emitter = new EventEmitter();
  const events = on(emitter, 'data');
  const first = events.next();
  emitter.emit('data', 1);
  emitter.emit('data', 2);
  emitter.emit('data', 3);
  assert.equal(await within(first), { value: [1], done: false });
  assert.equal(await events.next(), { value: [2], done: false });
  assert.equal(await events.next(), { value: [3], done: false });
  await events.return!();
  assert.is(emitter.listenerCount('data'), 0);
});

test("on: 'error' comes after the buffered events, then the iteration ends", async () => {
  const emitter = new EventEmitter();
  const failure = new Error('bad');
  const events = on(emitter, 'data');
  emitter.emit('data', 1);
  emitter.emit('error', failure);
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);
  assert.equal(await events.next(), { value: [1], done: false });
  assert.is(await rejection(events.next()), failure);
  assert.equal(await events.next(), { value: undefined, done: true });

  const pending = on(emitter, 'data');
  const next = pending.next();
  emitter.emit('error', failure);
  assert.is(await rejection(next), failure);
});

test('on: return() with a next() pending resolves it done and leaves the next event alone', async () => {
  const emitter = new EventEmitter();
  const ac = new AbortController();
  const events = on(emitter, 'data', { signal: ac.signal });
  const next = events.next();
  assert.equal(await events.return!(), { value: undefined, done: true });
  assert.equal(await within(next), { value: undefined, done: true });
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);
  assert.is(abortListeners(ac.signal), 0);
  const later = once(emitter, 'data');
  emitter.emit('data', 'kept');
  assert.equal(await later, ['kept']);
  assert.equal(await events.next(), { value: undefined, done: true });
});

test('on: abort rejects the pending next() and removes every listener', async () => {
  const emitter = new EventEmitter();
  const ac = new AbortController();
  const events = on(emitter, 'data', { signal: ac.signal });
  const next = events.next();
  ac.abort();
  assertAbortError(await rejection(next), ac.signal.reason);
  assert.is(emitter.listenerCount('data'), 0);
  assert.is(emitter.listenerCount('error'), 0);
  assert.equal(await events.next(), { value: undefined, done: true });

  assert.throws(() => on(emitter, 'data', { signal: ac.signal }), (e: unknown) => (e as Error).name === 'AbortError');
  assert.is(emitter.listenerCount('data'), 0);
});

test('on works with an EventTarget and for await', async () => {
  const target = new EventTarget();
  const seen: string[] = [];
  const consumer = (async () => {
    for await (const [event] of on(target, 'ping')) {
      seen.push((event as Event).type);
      if (seen.length === 2) break;
    }
  })();
  target.dispatchEvent(new Event('ping'));
  target.dispatchEvent(new Event('ping'));
  await within(consumer);
  assert.equal(seen, ['ping', 'ping']);
});

test('on and once leave no listener on a long-lived signal', async () => {
  const emitter = new EventEmitter();
  const ac = new AbortController();
  for (let i = 0; i < 200; i++) {
    const got = once(emitter, 'data', { signal: ac.signal });
    emitter.emit('data', i);
    await got;
    const events = on(emitter, 'data', { signal: ac.signal });
    emitter.emit('data', i);
    await events.next();
    await events.return!();
  }
  assert.is(abortListeners(ac.signal), 0);
  assert.is(emitter.listenerCount('data'), 0);
});

test.run();
