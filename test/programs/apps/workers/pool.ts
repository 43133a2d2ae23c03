// A pool of 4 workers fed by a shared-memory queue, with updates requested while jobs flow.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SharedQueue, requestUpdate, threads } from 'quiesce';

async function main(): Promise<void> {
  const jobs = Number(process.argv[2] ?? 20000);
  const updates = Number(process.argv[3] ?? 500);
  const queue = new SharedQueue(64);
  // done[job] counts how often each job was processed; done[jobs] how many jobs were, in all.
  const done = new Int32Array(new SharedArrayBuffer((jobs + 1) * 4));
  const workers = Array.from({ length: 4 }, () => new Worker(path.join(__dirname, 'pool-worker.js'), { workerData: { queue: queue.handle, done: done.buffer } }));
  const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
  let fed = 0;
  const feeding = (async () => {
    while (fed < jobs) await queue.pushAsync(fed++);
  })();
  const outcomes: Record<string, number> = {};
  const ttq: number[] = [];
  let parkedEverywhere = 0;
  let ranDuringAction = 0;
  for (let i = 0; i < updates; i++) {
    const result = await requestUpdate(async () => {
      if (threads().every((t) => !t.alive || t.busy === 0)) parkedEverywhere++;
      // No worker may process a job while the action runs.
      const before = Atomics.load(done, jobs);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (Atomics.load(done, jobs) !== before) ranDuringAction++;
    }, { timeoutMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 1));
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    if (result.timings.toQuiescenceMs !== undefined) ttq.push(result.timings.toQuiescenceMs);
  }
  await feeding;
  for (let i = 0; i < 4; i++) await queue.pushAsync(-1);
  await Promise.all(exited);
  ttq.sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const n of done.subarray(0, jobs)) counts.set(n, (counts.get(n) ?? 0) + 1);
  console.log(JSON.stringify({ outcomes, parkedEverywhere, ranDuringAction, medianTtq: ttq[ttq.length >> 1], done: Object.fromEntries(counts), fed }));
}

void main();
