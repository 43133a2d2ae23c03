// A compute worker: crunches numbers in a synchronous loop until told to stop. It never waits, so
// its update point is the only place an update can find it: the thread parks there (Atomics.wait).
import { workerData } from 'node:worker_threads';

/** Per worker: crunches begun, crunches finished. */
const progress = new Int32Array(workerData.progress as SharedArrayBuffer);
const stop = new Int32Array(workerData.stop as SharedArrayBuffer);
const index = workerData.index as number;

function crunch(seed: number): number {
  let x = seed;
  for (let i = 0; i < 2000; i++) x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) | 0;
  return x;
}

let x = index;
while (true) {
  Atomics.add(progress, 2 * index, 1);
  x = crunch(x);
  Atomics.add(progress, 2 * index + 1, 1);
  if (Atomics.load(stop, 0) !== 0) break;
}
