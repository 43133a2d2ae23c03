/**
 * Update requests: raise the flag, interrupt the waits that need it, wait for full quiescence
 * (every counted strand parked or in a quiescent wait), run the action, release the strands.
 * Requests are queued: one update at a time, never interleaved.
 */
import { performance } from 'node:perf_hooks';
import { EPOCH, FLAG, WAKE, state, type UpdateInProgress } from './state';
import { allThreadsIdle, blockersEverywhere, wakeSleepers } from './threads';
import type { StrandInfo } from './inspect';
import { countBusy, interruptWaiters } from './strand';

export type UpdateAction = () => unknown;

export interface UpdateOptions {
  /** Time limit to reach full quiescence; past it the update is called off. Default 1000 ms. */
  timeoutMs?: number;
}

export interface UpdateTimings {
  /** Request → full quiescence (undefined when called off). */
  toQuiescenceMs: number | undefined;
  /** First strand parked or counted quiescent → full quiescence (the Kitsune benchmark's measure). */
  firstToFullMs: number | undefined;
  /** Request → strands running again. */
  pauseMs: number;
}

export type UpdateResult =
  | { outcome: 'applied'; timings: UpdateTimings }
  | { outcome: 'called-off'; timings: UpdateTimings; blockers: StrandInfo[] }
  | { outcome: 'failed'; timings: UpdateTimings; error: unknown };

const DEFAULT_TIMEOUT_MS = 1000;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `action` at full quiescence. Resolves (never rejects) with the outcome and its timings:
 * 'applied'; 'called-off' when quiescence was not reached within the time limit (nothing ran,
 * every strand goes on); 'failed' when the action threw (strands go on in the old version).
 */
export function requestUpdate(action: UpdateAction, options: UpdateOptions = {}): Promise<UpdateResult> {
  if (!state.coordinator) {
    throw new Error(`requestUpdate: call it on the thread that loaded quiesce first (the main thread), not on worker ${state.threadId}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof action !== 'function') throw new TypeError('requestUpdate: action must be a function');
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new RangeError(`requestUpdate: timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`);
  }
  const result = queue.then(() => runUpdate(action, timeoutMs));
  queue = result;
  return result;
}

/** Whether an update is pending or being applied. */
export function updatePending(): boolean {
  return state.update !== undefined;
}

async function runUpdate(action: UpdateAction, timeoutMs: number): Promise<UpdateResult> {
  const control = state.control;
  let wakeHere: () => void = () => {};
  let release!: () => void;
  const update: UpdateInProgress = {
    requestedAt: performance.now(),
    firstQuiescentAt: undefined,
    onQuiescent: () => wakeHere(),
    release: new Promise<void>((resolve) => (release = resolve)),
  };
  state.update = update;
  Atomics.store(control, FLAG, 1);
  // This thread's strands are counted now (see markBusy in strand.ts), before any of them runs again.
  if (countBusy()) update.firstQuiescentAt = update.requestedAt;
  interruptWaiters();
  // Waking other threads costs a task posted to each (~0.1 ms): only when one of them is busy, as a
  // thread in an interruptible wait or asleep in a shared primitive is.
  if (!allThreadsIdle()) {
    Atomics.notify(control, FLAG);
    wakeSleepers();
  }

  // Wait until every thread's busy count is 0: this thread tells us directly, the others by
  // bumping WAKE. Read WAKE before counting, so that a wake-up between the two is not missed.
  // (A strand that wakes meanwhile parks again at once, so a count of 0 stays 0 while we act.)
  const deadline = update.requestedAt + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  // Only an update that has to wait needs its time limit (and the cost of a timer).
  let expired: Promise<void> | undefined;
  let ok = false;
  for (;;) {
    const wake = Atomics.load(control, WAKE);
    if (allThreadsIdle()) {
      ok = true;
      break;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) break;
    const elsewhere = Atomics.waitAsync(control, WAKE, wake, remaining);
    if (!elsewhere.async) continue;
    expired ??= new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)));
    await Promise.race([new Promise<void>((resolve) => (wakeHere = resolve)), elsewhere.value, expired]);
    // A worker's strands tell us only by waking us: count the first time we hear as the first park.
    update.firstQuiescentAt ??= performance.now();
  }
  clearTimeout(timer);
  const quiescentAt = performance.now();
  const stuck = ok ? [] : await blockersEverywhere();

  let failure: { error: unknown } | undefined;
  if (ok) {
    try {
      await action();
    } catch (error) {
      failure = { error };
    }
  }
  state.update = undefined;
  Atomics.store(control, FLAG, 0);
  Atomics.add(control, EPOCH, 1);
  Atomics.notify(control, EPOCH);
  release();
  const timings: UpdateTimings = {
    toQuiescenceMs: ok ? quiescentAt - update.requestedAt : undefined,
    firstToFullMs: ok ? quiescentAt - (update.firstQuiescentAt ?? quiescentAt) : undefined,
    pauseMs: performance.now() - update.requestedAt,
  };
  if (!ok) return { outcome: 'called-off', timings, blockers: stuck };
  if (failure !== undefined) return { outcome: 'failed', timings, error: failure.error };
  return { outcome: 'applied', timings };
}
