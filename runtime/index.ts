/**
 * quiesce's runtime: what applications call, and (the global `__quiesce`, below) what the
 * transform emits into instrumented loops.
 */
export { requestUpdate, updatePending } from './coordinator';
export type { UpdateAction, UpdateOptions, UpdateResult, UpdateTimings } from './coordinator';
export { strands, blockers } from './inspect';
export type { StrandInfo } from './inspect';
export { sleep } from './primitives/sleep';
export { Mutex } from './primitives/mutex';
export { Condition } from './primitives/condition';
export { Queue, QueueClosedError } from './primitives/queue';
export { once, on } from './primitives/events';
export { SharedMutex, SharedCondition, SharedQueue } from './primitives/shared';
export type { SharedHandle } from './primitives/shared';
export { threads, strandsEverywhere, blockersEverywhere } from './threads';
export { moduleUpdate } from './reload';
export type { ModuleUpdate } from './reload';
export type { ThreadInfo } from './threads';

export type { Strand, StrandStatus } from './strand';
import { asyncIterator, checkReturnResult, iteratorDone, returnMethod, step } from './iteration';
import { state } from './state';
import { INTERRUPT, enter, leave, point, pointSync, quiet, resume, wait } from './strand';
import { installThreads } from './threads';

installThreads();

/** What instrumented code calls (stable, but not meant to be written by hand). */
const hooks = Object.freeze({
  enter,
  leave,
  point,
  pointSync,
  quiet,
  resume,
  wait,
  INTERRUPT,
  asyncIterator,
  step,
  iteratorDone,
  returnMethod,
  checkReturnResult,
});
export type Hooks = typeof hooks;

/*
 * What emitted code reads, as global constants of each thread: V8 compiles a read of a global that
 * is never reassigned into the code as the value itself. A module-level constant costs a context
 * load per use, and a map check per hook call; in an async loop, which reloads its context at every
 * resumption, that was about 11 instructions per hook call (cachegrind). The module itself only
 * has to be loaded: the transform emits `import "quiesce"`.
 */
declare global {
  /**
   * The update-pending flag (this thread's view of FLAG), read by every update point as
   * `__quiesceFlag[0]`: one load and compare in the loop, with the typed array's data pointer
   * embedded. A module-level constant also costs a map check, a bounds check, and a check that it
   * is initialised, whose throw stops V8 from peeling a long-running loop's first iteration.
   */
  const __quiesceFlag: Int32Array;
  /**
   * The flag as a synchronous update point reads it. On a worker it is `__quiesceFlag`. On the
   * coordinating thread it is a frozen `[0]`, which V8 folds away: while a synchronous loop runs
   * there, nothing else on the thread can, so its update point has nothing to wait for (pointSync
   * returns at once) and its check cost 1-5 % of a 3 ns loop body.
   */
  const __quiesceSyncFlag: { readonly [index: number]: number };
  /** The hooks: a frozen object, so that V8 embeds each hook function too. */
  const __quiesce: Hooks;
}
// Each thread has its own global object; a second copy of the runtime finds them defined already.
if (!Object.prototype.hasOwnProperty.call(globalThis, '__quiesceFlag')) {
  const syncFlag = state.coordinator ? Object.freeze([0]) : state.flag;
  for (const [name, value] of [['__quiesceFlag', state.flag], ['__quiesceSyncFlag', syncFlag], ['__quiesce', hooks]] as const) {
    Object.defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false });
  }
}
