/**
 * An echo server in the usual Node style: net.createServer hands each connection to a callback,
 * so a connection's strands begin whenever a client connects, update pending or not. A connection
 * has two strands: one reads lines and queues their echoes, one sends the echoes in order. Every
 * echo carries the server's version, so a client can tell when an update was applied.
 */
import * as net from 'node:net';
import { Queue, QueueClosedError } from 'quiesce';
import type { App } from './host';

interface Client {
  socket: net.Socket;
  outbox: Queue<string>;
}

let version = 1;
const counters = { received: 0, writerWaits: 0 };
const clients = new Set<Client>();
// Half-open: a client may end its side and still get every echo it is owed.
const server = net.createServer({ allowHalfOpen: true }, serve);

function serve(socket: net.Socket): void {
  const client: Client = { socket, outbox: new Queue() };
  clients.add(client);
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  void sendEchoes(client);
  void readLines(client);
}

async function readLines(client: Client): Promise<void> {
  const { socket, outbox } = client;
  let partial = '';
  try {
    for await (const chunk of socket) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        counters.received++;
        outbox.tryPush(`${line} v${version}\n`);
      }
    }
  } catch {
    socket.destroy();
  } finally {
    clients.delete(client);
    outbox.close();
  }
}

async function sendEchoes({ socket, outbox }: Client): Promise<void> {
  try {
    // Restarting an iteration only counts the wait again, so the wait may be interrupted.
    // @quiescent
    while (true) {
      counters.writerWaits++;
      const echo = await outbox.pop();
      socket.write(echo);
    }
  } catch (error) {
    if (!(error instanceof QueueClosedError)) throw error;
  }
  socket.end();
}

export const app: App = {
  async start() {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port };
  },
  async stop() {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
  state: () => ({ version, clients: clients.size, ...counters }),
  actions: {
    bump: () => {
      version++;
    },
    // Tell every client about the new version: the notice goes to the senders' pending pops.
    announce: () => {
      version++;
      for (const { outbox } of clients) outbox.tryPush(`* now v${version}\n`);
    },
  },
  commands: {},
};
