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
 * The busy count the hooks' slow paths touch, fixed for the thread's life: each `state.x` compiles
 * to a read through ./state's CommonJS exports. The hooks read the flag as emitted code does, through
 * the global `__quiesceFlag` (runtime/index.ts says why).
 */
const { busy } = state;

/** What strands() reports: running its body, parked at its update point, or in a boundary or interruptible wait. */
export type StrandStatus = 'running' | 'parked' | 'quiet' | 'waiting';

export class Strand {
  /** In its body (or a boundary wait, see `boundary`), parked at its update point, or in an interruptible wait. */
  status: 'running' | 'parked' | 'waiting' = 'running';
  /** The boundary wait the strand is in, if any: it counts as quiescent there. */
  boundary: string | undefined = undefined;
  /** The interruptible wait the strand is in, if any. */
  at: string | undefined = undefined;
  /** A lexically nested event loop that is running inside this strand's body. */
  child: Strand | undefined = undefined;
  /** The outermost strand of the nest: the one counted (see markBusy). */
  readonly root: Strand;
  /** Whether this thread's busy count includes this strand (kept on roots only). */
  busy = false;
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
  ) {
    this.root = parent?.root ?? this;
  }
}

export function statusOf(strand: Strand): StrandStatus {
  return strand.status === 'running' && strand.boundary !== undefined ? 'quiet' : strand.status;
}

/**
 * Which strands hold up quiescence, counted per thread in its slot's busy word. A nest of strands
 * (a loop with a nested event loop running in its body) counts once, through its root: busy while
 * its innermost strand runs its body or is in an interruptible wait; not when it is parked or in a
 * boundary wait. The count is kept in two ways:
 * - on a worker, exactly, at every change, with atomic read-modify-writes: they order the count
 *   before the flag is read, so a request never counts a strand idle that has gone on running;
 * - on the coordinating thread, only while an update is pending. requestUpdate counts by looking at
 *   every strand when it raises the flag (countBusy: nothing else runs meanwhile), and the changes
 *   after that go through the hooks' slow paths. A boundary wait then costs two plain stores and
 *   two reads of the flag, no count.
 */
const markBusy: (strand: Strand) => void = state.coordinator ? markBusyHere : markBusyWorker;
const markIdle: (strand: Strand) => void = state.coordinator ? markIdleHere : markIdleWorker;

function markBusyHere(strand: Strand): void {
  const root = strand.root;
  if (state.update === undefined || !root.counted || root.busy) return;
  root.busy = true;
  busy[0]++;
}

function markIdleHere(strand: Strand): void {
  const root = strand.root;
  const update = state.update;
  if (update === undefined || !root.counted || !root.busy) return;
  root.busy = false;
  update.firstQuiescentAt ??= performance.now();
  if (--busy[0] === 0) update.onQuiescent();
}

function markBusyWorker(strand: Strand): void {
  const root = strand.root;
  if (!root.counted || root.busy) return;
  root.busy = true;
  Atomics.add(busy, 0, 1);
}

function markIdleWorker(strand: Strand): void {
  const root = strand.root;
  if (!root.counted || !root.busy) return;
  root.busy = false;
  if (Atomics.sub(busy, 0, 1) === 1 && __quiesceFlag[0] !== 0) wakeCoordinator();
}

/** Whether a strand with no nested loop running holds up quiescence: in its body or an interruptible wait. */
export function blocks(strand: Strand): boolean {
  const status = statusOf(strand);
  return status === 'running' || status === 'waiting';
}

/** Whether a nest of strands holds up quiescence now: as its innermost strand does. */
function holdsUp(root: Strand): boolean {
  let inner = root;
  while (inner.child !== undefined) inner = inner.child;
  return blocks(inner);
}

/**
 * On the coordinating thread, as it raises the flag: count its busy strands into its slot.
 * Returns whether some strand is quiescent already.
 */
export function countBusy(): boolean {
  let count = 0;
  let someQuiescent = false;
  for (const strand of state.live) {
    if (strand.parent !== undefined) continue;
    strand.busy = holdsUp(strand);
    if (strand.busy) count++;
    else someQuiescent = true;
  }
  Atomics.store(busy, 0, count);
  return someQuiescent;
}

/** This thread's busy strands now (on the coordinating thread the slot holds them only during an update). */
export function busyHere(): number {
  if (!state.coordinator || state.update !== undefined) return Atomics.load(busy, 0);
  let count = 0;
  for (const strand of state.live) if (strand.parent === undefined && holdsUp(strand)) count++;
  return count;
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
  else markBusy(strand);
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
  // A boundary wait whose operation rejected leaves the loop with the strand still in it.
  strand.boundary = undefined;
  if (strand.parent !== undefined) {
    strand.parent.child = undefined;
    // The parent goes on in its body.
    markBusy(strand);
    return;
  }
  markIdle(strand);
}

/** The update point, called only when the flag is set: park until the update is over. */
export async function point(strand: Strand): Promise<void> {
  if (state.coordinator) {
    const update = state.update;
    if (update === undefined) return;
    park(strand);
    await update.release;
    run(strand);
    return;
  }
  // A pending Atomics.waitAsync does not keep a thread alive; a parked strand must.
  let keepAlive: NodeJS.Timeout | undefined;
  for (;;) {
    let epoch = Atomics.load(state.control, EPOCH);
    if (Atomics.load(state.control, FLAG) === 0) break;
    park(strand);
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
    park(strand);
    do {
      Atomics.wait(state.control, EPOCH, epoch);
      epoch = Atomics.load(state.control, EPOCH);
    } while (Atomics.load(state.control, FLAG) !== 0);
    run(strand);
  }
}

function run(strand: Strand): void {
  strand.status = 'running';
  markBusy(strand);
}

function park(strand: Strand): void {
  strand.status = 'parked';
  markIdle(strand);
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
export const quiet: <T>(strand: Strand, name: string, op: T) => T = state.coordinator
  ? (strand, name, op) => {
      strand.boundary = name;
      if (__quiesceFlag[0] !== 0) markIdle(strand);
      return op;
    }
  : (strand, name, op) => {
      strand.boundary = name;
      markIdle(strand);
      return op;
    };

/**
 * The wait ended. Returns true when an update is pending: the caller then goes through its
 * update point before it touches the result. (On the coordinating thread the strand stays counted
 * quiescent until then: nothing runs in between.)
 */
export const resume: (strand: Strand) => boolean = state.coordinator
  ? (strand) => {
      strand.boundary = undefined;
      return __quiesceFlag[0] !== 0;
    }
  : (strand) => {
      strand.boundary = undefined;
      markBusy(strand);
      return __quiesceFlag[0] !== 0;
    };

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
  if (__quiesceFlag[0] !== 0) {
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
