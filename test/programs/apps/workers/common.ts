// What the worker programs share: waiting, and what an update action checks about the threads.
import { threads } from 'quiesce';

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `probe` holds now or, polled every millisecond, within `ms`. */
export async function holdsWithin(probe: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await delay(1);
  }
  return true;
}

/** Wait until `probe` holds; fail after `ms`, so that a broken run ends with a message. */
export async function until(what: string, probe: () => boolean, ms = 5000): Promise<void> {
  if (!(await holdsWithin(probe, ms))) throw new Error(`timed out waiting for ${what}`);
}

/** Every live thread's busy count is 0: what full quiescence means, read from shared memory. */
export function everyThreadIdle(): boolean {
  return threads().every((thread) => !thread.alive || thread.busy === 0);
}

export function liveThreads(): number {
  return threads().filter((thread) => thread.alive).length;
}

/** What the update actions of a program saw. */
export interface ActionCheck {
  /** Actions that found every live thread's busy count at 0 when they began. */
  idleAtOnce: number;
  /**
   * Actions that found it at 0 at once or within 50 ms: a worker strand whose quiescent wait ends
   * during the action is counted busy for the moment it takes to reach its update point and park.
   */
  idle: number;
  /** The fewest live threads an action saw (the main thread and the workers). */
  fewestLiveThreads: number;
  /** Actions during which the program's work went on (`progress` moved during a 1 ms wait). */
  progressDuringAction: number;
  /** Actions that began with some of the program's work begun and not finished. */
  workInFlight: number;
}

export function newCheck(): ActionCheck {
  return { idleAtOnce: 0, idle: 0, fewestLiveThreads: Infinity, progressDuringAction: 0, workInFlight: 0 };
}

/**
 * An update action that records in `check` what it sees: `progress` counts the program's work,
 * `inFlight` says whether some of it has begun and not finished.
 */
export function checkingAction(check: ActionCheck, progress: () => number, inFlight: () => boolean = () => false): () => Promise<void> {
  return async () => {
    const before = progress();
    if (inFlight()) check.workInFlight++;
    check.fewestLiveThreads = Math.min(check.fewestLiveThreads, liveThreads());
    if (everyThreadIdle()) check.idleAtOnce++;
    if (await holdsWithin(everyThreadIdle, 50)) check.idle++;
    await delay(1);
    if (progress() !== before) check.progressDuringAction++;
  };
}

/** The busy count of each of `ids`, in order (undefined: that thread has not loaded the runtime). */
export function busyOf(ids: readonly number[]): Array<number | undefined> {
  const all = threads();
  return ids.map((id) => all.find((thread) => thread.thread === id && thread.alive)?.busy);
}

/** How often each value occurs: { "0": 2000 } for 2000 zeros. */
export function histogram(counts: Iterable<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of counts) out[n] = (out[n] ?? 0) + 1;
  return out;
}

export function tally(outcomes: Record<string, number>, outcome: string): void {
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}

export function median(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function print(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
