import { listenForAbort, signalFrom, type AbortOptions } from './abort';
import { done, Fifo } from './fifo';

export type Emitter = NodeJS.EventEmitter | EventTarget;

type Listener = (...args: unknown[]) => void;

function isEventEmitter(emitter: Emitter): emitter is NodeJS.EventEmitter {
  return typeof (emitter as NodeJS.EventEmitter | undefined)?.on === 'function';
}

/**
 * Listen for `event`; returns the function that stops listening. An EventTarget's listener gets
 * the Event, so its arguments are `[event]`, as with Node's events.once.
 */
function listen(emitter: Emitter, event: string | symbol, listener: Listener): () => void {
  if (isEventEmitter(emitter)) {
    emitter.on(event, listener);
    return () => emitter.removeListener(event, listener);
  }
  if (typeof emitter?.addEventListener !== 'function') {
    throw new TypeError('emitter must be an EventEmitter or an EventTarget');
  }
  if (typeof event !== 'string') throw new TypeError('an EventTarget event name must be a string');
  emitter.addEventListener(event, listener);
  return () => emitter.removeEventListener(event, listener);
}

/** An EventEmitter's 'error' event fails the wait, unless 'error' is the event waited for. */
function failsOnError(emitter: Emitter, event: string | symbol): boolean {
  return event !== 'error' && isEventEmitter(emitter);
}

/**
 * The arguments of the next `event`, like events.once: rejects on 'error' or abort, and removes
 * every listener it added as soon as it settles.
 */
export function once(emitter: Emitter, event: string | symbol, options?: AbortOptions): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    const signal = signalFrom(options);
    const stops: Array<() => void> = [];
    const settle = (): void => {
      for (const stop of stops) stop();
    };
    stops.push(
      listen(emitter, event, (...args) => {
        settle();
        resolve(args);
      }),
    );
    if (failsOnError(emitter, event)) {
      stops.push(
        listen(emitter, 'error', (error) => {
          settle();
          reject(error);
        }),
      );
    }
    stops.push(
      listenForAbort(signal, (error) => {
        settle();
        reject(error);
      }),
    );
  });
}

interface PendingNext {
  resolve(result: IteratorResult<unknown[]>): void;
  reject(reason: unknown): void;
}

/**
 * Every `event` from now on, as the arguments of each, like events.on: events that come while
 * nobody calls next() are buffered; 'error' or abort makes the next next() reject (after the
 * buffered events) and ends the iteration. Unlike Node 20's events.on, return() also resolves a
 * next() still pending with done, so no event goes to a promise nobody awaits. Throws at once if
 * the signal has already aborted, as events.on does.
 */
export function on(emitter: Emitter, event: string | symbol, options?: AbortOptions): AsyncIterableIterator<unknown[]> {
  const signal = signalFrom(options);
  let buffered = new Fifo<unknown[]>();
  const pending = new Fifo<PendingNext>();
  let failure: { reason: unknown } | undefined;
  let finished = false;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    for (const stop of stops) stop();
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) next.value.resolve(done());
  };
  const fail = (reason: unknown): void => {
    const next = pending.shift();
    if (next === undefined) failure = { reason };
    else next.value.reject(reason);
    finish();
  };
  const stops = [
    listen(emitter, event, (...args) => {
      const next = pending.shift();
      if (next === undefined) buffered.push(args);
      else next.value.resolve({ value: args, done: false });
    }),
  ];
  if (failsOnError(emitter, event)) stops.push(listen(emitter, 'error', fail));
  stops.push(listenForAbort(signal, fail));

  const iterator: AsyncIterableIterator<unknown[]> = {
    next: () => {
      const args = buffered.shift();
      if (args !== undefined) return Promise.resolve({ value: args.value, done: false });
      if (failure !== undefined) {
        const { reason } = failure;
        failure = undefined;
        return Promise.reject(reason);
      }
      if (finished) return Promise.resolve(done());
      return new Promise<IteratorResult<unknown[]>>((resolve, reject) => {
        pending.push({ resolve, reject });
      });
    },
    return: () => {
      // The consumer is done: drop what it will never read, and let the listeners go.
      buffered = new Fifo();
      finish();
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
