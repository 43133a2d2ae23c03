// A pool worker: takes job ids off a shared queue, does the work, marks the job done.
import { workerData } from 'node:worker_threads';
import { SharedQueue } from 'quiesce';

const queue = SharedQueue.from(workerData.queue);
/** done[job]: how often each job was processed. */
const done = new Int32Array(workerData.done as SharedArrayBuffer);
/** Jobs begun, jobs finished, by all workers. */
const counts = new Int32Array(workerData.counts as SharedArrayBuffer);
const BEGUN = 0;
const FINISHED = 1;

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
  Atomics.add(counts, BEGUN, 1);
  work(job);
  Atomics.add(done, job, 1);
  Atomics.add(counts, FINISHED, 1);
}
