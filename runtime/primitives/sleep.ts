import { listenForAbort, signalFrom, type AbortOptions } from './abort';

/** Node's setTimeout turns a longer delay into 1 ms (with a warning): refuse it instead. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Resolve after `ms` milliseconds; on abort, clear the timer and reject with an AbortError. */
export async function sleep(ms: number, options?: AbortOptions): Promise<void> {
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_DELAY_MS)) {
    throw new RangeError(`sleep: ms must be a finite number from 0 to ${MAX_DELAY_MS}, got ${String(ms)}`);
  }
  const signal = signalFrom(options);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, ms);
    const stopListening = listenForAbort(signal, (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
