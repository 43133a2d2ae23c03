/**
 * A line-based job server. Each line a client sends becomes a job on a queue; one consumer answers
 * the jobs in order, stamping each reply with the server's version; a heartbeat counts ticks.
 * Its strands are the ones design.md names: the accept loop, one loop per connection, a queue
 * consumer and a timer loop. A line `slow <ms> <text>` makes the consumer sleep before it answers,
 * in the middle of its loop body: a wait the transform leaves alone.
 */
import * as net from 'node:net';
import { on, Queue, QueueClosedError, sleep } from 'quiesce';
import type { App } from './host';

interface Job {
  socket: net.Socket;
  text: string;
  delayMs: number;
}

const HEARTBEAT_MS = 10;

let version = 1;
const counters = { ticks: 0, answered: 0 };
const jobs = new Queue<Job>();
const stopping = new AbortController();
const server = net.createServer();

async function acceptConnections(): Promise<void> {
  for await (const [socket] of on(server, 'connection', { signal: stopping.signal })) {
    void readJobs(socket as net.Socket);
  }
}

async function readJobs(socket: net.Socket): Promise<void> {
  socket.setEncoding('utf8');
  let partial = '';
  try {
    for await (const chunk of socket) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) jobs.tryPush(parseJob(socket, line));
    }
  } catch {
    // A client that resets its connection is dropped.
    socket.destroy();
  }
}

function parseJob(socket: net.Socket, line: string): Job {
  const slow = /^slow (\d+) (.*)$/.exec(line);
  return slow === null ? { socket, text: line, delayMs: 0 } : { socket, text: slow[2], delayMs: Number(slow[1]) };
}

async function answerJobs(): Promise<void> {
  while (true) {
    const job = await jobs.pop();
    if (job.delayMs > 0) await sleep(job.delayMs);
    if (job.socket.writable) job.socket.write(`${job.text} v${version}\n`);
    counters.answered++;
  }
}

async function heartbeat(): Promise<void> {
  while (true) {
    await sleep(HEARTBEAT_MS, { signal: stopping.signal });
    counters.ticks++;
  }
}

function unless(expected: (error: unknown) => boolean): (error: unknown) => void {
  return (error) => {
    if (!expected(error)) throw error;
  };
}

const isAbort = (error: unknown): boolean => (error as Error).name === 'AbortError';

export const app: App = {
  async start() {
    acceptConnections().catch(unless(isAbort));
    answerJobs().catch(unless((error) => error instanceof QueueClosedError));
    heartbeat().catch(unless(isAbort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port };
  },
  async stop() {
    stopping.abort();
    jobs.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
  state: () => ({ version, ...counters }),
  actions: {
    bump: () => {
      version++;
    },
    // A state transformation that fails after building the new state and before installing it.
    failing: () => {
      const next = version + 1;
      throw new Error(`cannot migrate to v${next}`);
    },
  },
  commands: {},
};
