// A stage of the pipeline: takes numbers off its input port and passes each on to its output port,
// counting the messages it began and finished; a negative number is passed on and ends the stage.
import { once } from 'node:events';
import { workerData, type MessagePort } from 'node:worker_threads';
import { on } from 'quiesce';

const input = workerData.input as MessagePort;
const output = workerData.output as MessagePort;
/** Per stage: messages begun, messages finished. */
const counts = new Int32Array(workerData.counts as SharedArrayBuffer);
const BEGUN = 0;
const FINISHED = 1;

function pass(stage: number, n: unknown): void {
  Atomics.add(counts, 2 * stage + BEGUN, 1);
  output.postMessage(n);
  Atomics.add(counts, 2 * stage + FINISHED, 1);
}

/** Stage A: a `for await` over the runtime's on(): its pending next() is a quiescent wait. */
async function forAwaitStage(): Promise<void> {
  for await (const [n] of on(input, 'message')) {
    pass(0, n);
    if ((n as number) < 0) break;
  }
}

/** Stage B: node's events.once at the loop head, a quiescent wait as well. */
async function onceStage(): Promise<void> {
  while (true) {
    const [n] = await once(input, 'message');
    pass(1, n);
    if (n < 0) break;
  }
}

void (workerData.stage === 'A' ? forAwaitStage() : onceStage());
