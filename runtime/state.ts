import { getEnvironmentData, setEnvironmentData, threadId } from 'node:worker_threads';
import type { Strand } from './strand';

/** Thrown into a strand to bring it back to its update point; never seen by user code. */
export class StrandInterrupt extends Error {
  constructor() {
    super('quiesce: strand interrupted for an update (this error is internal and should never escape)');
    this.name = 'StrandInterrupt';
  }
}

/**
 * The control block: one SharedArrayBuffer for the whole process, seen by every thread that loads
 * the runtime (handed to workers through worker_threads environment data, so a worker has it
 * synchronously from its first line). Int32 words:
 */
export const FLAG = 0; //        !== 0 while an update is pending: what every update point reads
export const EPOCH = 1; //       bumped when an update ends: parked threads wait on it
export const WAKE = 2; //        bumped by a thread that became quiescent during an update: the coordinator waits on it
export const SLOT_COUNT = 3; //  thread slots handed out
export const ARENA_TOP = 4; //   words of the arena handed out (shared primitives live there)
export const SLOT_BASE = 16;
export const SLOT_SIZE = 4;
/** Per thread: threadId + 1 (0: free), counted strands busy, alive (1) or gone (0), the word it sleeps on (0: none). */
export const SLOT_THREAD = 0;
export const SLOT_BUSY = 1;
export const SLOT_ALIVE = 2;
export const SLOT_SLEEPING_ON = 3;
export const MAX_THREADS = 1024;
export const ARENA_BASE = SLOT_BASE + MAX_THREADS * SLOT_SIZE;
export const ARENA_WORDS = 1 << 16;
const CONTROL_WORDS = ARENA_BASE + ARENA_WORDS;

/** The update in progress, on the coordinating thread: set from the request until the strands are released. */
export interface UpdateInProgress {
  readonly requestedAt: number;
  /** When the first strand was parked or counted quiescent. */
  firstQuiescentAt: number | undefined;
  /** Called whenever this thread's busy count drops to 0 while this update is pending. */
  readonly onQuiescent: () => void;
  /** Resolves when parked strands may go on. */
  readonly release: Promise<void>;
}

/** An interruptible wait in progress: removed as soon as its operation settles or it is interrupted. */
export interface Waiter {
  readonly strand: Strand;
  readonly name: string;
  readonly op: Promise<unknown>;
  readonly reject: (reason: unknown) => void;
}

export interface RuntimeState {
  /** The whole control block. */
  readonly control: Int32Array;
  /** control[FLAG] as a one-word view: `flag[0]` is the one thing an update point reads. */
  readonly flag: Int32Array;
  /** This thread's slot in the control block. */
  readonly slot: Int32Array;
  /** slot[SLOT_BUSY] as a one-word view: counted strands neither parked nor in a quiescent wait. */
  readonly busy: Int32Array;
  readonly live: Set<Strand>;
  /**
   * Strands of generators, held weakly: a generator dropped mid-loop never runs its `finally`,
   * so its strand never leaves; it goes when the generator is collected.
   */
  readonly generators: Set<WeakRef<Strand>>;
  /** On the coordinating thread, the update in progress. */
  update: UpdateInProgress | undefined;
  readonly waiters: Set<Waiter>;
  /** The innermost synchronous strand running on this thread (synchronous code cannot interleave). */
  syncStrand: Strand | undefined;
  readonly interrupt: StrandInterrupt;
  readonly threadId: number;
  /** Whether this thread created the control block: it coordinates updates; other threads park. */
  readonly coordinator: boolean;
}

/**
 * One runtime per thread, even if two copies of the package are loaded: emitted code and
 * hand-written calls must agree on the flag, the strands and the interrupt object.
 */
const KEY = Symbol.for('quiesce.runtime.state');
const CONTROL_KEY = 'quiesce.control';

function controlBlock(): { control: Int32Array; coordinator: boolean } {
  const inherited = getEnvironmentData(CONTROL_KEY);
  if (inherited instanceof SharedArrayBuffer) return { control: new Int32Array(inherited), coordinator: false };
  // The first thread to load the runtime owns the block; threads it starts from now on inherit it.
  const buffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
  setEnvironmentData(CONTROL_KEY, buffer);
  return { control: new Int32Array(buffer), coordinator: true };
}

/** A free slot (one whose thread has ended) or a new one; returns its first word. */
function claimSlot(control: Int32Array): number {
  const claimed = Math.min(Atomics.load(control, SLOT_COUNT), MAX_THREADS);
  for (let i = 0; i < claimed; i++) {
    const base = SLOT_BASE + i * SLOT_SIZE;
    if (Atomics.compareExchange(control, base + SLOT_THREAD, 0, threadId + 1) === 0) return base;
  }
  const index = Atomics.add(control, SLOT_COUNT, 1);
  if (index >= MAX_THREADS) throw new Error(`quiesce: more than ${MAX_THREADS} threads use the runtime at once`);
  const base = SLOT_BASE + index * SLOT_SIZE;
  Atomics.store(control, base + SLOT_THREAD, threadId + 1);
  return base;
}

function createState(): RuntimeState {
  const { control, coordinator } = controlBlock();
  const base = claimSlot(control);
  const slot = control.subarray(base, base + SLOT_SIZE);
  Atomics.store(slot, SLOT_BUSY, 0);
  Atomics.store(slot, SLOT_SLEEPING_ON, 0);
  Atomics.store(slot, SLOT_ALIVE, 1);
  return {
    control,
    flag: control.subarray(FLAG, FLAG + 1),
    slot,
    busy: slot.subarray(SLOT_BUSY, SLOT_BUSY + 1),
    live: new Set(),
    generators: new Set(),
    update: undefined,
    waiters: new Set(),
    syncStrand: undefined,
    interrupt: new StrandInterrupt(),
    threadId,
    coordinator,
  };
}

export const state: RuntimeState = ((globalThis as Record<symbol, unknown>)[KEY] ??= createState()) as RuntimeState;
