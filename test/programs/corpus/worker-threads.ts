// Event loops in a worker thread and in the main thread talking over messages: same replies, both threads exit on their own.
import { on, once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

async function workerMain(): Promise<void> {
  const port = parentPort!;
  let handled = 0;
  for await (const [message] of on(port, 'message')) {
    if (message === 'stop') break;
    let n = message as number;
    let steps = 0;
    while (true) {
      if (n === 1) break;
      n = n % 2 === 0 ? n / 2 : 3 * n + 1;
      steps++;
    }
    handled++;
    port.postMessage({ from: workerData.name, input: message, steps });
  }
  port.postMessage({ from: workerData.name, handled });
  port.close();
}

async function main(): Promise<void> {
  const worker = new Worker(__filename, { workerData: { name: 'collatz' } });
  const inputs = [6, 7, 27, 1];
  const replies: string[] = [];
  const exited = once(worker, 'exit');
  for (const n of inputs) worker.postMessage(n);
  worker.postMessage('stop');
  for await (const [reply] of on(worker, 'message')) {
    replies.push(JSON.stringify(reply));
    if ('handled' in reply) break;
  }
  const [code] = await exited;
  console.log(replies.join('\n'));
  console.log('worker exit code', code);
}

if (isMainThread) main();
else workerMain();
