// A pool worker: takes job ids off a shared queue, does the work, marks the job done.
import { workerData } from 'node:worker_threads';
import { SharedQueue } from 'quiesce';

const queue = SharedQueue.from(workerData.queue);
const done = new Int32Array(workerData.done as SharedArrayBuffer);

function work(job: number): number {
  let x = job;
  for (let i = 0; i < 200; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

// The pop takes nothing when it is interrupted, so the iteration restarts cleanly:
// @quiescent
while (true) {
  const job = queue.pop();
  if (job < 0) break;
  work(job);
  Atomics.add(done, job, 1);
  Atomics.add(done, done.length - 1, 1);
}
