/**
 * The pieces of `for await` that the transform's explicit `next()` loop needs, following the
 * spec's GetIterator(obj, async), IteratorComplete and AsyncIteratorClose, and Node 20's
 * AsyncFromSyncIterator (which does not close the sync iterator when a value rejects).
 * Each returns what it is given or a promise the loop awaits once, as `for await` does: no extra ticks.
 */

export interface AsyncIteratorRecord {
  readonly iterator: object;
  readonly next: (this: object, ...args: unknown[]) => unknown;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function notAnObject(value: unknown): TypeError {
  return new TypeError(`Iterator result ${String(value)} is not an object`);
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function getMethod(target: unknown, key: PropertyKey): Method | undefined {
  const method = (target as Record<PropertyKey, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== 'function') throw new TypeError(`${String(method)} is not a function`);
  return method as Method;
}

/** GetIterator(iterable, async): the async iterator, or a sync one wrapped. */
export function asyncIterator(iterable: unknown): AsyncIteratorRecord {
  if (iterable === undefined || iterable === null) throw new TypeError(`${String(iterable)} is not async iterable`);
  const asyncMethod = getMethod(iterable, Symbol.asyncIterator);
  if (asyncMethod !== undefined) return record(asyncMethod.call(iterable));
  const syncMethod = getMethod(iterable, Symbol.iterator);
  if (syncMethod === undefined) throw new TypeError(`${typeof iterable} is not async iterable`);
  const sync = record(syncMethod.call(iterable));
  return record(new AsyncFromSyncIterator(sync));
}

function record(iterator: unknown): AsyncIteratorRecord {
  if (!isObject(iterator)) throw new TypeError('Result of the Symbol.asyncIterator method is not an object');
  return { iterator, next: (iterator as { next: AsyncIteratorRecord['next'] }).next };
}

/** One step: call the `next` read once when the loop began, as `for await` does. */
export function step(it: AsyncIteratorRecord): unknown {
  return it.next.call(it.iterator);
}

/** IteratorComplete on a `next()` result; the loop then reads `value` itself if not done. */
export function iteratorDone(result: unknown): boolean {
  if (!isObject(result)) throw notAnObject(result);
  return Boolean((result as IteratorResult<unknown>).done);
}

/** The `return` method to call when the loop body ends abruptly, if the iterator has one. */
export function returnMethod(it: AsyncIteratorRecord): Method | undefined {
  return getMethod(it.iterator, 'return');
}

/** AsyncIteratorClose on a normal (break/return) completion: the awaited result must be an object. */
export function checkReturnResult(result: unknown): void {
  if (!isObject(result)) throw notAnObject(result);
}

class AsyncFromSyncIterator {
  constructor(private readonly sync: AsyncIteratorRecord) {}

  next(...args: unknown[]): Promise<IteratorResult<unknown>> {
    try {
      const result = this.sync.next.apply(this.sync.iterator, args);
      if (!isObject(result)) throw notAnObject(result);
      return continuation(result as IteratorResult<unknown>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    try {
      const method = getMethod(this.sync.iterator, 'return');
      if (method === undefined) return Promise.resolve({ value, done: true });
      const result = method.call(this.sync.iterator, value);
      if (!isObject(result)) throw notAnObject(result);
      return continuation(result as IteratorResult<unknown>);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

function continuation(result: IteratorResult<unknown>): Promise<IteratorResult<unknown>> {
  const done = Boolean(result.done);
  return Promise.resolve(result.value).then((value) => ({ value, done }));
}
