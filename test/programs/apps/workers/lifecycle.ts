/**
 * Workers that start or end while an update is pending (lifecycle-worker.ts). Prints one JSON line
 * with a result per scenario; `node lifecycle.js`.
 * - lateStart: a worker started from inside the update's action parks at its first update point,
 *   runs nothing of its loop while the action runs, and runs once the update is over;
 * - startWhilePending: the same for a worker started after the request, before full quiescence;
 * - returns / exits / terminated: a worker whose strand holds the update up leaves its loop and
 *   returns, calls process.exit, or is terminated: the update is applied, nothing waits for it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { requestUpdate, strandsEverywhere, threads } from 'quiesce';
import { delay, everyThreadIdle, liveThreads, print, until } from './common';

const RAN = 0;
const WORKING = 1;
const STOP = 2;

interface Started {
  worker: Worker;
  shared: Int32Array;
  exited: Promise<unknown>;
}

function start(role: string): Started {
  const shared = new Int32Array(new SharedArrayBuffer(3 * 4));
  const worker = new Worker(path.join(__dirname, 'lifecycle-worker.js'), { workerData: { role, shared: shared.buffer } });
  return { worker, shared, exited: new Promise((resolve) => worker.once('exit', resolve)) };
}

/** Until a strand of `thread` is parked at its update point (it answers, being parked in an await). */
async function parkedIn(thread: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if ((await strandsEverywhere()).some((strand) => strand.thread === thread && strand.status === 'parked')) return;
    await delay(5);
  }
  throw new Error(`thread ${thread} never parked`);
}

/** What an action finds about a worker that started during the update. */
interface LateWorker {
  /** Its loop's iterations while the action ran (0: it parked before its first). */
  ranDuringAction: number;
  idle: boolean;
}

/** Check a worker started during the update: parked, nothing run; then let it run and stop it. */
async function watchLateWorker(ticker: Started, seen: LateWorker): Promise<void> {
  await parkedIn(ticker.worker.threadId);
  // Time it would need for a few iterations, had it not parked.
  await delay(20);
  seen.ranDuringAction = Atomics.load(ticker.shared, RAN);
  seen.idle = everyThreadIdle();
}

async function ranAfter(ticker: Started): Promise<boolean> {
  await until('the late worker to run', () => Atomics.load(ticker.shared, RAN) > 0);
  Atomics.store(ticker.shared, STOP, 1);
  await ticker.exited;
  return true;
}

async function lateStart(): Promise<object> {
  let ticker: Started | undefined;
  const seen: LateWorker = { ranDuringAction: -1, idle: false };
  const result = await requestUpdate(async () => {
    ticker = start('ticker');
    await watchLateWorker(ticker, seen);
  });
  return { outcome: result.outcome, ...seen, ranAfter: await ranAfter(ticker!) };
}

async function startWhilePending(): Promise<object> {
  const holder = start('returns');
  await until('the holder to be working', () => Atomics.load(holder.shared, WORKING) === 1);
  const seen: LateWorker = { ranDuringAction: -1, idle: false };
  let ticker: Started | undefined;
  const update = requestUpdate(() => watchLateWorker(ticker!, seen), { timeoutMs: 5000 });
  // Started while the holder keeps the update from quiescence.
  ticker = start('ticker');
  const result = await update;
  await holder.exited;
  return { outcome: result.outcome, ...seen, ranAfter: await ranAfter(ticker) };
}

/** A worker that holds the update up until it ends by `end`. */
async function endsDuringUpdate(role: string, end: (started: Started) => void = () => {}): Promise<object> {
  const ending = start(role);
  const thread = ending.worker.threadId;
  await until('the worker to be working', () => Atomics.load(ending.shared, WORKING) === 1);
  let inAction: { alive: boolean; idle: boolean } | undefined;
  const update = requestUpdate(
    () => {
      inAction = { alive: threads().some((t) => t.thread === thread && t.alive), idle: everyThreadIdle() };
    },
    { timeoutMs: 5000 },
  );
  // Still held up a while after the request: the strand is in the middle of its iteration.
  await delay(30);
  const heldUp = inAction === undefined;
  end(ending);
  const result = await update;
  await ending.exited;
  return { outcome: result.outcome, heldUp, ...inAction };
}

async function main(): Promise<void> {
  print({
    lateStart: await lateStart(),
    startWhilePending: await startWhilePending(),
    returns: await endsDuringUpdate('returns'),
    exits: await endsDuringUpdate('exits'),
    terminated: await endsDuringUpdate('blocks', ({ worker }) => void worker.terminate()),
    liveThreadsAtEnd: liveThreads(),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
