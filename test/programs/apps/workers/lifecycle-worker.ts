// Workers that start or end while an update is pending (lifecycle.ts). `workerData.role` says which.
import { workerData } from 'node:worker_threads';
import { sleep } from 'quiesce';

/** Word 0: iterations run; word 1: set once the strand is in the middle of its work; word 2: stop. */
const shared = new Int32Array(workerData.shared as SharedArrayBuffer);
const RAN = 0;
const WORKING = 1;
const STOP = 2;
const WORK_MS = 100;

function work(ms: number): void {
  Atomics.store(shared, WORKING, 1);
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/** Ticks until told to stop. */
async function ticker(): Promise<void> {
  while (true) {
    Atomics.add(shared, RAN, 1);
    if (Atomics.load(shared, STOP) !== 0) break;
    await sleep(1);
  }
}

/** One long iteration, then the loop is left and the worker returns. */
function returns(): void {
  while (true) {
    Atomics.add(shared, RAN, 1);
    work(WORK_MS);
    break;
  }
}

/** Exits in the middle of an iteration: its strand never leaves, only the thread's end says it is gone. */
function exits(): void {
  while (true) {
    Atomics.add(shared, RAN, 1);
    work(WORK_MS);
    process.exit(0);
  }
}

/** Blocks in an Atomics.wait nothing wakes, in the middle of an iteration, until it is terminated. */
function blocks(): void {
  while (true) {
    Atomics.add(shared, RAN, 1);
    Atomics.store(shared, WORKING, 1);
    Atomics.wait(shared, STOP, 0);
  }
}

const roles: Record<string, () => unknown> = { ticker, returns, exits, blocks };
void roles[workerData.role as string]();
