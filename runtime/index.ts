/**
 * quiesce's runtime: what applications call, and (`hooks`) what the transform emits into
 * instrumented loops (stable, but not meant to be written by hand).
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

declare global {
  /**
   * The update-pending flag (this thread's view of FLAG) as a global constant, read by every emitted
   * update point as `__quiesceFlag[0]`. V8 compiles a read of a global that is never reassigned,
   * with the typed array's data pointer, into the loop as one load and compare; a module-level
   * constant costs a map check, pointer loads and a bounds check per iteration, and a check that
   * it is initialised, whose throw stops V8 from peeling a long-running loop's first iteration.
   */
  const __quiesceFlag: Int32Array;
}
// Each thread has its own global object; a second copy of the runtime finds it defined already.
if (!Object.prototype.hasOwnProperty.call(globalThis, '__quiesceFlag')) {
  Object.defineProperty(globalThis, '__quiesceFlag', { value: state.flag, writable: false, enumerable: false, configurable: false });
}

/**
 * What instrumented code calls, as one plain object that the transform keeps in a module-level
 * constant (`const __quiesce = require('quiesce').hooks`). Update points read `__quiesceFlag`.
 */
export const hooks = {
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
};
