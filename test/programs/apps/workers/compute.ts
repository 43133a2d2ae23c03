/**
 * Compute loops in workers (compute-worker.ts) and updates requested while they crunch. Prints one
 * JSON line. `node compute.js <updates>`: each action checks that every live thread's busy count is
 * 0 and that no worker crunches while it runs; the next update waits until every worker crunched again.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { requestUpdate } from 'quiesce';
import { busyOf, checkingAction, median, newCheck, print, tally, until } from './common';

const WORKERS = 2;

async function main(): Promise<void> {
  const updates = Number(process.argv[2] ?? 100);
  /** Per worker: crunches begun, crunches finished (compute-worker.ts). */
  const progress = new Int32Array(new SharedArrayBuffer(2 * WORKERS * 4));
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: WORKERS },
    (_, index) => new Worker(path.join(__dirname, 'compute-worker.js'), { workerData: { progress: progress.buffer, stop: stop.buffer, index } }),
  );
  const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  const workerThreads = workers.map((worker) => worker.threadId);
  const finished = (w: number): number => Atomics.load(progress, 2 * w + 1);
  const crunched = (): number => workers.reduce((sum, _, w) => sum + finished(w), 0);
  const crunching = (): boolean => workers.some((_, w) => Atomics.load(progress, 2 * w) !== finished(w));
  await until('every worker to crunch', () => workers.every((_, w) => finished(w) > 0));
  // While they crunch, each worker's strand is busy.
  const busyWhileCrunching = busyOf(workerThreads);

  const check = newCheck();
  const outcomes: Record<string, number> = {};
  const toQuiescenceMs: number[] = [];
  let last = workers.map((_, w) => finished(w));
  for (let i = 0; i < updates; i++) {
    // Each update is requested while the workers crunch: after every one crunched since the one before.
    await until('every worker to crunch between updates', () => last.every((n, w) => finished(w) !== n));
    const result = await requestUpdate(checkingAction(check, crunched, crunching), { timeoutMs: 1000 });
    last = workers.map((_, w) => finished(w));
    tally(outcomes, result.outcome);
    if (result.timings.toQuiescenceMs !== undefined) toQuiescenceMs.push(result.timings.toQuiescenceMs);
  }
  Atomics.store(stop, 0, 1);
  await exited;
  print({ workerThreads, busyWhileCrunching, outcomes, ...check, medianToQuiescenceMs: median(toQuiescenceMs) });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
