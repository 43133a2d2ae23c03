/**
 * A pipeline of workers passing messages: main → worker A → worker B → main over MessagePorts
 * (pipeline-stage.ts), the main thread producing numbers and collecting them with node's
 * events.on. Prints one JSON line. `node pipeline.js <updates> <timeoutMs> <idleUpdates> <idleTimeoutMs>`:
 * 1. messages flow while `updates` updates are requested; each action checks that every live
 *    thread's busy count is 0 and that no stage processes a message while it runs;
 * 2. with every message delivered and the ports idle, `idleUpdates` more are requested;
 * 3. then messages flow again, and every message must have arrived once, in order.
 */
import { on as eventsOn } from 'node:events';
import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { requestUpdate, sleep, type UpdateResult } from 'quiesce';
import { busyOf, checkingAction, delay, median, newCheck, print, tally, until } from './common';

/** Messages the producer sends per tick. */
const BURST = 4;

const toA = new MessageChannel();
const aToB = new MessageChannel();
const fromB = new MessageChannel();
/** Per stage: messages begun, messages finished (pipeline-stage.ts). */
const counts = new Int32Array(new SharedArrayBuffer(4 * 4));

function stage(name: 'A' | 'B', input: MessagePort, output: MessagePort): Worker {
  return new Worker(path.join(__dirname, 'pipeline-stage.js'), {
    workerData: { stage: name, input, output, counts: counts.buffer },
    transferList: [input, output],
  });
}

const stages = [stage('A', toA.port2, aToB.port1), stage('B', aToB.port2, fromB.port1)];
const exited = Promise.all(stages.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
const received: number[] = [];
let sent = 0;
let producing = true;

async function collect(port: MessagePort): Promise<void> {
  for await (const [n] of eventsOn(port, 'message')) {
    if (n < 0) break;
    received.push(n);
  }
}

/** Its wait comes first in the body: a boundary wait, so the producer counts as quiescent while it sleeps. */
async function produce(port: MessagePort): Promise<void> {
  while (true) {
    await sleep(1);
    if (!producing) break;
    for (let i = 0; i < BURST; i++) port.postMessage(sent++);
  }
}

const stageProcessed = (): number => Atomics.load(counts, 1) + Atomics.load(counts, 3);
const messageInFlight = (): boolean => Atomics.load(counts, 0) !== Atomics.load(counts, 1) || Atomics.load(counts, 2) !== Atomics.load(counts, 3);

const check = newCheck();
const checking = checkingAction(check, () => stageProcessed() + received.length, messageInFlight);

async function main(): Promise<void> {
  const [updates, timeoutMs, idleUpdates, idleTimeoutMs] = process.argv.slice(2).map(Number);
  const collecting = collect(fromB.port2);
  let producer = produce(toA.port1);
  await until('the stages to begin their strands', () => busyOf(stages.map((worker) => worker.threadId)).every((busy) => busy !== undefined) && stageProcessed() > 0);

  const stageThreads = stages.map((worker) => worker.threadId);
  const outcomes: Record<string, number> = {};
  const toQuiescenceMs: number[] = [];
  let last = received.length;
  for (let i = 0; i < updates; i++) {
    // Each update is requested while messages flow: after some arrived since the one before.
    await until('messages to arrive between updates', () => received.length !== last);
    const result = await requestUpdate(checking, { timeoutMs });
    last = received.length;
    tally(outcomes, result.outcome);
    if (result.timings.toQuiescenceMs !== undefined) toQuiescenceMs.push(result.timings.toQuiescenceMs);
  }
  producing = false;
  await producer;
  await until('every message to arrive', () => received.length === sent);

  // Idle ports: every strand waits for a message.
  await delay(20);
  const idleOutcomes: Record<string, number> = {};
  let calledOff: Extract<UpdateResult, { outcome: 'called-off' }> | undefined;
  for (let i = 0; i < idleUpdates; i++) {
    const result = await requestUpdate(checking, { timeoutMs: idleTimeoutMs });
    tally(idleOutcomes, result.outcome);
    if (result.outcome === 'called-off') calledOff ??= result;
  }

  // Everything keeps working afterwards.
  const sentBeforeAfter = sent;
  producing = true;
  producer = produce(toA.port1);
  await until('messages to flow again', () => received.length >= sentBeforeAfter + 100);
  producing = false;
  await producer;
  await until('every message to arrive', () => received.length === sent);
  toA.port1.postMessage(-1);
  await collecting;
  await exited;

  print({
    stageThreads,
    outcomes,
    ...check,
    medianToQuiescenceMs: median(toQuiescenceMs),
    idleOutcomes,
    blockers: calledOff?.blockers ?? [],
    sent,
    received: received.length,
    inOrder: received.every((n, i) => n === i),
    sentAfterIdle: sent - sentBeforeAfter,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
