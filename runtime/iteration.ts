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

/** A TypeError whose stack starts at the emitted code that called `hook`, as if the loop had thrown it. */
function typeError(message: string, hook: Function): TypeError {
  const error = new TypeError(message);
  Error.captureStackTrace(error, hook);
  return error;
}

function notAnObject(value: unknown, hook: Function): TypeError {
  return typeError(`Iterator result ${String(value)} is not an object`, hook);
}

/** V8's wording for calling a value that is not callable: `number 5 is not a function`. */
function notCallable(value: unknown, hook: Function): TypeError {
  let shown: string;
  if (value === undefined) shown = 'undefined';
  else if (value === null) shown = 'object null';
  else if (typeof value === 'string') shown = `string "${value}"`;
  else if (typeof value === 'number' || typeof value === 'boolean') shown = `${typeof value} ${String(value)}`;
  else shown = typeof value;
  return typeError(`${shown} is not a function`, hook);
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** GetMethod; reading from null or undefined throws V8's own TypeError. */
function getMethod(target: unknown, key: PropertyKey, notCallable: (method: unknown) => TypeError): Method | undefined {
  const method = (target as Record<PropertyKey, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== 'function') throw notCallable(method);
  return method as Method;
}

/** GetIterator(iterable, async): the async iterator, or a sync one wrapped. */
export function asyncIterator(iterable: unknown, message = `${typeof iterable} is not async iterable`): AsyncIteratorRecord {
  // V8 reports a missing and a non-callable iterator method alike, naming the expression as written.
  const notIterable = () => typeError(message, asyncIterator);
  const asyncMethod = getMethod(iterable, Symbol.asyncIterator, notIterable);
  if (asyncMethod !== undefined) return record(asyncMethod.call(iterable), 'Symbol.asyncIterator');
  const syncMethod = getMethod(iterable, Symbol.iterator, notIterable);
  if (syncMethod === undefined) throw notIterable();
  const sync = record(syncMethod.call(iterable), 'Symbol.iterator');
  return record(new AsyncFromSyncIterator(sync), 'Symbol.asyncIterator');
}

function record(iterator: unknown, method: string): AsyncIteratorRecord {
  if (!isObject(iterator)) throw typeError(`Result of the ${method} method is not an object`, asyncIterator);
  return { iterator, next: (iterator as { next: AsyncIteratorRecord['next'] }).next };
}

/** One step: call the `next` read once when the loop began, as `for await` does. */
export function step(it: AsyncIteratorRecord): unknown {
  if (typeof it.next !== 'function') throw notCallable(it.next, step);
  return it.next.call(it.iterator);
}

/** IteratorComplete on a `next()` result; the loop then reads `value` itself if not done. */
export function iteratorDone(result: unknown): boolean {
  if (!isObject(result)) throw notAnObject(result, iteratorDone);
  return Boolean((result as IteratorResult<unknown>).done);
}

/** The `return` method to call when the loop body ends abruptly, if the iterator has one. */
export function returnMethod(it: AsyncIteratorRecord): Method | undefined {
  return getMethod(it.iterator, 'return', (method) => notCallable(method, returnMethod));
}

/** AsyncIteratorClose on a normal (break/return) completion: the awaited result must be an object. */
export function checkReturnResult(result: unknown): void {
  if (!isObject(result)) throw notAnObject(result, checkReturnResult);
}

class AsyncFromSyncIterator {
  constructor(private readonly sync: AsyncIteratorRecord) {}

  next(...args: unknown[]): Promise<IteratorResult<unknown>> {
    try {
      const next = this.sync.next;
      if (typeof next !== 'function') throw notCallable(next, step);
      const result = next.apply(this.sync.iterator, args);
      if (!isObject(result)) throw notAnObject(result, step);
      return continuation(result as IteratorResult<unknown>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Passes its argument on only if it was given one, as the spec's %AsyncFromSyncIteratorPrototype%.return does. */
  return(...args: [value?: unknown]): Promise<IteratorResult<unknown>> {
    try {
      const method = getMethod(this.sync.iterator, 'return', (found) => notCallable(found, AsyncFromSyncIterator.prototype.return));
      if (method === undefined) return Promise.resolve({ value: args[0], done: true });
      const result = method.apply(this.sync.iterator, args);
      if (!isObject(result)) throw notAnObject(result, AsyncFromSyncIterator.prototype.return);
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
