// The seed's deadlock in shared memory (deadlock.ts): one worker holds a SharedMutex across its
// update point, another blocks in lock(). `workerData.role` says which this is.
import { workerData } from 'node:worker_threads';
import { SharedMutex } from 'quiesce';

const mutex = SharedMutex.from(workerData.mutex);
/** Word 0: the holder's iterations; word 1: the locker's; word 2: set once the holder has the lock; word 3: stop. */
const shared = new Int32Array(workerData.shared as SharedArrayBuffer);
const HOLDER_RAN = 0;
const LOCKER_RAN = 1;
const HELD = 2;
const STOP = 3;

/** Takes the lock once and ticks with it held, across its update point, until told to stop. */
function holder(): void {
  mutex.lock();
  Atomics.store(shared, HELD, 1);
  while (true) {
    Atomics.add(shared, HOLDER_RAN, 1);
    if (Atomics.load(shared, STOP) !== 0) break;
    Atomics.wait(shared, STOP, 0, 1);
  }
  mutex.unlock();
}

/** Annotated: lock() takes nothing when an update interrupts it, so the iteration may restart. */
function annotatedLocker(): void {
  // @quiescent
  while (true) {
    mutex.lock();
    const stop = Atomics.load(shared, STOP) !== 0;
    Atomics.add(shared, LOCKER_RAN, 1);
    mutex.unlock();
    if (stop) break;
  }
}

/** The same loop unannotated: woken by an update, lock() sleeps on. */
function locker(): void {
  while (true) {
    mutex.lock();
    const stop = Atomics.load(shared, STOP) !== 0;
    Atomics.add(shared, LOCKER_RAN, 1);
    mutex.unlock();
    if (stop) break;
  }
}

const roles: Record<string, () => void> = { holder, annotatedLocker, locker };
roles[workerData.role as string]();
