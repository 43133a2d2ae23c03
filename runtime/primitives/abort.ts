/**
 * Cancellation the way Node core does it (timers/promises, events.once): an operation takes
 * `{ signal }`, rejects at once when the signal has already aborted, rejects with an AbortError
 * when it aborts later, and stops listening as soon as it settles, so that one long-lived signal
 * passed to many operations keeps none of them alive.
 */

export interface AbortOptions {
  signal?: AbortSignal;
}

/** The error a cancelled Node core operation rejects with. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/**
 * The options' signal, checked as Node core checks it (any object with `aborted`, so signals from
 * other realms pass). Throws the AbortError if it has already aborted: call it before starting.
 */
export function signalFrom(options: AbortOptions | undefined): AbortSignal | undefined {
  const signal: unknown = options?.signal;
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || !('aborted' in signal)) {
    throw new TypeError(`options.signal must be an AbortSignal, got ${String(signal)}`);
  }
  const checked = signal as AbortSignal;
  if (checked.aborted) throw abortError(checked);
  return checked;
}

function stopNothing(): void {}

/**
 * Call `onAbort` when `signal` aborts. Returns the function that stops listening, which the
 * operation must call when it settles: a listener left on a long-lived signal is a leak.
 */
export function listenForAbort(signal: AbortSignal | undefined, onAbort: (error: AbortError) => void): () => void {
  if (signal === undefined) return stopNothing;
  const listener = (): void => onAbort(abortError(signal));
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
