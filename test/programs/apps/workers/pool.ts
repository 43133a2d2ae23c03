/**
 * A pool of 4 workers fed by a shared-memory queue (pool-worker.ts), with updates requested from
 * the main thread. Prints one JSON line.
 *
 * `node pool.js load <updates>`: jobs flow the whole time; every update action checks that every
 * live thread's busy count is 0 and that no job is processed while it runs.
 * `node pool.js idle <updates> <timeoutMs>`: the queue is empty, every worker asleep in pop();
 * then the pool is fed and must process every job, and an update after the workers exited must apply.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SharedQueue, requestUpdate, type UpdateResult } from 'quiesce';
import { busyOf, checkingAction, delay, histogram, liveThreads, median, newCheck, print, tally, until } from './common';

const WORKERS = 4;
/** Job ids are indices into `done`; the feeder wraps around when there are more jobs. */
const JOB_IDS = 1 << 20;
const BEGUN = 0;
const FINISHED = 1;

interface Pool {
  queue: SharedQueue;
  /** done[job]: how often each job was processed (pool-worker.ts). */
  done: Int32Array;
  /** Jobs begun, jobs finished, by all workers. */
  counts: Int32Array;
  workers: Worker[];
  exited: Promise<unknown[]>;
}

function startPool(): Pool {
  const queue = new SharedQueue(64);
  const done = new Int32Array(new SharedArrayBuffer(JOB_IDS * 4));
  const counts = new Int32Array(new SharedArrayBuffer(2 * 4));
  const workers = Array.from(
    { length: WORKERS },
    () => new Worker(path.join(__dirname, 'pool-worker.js'), { workerData: { queue: queue.handle, done: done.buffer, counts: counts.buffer } }),
  );
  const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  return { queue, done, counts, workers, exited };
}

const processed = (pool: Pool): number => Atomics.load(pool.counts, FINISHED);
const jobInFlight = (pool: Pool): boolean => Atomics.load(pool.counts, BEGUN) !== processed(pool);

/**
 * For each job id, how often it was processed minus how often it was fed, as a histogram:
 * `{ "0": ids }` when every job was processed exactly once.
 */
function processedMinusFed(pool: Pool, fed: number): Record<string, number> {
  const ids = Math.min(fed, JOB_IDS);
  const fedOf = (id: number): number => Math.floor(fed / JOB_IDS) + (id < fed % JOB_IDS ? 1 : 0);
  return histogram(Array.from({ length: ids }, (_, id) => pool.done[id] - fedOf(id)));
}

/** Until every worker's strand has begun: each thread's slot counts one busy strand. */
function strandsBegun(pool: Pool): Promise<void> {
  return until('every worker to begin its strand', () => busyOf(pool.workers.map((worker) => worker.threadId)).every((busy) => busy === 1));
}

async function stopPool(pool: Pool): Promise<void> {
  for (let i = 0; i < WORKERS; i++) await pool.queue.pushAsync(-1);
  await pool.exited;
}

async function underLoad(updates: number): Promise<void> {
  const pool = startPool();
  await strandsBegun(pool);
  let fed = 0;
  let feeding = true;
  // The feeder is no event loop (no update point): it goes on pushing while an update is pending,
  // as a client would, and blocks while the queue is full.
  const feeder = (async () => {
    while (feeding) await pool.queue.pushAsync(fed++ % JOB_IDS);
  })();
  const check = newCheck();
  const outcomes: Record<string, number> = {};
  const toQuiescenceMs: number[] = [];
  let last = processed(pool);
  for (let i = 0; i < updates; i++) {
    // Each update is requested under load: after jobs were processed since the one before.
    await until('jobs to be processed between updates', () => processed(pool) !== last);
    const result = await requestUpdate(checkingAction(check, () => processed(pool), () => jobInFlight(pool)), { timeoutMs: 1000 });
    last = processed(pool);
    tally(outcomes, result.outcome);
    if (result.timings.toQuiescenceMs !== undefined) toQuiescenceMs.push(result.timings.toQuiescenceMs);
  }
  feeding = false;
  await feeder;
  await until('every job fed to be processed', () => processed(pool) === fed);
  await stopPool(pool);
  print({
    workers: WORKERS,
    outcomes,
    ...check,
    medianToQuiescenceMs: median(toQuiescenceMs),
    fed,
    processed: processed(pool),
    perJob: processedMinusFed(pool, fed),
  });
}

async function idle(updates: number, timeoutMs: number): Promise<void> {
  const pool = startPool();
  await strandsBegun(pool);
  // Long enough for each worker to go from its update point to its sleep in pop().
  await delay(20);
  const workerThreads = pool.workers.map((worker) => worker.threadId);
  const check = newCheck();
  const outcomes: Record<string, number> = {};
  let calledOff: Extract<UpdateResult, { outcome: 'called-off' }> | undefined;
  // Each worker's busy count halfway to the first update's time limit: under update points only
  // its strand, asleep in pop(), is still busy (1) and holds the update up.
  let busyWhilePending: Array<number | undefined> = [];
  for (let i = 0; i < updates; i++) {
    const request = requestUpdate(checkingAction(check, () => processed(pool), () => jobInFlight(pool)), { timeoutMs });
    if (i === 0) {
      await delay(timeoutMs / 2);
      busyWhilePending = busyOf(workerThreads);
    }
    const result = await request;
    tally(outcomes, result.outcome);
    if (result.outcome === 'called-off') calledOff ??= result;
  }

  // The pool works on: every job processed exactly once.
  const jobs = 2000;
  for (let job = 0; job < jobs; job++) await pool.queue.pushAsync(job);
  await until('every job to be processed', () => processed(pool) === jobs);
  await stopPool(pool);
  // Threads that exited no longer count, whatever their strands were doing.
  const afterExit = await requestUpdate(() => {}, { timeoutMs });
  print({
    workers: WORKERS,
    workerThreads,
    outcomes,
    ...check,
    busyWhilePending,
    blockers: calledOff?.blockers ?? [],
    processed: processed(pool),
    perJob: processedMinusFed(pool, jobs),
    afterExit: afterExit.outcome,
    liveThreadsAfterExit: liveThreads(),
  });
}

const [scenario, ...args] = process.argv.slice(2);
const scenarios: Record<string, () => Promise<void>> = {
  load: () => underLoad(Number(args[0] ?? 500)),
  idle: () => idle(Number(args[0] ?? 3), Number(args[1] ?? 200)),
};
const run = scenarios[scenario];
if (run === undefined) throw new Error(`usage: pool.js <${Object.keys(scenarios).join('|')}> …`);
run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
