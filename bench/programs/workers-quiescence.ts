/**
 * Time to quiescence across worker threads. `node workers-quiescence.js <idle|load> <workers>
 * <updates> <spacingMs>` starts that many workers (workers-consumer.ts) on one shared queue, either
 * left empty (every worker asleep in pop(), woken by each request) or fed as fast as they take jobs,
 * then requests updates with an empty action, `spacingMs` apart, and prints their timings as JSON.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SharedQueue, requestUpdate, threads } from 'quiesce';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const [mode, workersArg, updatesArg, spacingArg] = process.argv.slice(2);
  const count = Number(workersArg);
  const updates = Number(updatesArg);
  const spacingMs = Number(spacingArg);
  if (!['idle', 'load'].includes(mode) || !(count > 0 && updates > 0 && spacingMs >= 0)) {
    throw new Error('usage: workers-quiescence.js <idle|load> <workers> <updates> <spacingMs>');
  }
  const queue = new SharedQueue(64);
  const processed = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: count },
    () => new Worker(path.join(__dirname, 'workers-consumer.js'), { workerData: { queue: queue.handle, processed: processed.buffer } }),
  );
  const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  const ids = new Set(workers.map((worker) => worker.threadId));
  // Every worker's strand has begun once its thread counts one busy strand.
  while (threads().filter((thread) => ids.has(thread.thread) && thread.busy === 1).length < count) await delay(1);

  let feeding = mode === 'load';
  let fed = 0;
  // No event loop (no update point): it feeds on while an update is pending, as clients would.
  const feeder = (async () => {
    while (feeding) await queue.pushAsync(fed++ & 0x3fffffff);
  })();
  // Idle: long enough for every worker to fall asleep in pop(); load: for the jobs to flow.
  await delay(50);

  const timings: object[] = [];
  for (let i = 0; i < updates; i++) {
    await delay(spacingMs);
    const result = await requestUpdate(() => {}, { timeoutMs: 1000 });
    timings.push({ outcome: result.outcome, ...result.timings });
  }
  feeding = false;
  await feeder;
  for (let i = 0; i < count; i++) await queue.pushAsync(-1);
  await exited;
  process.stdout.write(`${JSON.stringify({ fed, processed: Atomics.load(processed, 0), timings })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
