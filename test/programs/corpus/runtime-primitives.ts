// quiesce's Queue, Mutex, Condition and sleep used in event loops: same results with and without the transform.
import { Condition, Mutex, Queue, QueueClosedError, sleep } from 'quiesce';

async function producerConsumer(): Promise<string> {
  const queue = new Queue<number>({ capacity: 2 });
  const consumed: number[] = [];
  const consumer = (async () => {
    while (true) {
      let item: number;
      try {
        item = await queue.pop();
      } catch (error) {
        if (error instanceof QueueClosedError) return;
        throw error;
      }
      consumed.push(item);
    }
  })();
  for (let i = 0; i < 6; i++) await queue.push(i);
  queue.close();
  await consumer;
  return consumed.join(',');
}

async function iterateQueue(): Promise<string> {
  const queue = new Queue<string>();
  const seen: string[] = [];
  const reader = (async () => {
    for await (const item of queue) {
      seen.push(item);
      if (item === 'stop') break;
    }
  })();
  for (const s of ['a', 'b', 'stop', 'c']) queue.tryPush(s);
  await reader;
  return `${seen.join(',')} left=${queue.size}`;
}

async function mutexLoops(): Promise<string> {
  const mutex = new Mutex();
  const log: string[] = [];
  const worker = async (name: string, rounds: number) => {
    let r = 0;
    while (true) {
      await mutex.lock();
      try {
        log.push(`${name}+`);
        await sleep(1);
        log.push(`${name}-`);
      } finally {
        mutex.unlock();
      }
      if (++r === rounds) return;
    }
  };
  await Promise.all([worker('x', 2), worker('y', 2)]);
  return log.join('');
}

async function conditionLoop(): Promise<string> {
  const mutex = new Mutex();
  const ready = new Condition();
  const items: number[] = [];
  const taken: number[] = [];
  const taker = (async () => {
    for (;;) {
      await mutex.lock();
      try {
        while (items.length === 0) await ready.wait(mutex);
        const item = items.shift()!;
        if (item < 0) return;
        taken.push(item);
      } finally {
        mutex.unlock();
      }
    }
  })();
  for (const item of [5, 6, -1]) {
    await sleep(1);
    await mutex.lock();
    items.push(item);
    ready.notify();
    mutex.unlock();
  }
  await taker;
  return taken.join(',');
}

async function sleeper(): Promise<number> {
  let slept = 0;
  do {
    await sleep(2);
    slept++;
  } while (slept < 3 && true);
  let n = 0;
  while (true) {
    if (++n === 3) return n + slept;
    await sleep(1);
  }
}

async function main() {
  console.log('queue', await producerConsumer());
  console.log('queue iterator', await iterateQueue());
  console.log('mutex', await mutexLoops());
  console.log('condition', await conditionLoop());
  console.log('sleep', await sleeper());
  await sleep(-1).catch((error: Error) => console.log(error.name));
}

main();
