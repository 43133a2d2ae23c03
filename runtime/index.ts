/**
 * quiesce's runtime. The first group is what applications call; the second is what the transform
 * emits into instrumented loops (stable, but not meant to be written by hand).
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

export { Strand, enter, leave, point, pointSync, quiet, resume, wait, INTERRUPT } from './strand';
export type { StrandStatus } from './strand';
export { asyncIterator, step, iteratorDone, returnMethod, checkReturnResult } from './iteration';
import { state } from './state';
import { installThreads } from './threads';

installThreads();
/** The update-pending flag every update point reads. */
export const flag = state.flag;
