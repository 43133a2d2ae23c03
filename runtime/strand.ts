/**
 * Strands and the hooks that instrumented loops call. The transform emits, per event-processing loop:
 *
 *   const s = enter(name, parent);             // strand begins
 *   try { for (;;) { if (flag[0]) await point(s); loop: { if (flag[0]) break; …body… } } } finally { leave(s); }
 *
 * and, per blocking wait in the body, `quiet`/`resume` (a wait at a loop boundary, counted as
 * quiescent while pending) or `wait` (any other wait: interrupted on request, its operation kept).
 * (transformer/instrument.ts explains the loop's shape.) With no update pending every hook is a
 * few property writes; none adds an `await`.
 */
import { performance } from 'node:perf_hooks';
import { EPOCH, FLAG, WAKE, state, type Waiter } from './state';

/**
 * The two views the hooks touch on every wait, fixed for the thread's life. Held here because each
 * `state.x` compiles to a read through ./state's CommonJS exports: ~5 ns more per quiet/resume pair.
 */
const { busy, flag } = state;

export type StrandStatus = 'running' | 'parked' | 'quiet' | 'waiting';

export class Strand {
  status: StrandStatus = 'running';
  /** The named wait the strand is in, if any. */
  at: string | undefined = undefined;
  /** A lexically nested event loop that is running inside this strand's body. */
  child: Strand | undefined = undefined;
  /** Operations of interrupted waits, handed back when the strand reaches the same wait again. */
  kept: Map<string, Promise<unknown>> | undefined = undefined;
  /** A synchronous strand whose loop restarts on an interrupt (an annotated loop): blocking shared primitives may interrupt it. */
  restartable = false;
  /** The synchronous strand this one runs inside, restored when it leaves. */
  outerSync: Strand | undefined = undefined;
  /** How the registry holds a generator's strand (see RuntimeState.generators). */
  ref: WeakRef<Strand> | undefined = undefined;

  constructor(
    readonly name: string,
    readonly parent: Strand | undefined,
    /** Strands of generators run only when their consumer pulls; they never hold up quiescence. */
    readonly counted: boolean,
  ) {}
}

const collected = new FinalizationRegistry<WeakRef<Strand>>((ref) => state.generators.delete(ref));

/** Every live strand of this thread. */
export function* liveStrands(): Generator<Strand> {
  yield* state.live;
  for (const ref of state.generators) {
    const strand = ref.deref();
    if (strand !== undefined) yield strand;
  }
}

/** A strand begins: execution entered an event-processing loop. */
export function enter(name: string, parent?: Strand, counted = true, restartable = false): Strand {
  // A nested loop's strand stands for its parent while it runs: the parent is busy exactly when it is.
  const strand = new Strand(name, parent, parent === undefined ? counted : parent.counted);
  if (strand.counted) state.live.add(strand);
  else {
    strand.ref = new WeakRef(strand);
    state.generators.add(strand.ref);
    collected.register(strand, strand.ref);
  }
  if (parent !== undefined) parent.child = strand;
  else if (strand.counted) busyUp();
  if (restartable) {
    strand.restartable = true;
    strand.outerSync = state.syncStrand;
    state.syncStrand = strand;
  }
  return strand;
}

/** A strand ends: the loop was left by break, return or throw. */
export function leave(strand: Strand): void {
  if (strand.ref === undefined) state.live.delete(strand);
  else {
    state.generators.delete(strand.ref);
    collected.unregister(strand);
  }
  if (strand.restartable) state.syncStrand = strand.outerSync;
  // A boundary wait whose operation rejected leaves the strand counted as quiet: count it busy again.
  if (strand.status === 'quiet') resume(strand);
  if (strand.parent !== undefined) {
    strand.parent.child = undefined;
    return;
  }
  if (strand.counted) becameIdle();
}

/** The update point, called only when the flag is set: park until the update is over. */
export async function point(strand: Strand): Promise<void> {
  if (state.coordinator) {
    const update = state.update;
    if (update === undefined) return;
    pause(strand, 'parked');
    await update.release;
    run(strand);
    return;
  }
  // A pending Atomics.waitAsync does not keep a thread alive; a parked strand must.
  let keepAlive: NodeJS.Timeout | undefined;
  for (;;) {
    let epoch = Atomics.load(state.control, EPOCH);
    if (Atomics.load(state.control, FLAG) === 0) break;
    pause(strand, 'parked');
    keepAlive ??= setInterval(() => {}, 1 << 30);
    // Woken after the next update has begun: stay parked (counted idle) through it as well.
    do {
      const waiting = Atomics.waitAsync(state.control, EPOCH, epoch);
      if (waiting.async) await waiting.value;
      epoch = Atomics.load(state.control, EPOCH);
    } while (Atomics.load(state.control, FLAG) !== 0);
    // Counted busy again before looking at the flag: a new update either sees us busy or we see it.
    run(strand);
  }
  clearInterval(keepAlive);
}

