/**
 * quiesce's runtime. The first group is what applications call; the second is what the transform
 * emits into instrumented loops (stable, but not meant to be written by hand).
 */
export { requestUpdate, updatePending, strands, blockers } from './coordinator';
export type { UpdateAction, UpdateOptions, UpdateResult, UpdateTimings, StrandInfo } from './coordinator';
export { sleep } from './primitives/sleep';
export { Mutex } from './primitives/mutex';
export { Condition } from './primitives/condition';
export { Queue, QueueClosedError } from './primitives/queue';
export { once, on } from './primitives/events';

export { Strand, enter, leave, point, pointSync, quiet, resume, wait, INTERRUPT } from './strand';
export type { StrandStatus } from './strand';
export { asyncIterator, step, iteratorDone, returnMethod, checkReturnResult } from './iteration';
import { state } from './state';
/** The update-pending flag every update point reads. */
export const flag = state.flag;
