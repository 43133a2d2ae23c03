/**
 * Update requests: raise the flag, interrupt the waits that need it, wait for full quiescence
 * (every counted strand parked or in a quiescent wait), run the action, release the strands.
 * Requests are queued: one update at a time, never interleaved.
 */
import { performance } from 'node:perf_hooks';
import { state, type UpdateInProgress } from './state';
import { interruptWaiters, liveStrands, type Strand, type StrandStatus } from './strand';

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

export interface StrandInfo {
  name: string;
  thread: number;
  status: StrandStatus;
  /** The named wait the strand is in. */
  at: string | undefined;
  /** The nested loop's strand that currently stands for this one. */
  child: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 1000;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `action` at full quiescence. Resolves (never rejects) with the outcome and its timings:
 * 'applied'; 'called-off' when quiescence was not reached within the time limit (nothing ran,
 * every strand goes on); 'failed' when the action threw (strands go on in the old version).
 */
export function requestUpdate(action: UpdateAction, options: UpdateOptions = {}): Promise<UpdateResult> {
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
  let quiescent!: (reached: boolean) => void;
  const reached = new Promise<boolean>((resolve) => (quiescent = resolve));
  let release!: () => void;
  const update: UpdateInProgress = {
    requestedAt: performance.now(),
    firstQuiescentAt: undefined,
    onQuiescent: () => quiescent(true),
    release: new Promise<void>((resolve) => (release = resolve)),
  };
  state.update = update;
  Atomics.store(state.flag, 0, 1);
  interruptWaiters();
  if (someStrandQuiescent()) update.firstQuiescentAt = update.requestedAt;
  if (state.busy === 0) quiescent(true);
  const timer = setTimeout(() => quiescent(false), timeoutMs);

  // A strand that wakes between the last park and this continuation parks again at once, so
  // quiescence holds here unless a strand is mid-way back to its update point: wait for it too.
  let ok = await reached;
  while (ok && state.busy !== 0) ok = await new Promise<boolean>((resolve) => (quiescent = resolve));
  clearTimeout(timer);
  const quiescentAt = performance.now();

  const stuck = ok ? [] : blockers();
  let failure: { error: unknown } | undefined;
  if (ok) {
    try {
      await action();
    } catch (error) {
      failure = { error };
    }
  }
  state.update = undefined;
  Atomics.store(state.flag, 0, 0);
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

function someStrandQuiescent(): boolean {
  for (const strand of state.live) if (strand.status === 'quiet' || strand.status === 'parked') return true;
  return false;
}

function info(strand: Strand): StrandInfo {
  return {
    name: strand.name,
    thread: state.threadId,
    status: strand.status,
    at: strand.at,
    child: strand.child?.name,
  };
}

/** Every live strand of this thread, with its status and the wait it is in. */
export function strands(): StrandInfo[] {
  return [...liveStrands()].map(info);
}

/** The strands that keep an update from reaching full quiescence now: who blocks, and where. */
export function blockers(): StrandInfo[] {
  const out: StrandInfo[] = [];
  for (const strand of state.live) {
    if (strand.child !== undefined) continue;
    if (strand.status === 'running' || strand.status === 'waiting') out.push(info(strand));
  }
  return out;
}