/**
 * The update point of a synchronous loop. A worker's thread parks right here (Atomics.wait); on
 * the coordinating thread nothing else could run meanwhile, so the update waits for the loop instead.
 */
export function pointSync(strand: Strand): void {
  if (state.coordinator) return;
  for (;;) {
    let epoch = Atomics.load(state.control, EPOCH);
    if (Atomics.load(state.control, FLAG) === 0) return;
    pause(strand, 'parked');
    do {
      Atomics.wait(state.control, EPOCH, epoch);
      epoch = Atomics.load(state.control, EPOCH);
    } while (Atomics.load(state.control, FLAG) !== 0);
    run(strand);
  }
}

function run(strand: Strand): void {
  strand.status = 'running';
  if (strand.counted) busyUp();
}

function pause(strand: Strand, status: 'parked' | 'quiet'): void {
  strand.status = status;
  if (strand.counted) becameIdle();
}

/**
 * On a worker the count changes with atomic read-modify-writes: they order it before the flag is
 * read, so a request never counts a strand idle that has gone on running (the coordinating thread
 * changes it only between its own tasks and needs no fence).
 */
const busyUp: () => void = state.coordinator ? () => void busy[0]++ : () => void Atomics.add(busy, 0, 1);
const busyDown: () => number = state.coordinator ? () => --busy[0] : () => Atomics.sub(busy, 0, 1) - 1;

function becameIdle(): void {
  const stillBusy = busyDown();
  if (flag[0] === 0) return;
  const update = state.update;
  if (update !== undefined) {
    if (update.firstQuiescentAt === undefined) update.firstQuiescentAt = performance.now();
    if (stillBusy === 0) update.onQuiescent();
  } else if (stillBusy === 0 && !state.coordinator) wakeCoordinator();
}

/** Tell the coordinating thread to count again: this thread has nothing busy. */
export function wakeCoordinator(): void {
  Atomics.add(state.control, WAKE, 1);
  Atomics.notify(state.control, WAKE);
}

/**
 * A wait at a loop boundary begins: nothing of the iteration is in flight, so the strand counts as
 * quiescent while `op` is pending and needs no wake-up. Returns `op` unchanged (no extra tick).
 */
export function quiet<T>(strand: Strand, name: string, op: T): T {
  strand.at = name;
  pause(strand, 'quiet');
  return op;
}

/**
 * The wait ended. Returns true when an update is pending: the caller then goes through its
 * update point before it touches the result.
 */
export function resume(strand: Strand): boolean {
  strand.at = undefined;
  run(strand);
  return flag[0] !== 0;
}

/**
 * Any other blocking wait: interrupted when an update is requested, with its operation kept and
 * handed back when the strand comes to the same wait again, so nothing it was waiting for is lost.
 * `start` begins the operation; it is not called again for a kept one.
 */
export function wait<T>(strand: Strand, name: string, start: () => T): Promise<Awaited<T>> {
  const kept = strand.kept?.get(name);
  let op: Promise<Awaited<T>>;
  if (kept !== undefined) {
    strand.kept!.delete(name);
    op = kept as Promise<Awaited<T>>;
  } else {
    op = Promise.resolve(start());
  }
  if (flag[0] !== 0) {
    keep(strand, name, op);
    throw state.interrupt;
  }
  strand.status = 'waiting';
  strand.at = name;
  return new Promise<Awaited<T>>((resolve, reject) => {
    const waiter: Waiter = { strand, name, op, reject };
    state.waiters.add(waiter);
    op.then(
      (value) => {
        if (!endWait(waiter)) return;
        resolve(value);
      },
      (error: unknown) => {
        if (!endWait(waiter)) return;
        reject(error);
      },
    );
  });
}

function endWait(waiter: Waiter): boolean {
  if (!state.waiters.delete(waiter)) return false;
  waiter.strand.status = 'running';
  waiter.strand.at = undefined;
  return true;
}

function keep(strand: Strand, name: string, op: Promise<unknown>): void {
  (strand.kept ??= new Map()).set(name, op);
}

/** Interrupt every interruptible wait in progress: each strand unwinds to its update point. */
export function interruptWaiters(): void {
  for (const waiter of state.waiters) {
    endWait(waiter);
    keep(waiter.strand, waiter.name, waiter.op);
    waiter.reject(state.interrupt);
  }
}

/** The object the transform's unwinding catch compares against. */
export const INTERRUPT = state.interrupt;
