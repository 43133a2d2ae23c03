import { threadId } from 'node:worker_threads';
import type { Strand } from './strand';

/** Thrown into a strand to bring it back to its update point; never seen by user code. */
export class StrandInterrupt extends Error {
  constructor() {
    super('quiesce: strand interrupted for an update (this error is internal and should never escape)');
    this.name = 'StrandInterrupt';
  }
}

/** The update in progress: set from the request until the strands are released. */
export interface UpdateInProgress {
  readonly requestedAt: number;
  /** When the first strand was parked or counted quiescent. */
  firstQuiescentAt: number | undefined;
  /** Called whenever `busy` drops to 0 while this update is pending. */
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
  /** [0] !== 0 while an update is pending: the one thing an update point reads. */
  readonly flag: Int32Array;
  readonly live: Set<Strand>;
  /**
   * Strands of generators, held weakly: a generator dropped mid-loop never runs its `finally`,
   * so its strand never leaves; it goes when the generator is collected.
   */
  readonly generators: Set<WeakRef<Strand>>;
  /** Counted strands that are neither parked nor in a quiescent wait. Full quiescence is busy === 0. */
  busy: number;
  update: UpdateInProgress | undefined;
  readonly waiters: Set<Waiter>;
  readonly interrupt: StrandInterrupt;
  readonly threadId: number;
}

/**
 * One runtime per thread, even if two copies of the package are loaded: emitted code and
 * hand-written calls must agree on the flag, the strands and the interrupt object.
 */
const KEY = Symbol.for('quiesce.runtime.state');

function createState(): RuntimeState {
  return {
    flag: new Int32Array(new SharedArrayBuffer(4)),
    live: new Set(),
    generators: new Set(),
    busy: 0,
    update: undefined,
    waiters: new Set(),
    interrupt: new StrandInterrupt(),
    threadId,
  };
}

export const state: RuntimeState = ((globalThis as Record<symbol, unknown>)[KEY] ??= createState()) as RuntimeState;
