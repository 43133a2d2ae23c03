// A worker of workers-quiescence.ts: takes job ids off a shared queue and works on each.
import { workerData } from 'node:worker_threads';
import { SharedQueue } from 'quiesce';

const queue = SharedQueue.from(workerData.queue);
const processed = new Int32Array(workerData.processed as SharedArrayBuffer);

function work(job: number): number {
  let x = job;
  for (let i = 0; i < 200; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

// The pop takes nothing when an update interrupts it, so the iteration may restart:
// @quiescent
while (true) {
  const job = queue.pop();
  if (job < 0) break;
  work(job);
  Atomics.add(processed, 0, 1);
}
