/**
 * The seed's deadlock in shared memory (deadlock-worker.ts): worker 1 holds a SharedMutex across
 * its update point, worker 2 blocks in lock(). Prints one JSON line.
 * `node deadlock.js <annotatedLocker|locker> <updates> <timeoutMs>`: with the locker's loop
 * annotated `// @quiescent` its lock() is interrupted and it parks; unannotated it sleeps on.
 * Afterwards the holder lets go, and the locker must get the lock and stop.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SharedMutex, requestUpdate, type UpdateResult } from 'quiesce';
import { busyOf, checkingAction, delay, newCheck, print, tally, until } from './common';

const HOLDER_RAN = 0;
const LOCKER_RAN = 1;
const HELD = 2;
const STOP = 3;

async function main(): Promise<void> {
  const [lockerRole, updatesArg, timeoutArg] = process.argv.slice(2);
  const updates = Number(updatesArg);
  const timeoutMs = Number(timeoutArg);
  const mutex = new SharedMutex();
  const shared = new Int32Array(new SharedArrayBuffer(4 * 4));
  const start = (role: string): Worker =>
    new Worker(path.join(__dirname, 'deadlock-worker.js'), { workerData: { role, mutex: mutex.handle, shared: shared.buffer } });
  const holder = start('holder');
  await until('the holder to take the lock', () => Atomics.load(shared, HELD) === 1);
  const locker = start(lockerRole);
  const workers = [holder, locker];
  const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  const workerThreads = workers.map((worker) => worker.threadId);
  await until("the locker's strand to begin", () => busyOf([locker.threadId])[0] === 1);
  // Long enough for the locker to go to sleep in lock().
  await delay(20);

  const check = newCheck();
  const outcomes: Record<string, number> = {};
  let calledOff: Extract<UpdateResult, { outcome: 'called-off' }> | undefined;
  const ran = (): number => Atomics.load(shared, HOLDER_RAN) + Atomics.load(shared, LOCKER_RAN);
  for (let i = 0; i < updates; i++) {
    const result = await requestUpdate(checkingAction(check, ran), { timeoutMs });
    tally(outcomes, result.outcome);
    if (result.outcome === 'called-off') calledOff ??= result;
    await delay(2);
  }
  const lockerRanBeforeStop = Atomics.load(shared, LOCKER_RAN);
  Atomics.store(shared, STOP, 1);
  Atomics.notify(shared, STOP);
  await exited;
  print({
    workerThreads,
    outcomes,
    ...check,
    blockers: calledOff?.blockers ?? [],
    lockerRanBeforeStop,
    lockerRan: Atomics.load(shared, LOCKER_RAN),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
