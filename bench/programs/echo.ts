/**
 * A TCP echo server: an accept loop and one `for await` loop per connection. Built twice, for the
 * overhead under load (bench/echo.ts serves with both builds from one process); the transformed
 * build, run as `node echo.js`, is the server of the time-to-quiescence benchmark: it sends
 * { port } once it listens, answers over IPC how many strands it has, and runs series of updates.
 */
import * as net from 'node:net';
import { on, requestUpdate, strands } from 'quiesce';

type Command = { type: 'strands' } | { type: 'measure'; updates: number } | { type: 'stop' };

async function acceptLoop(server: net.Server): Promise<void> {
  for await (const [socket] of on(server, 'connection')) {
    void echo(socket as net.Socket);
  }
}

async function echo(socket: net.Socket): Promise<void> {
  socket.setNoDelay(true);
  try {
    for await (const chunk of socket) {
      socket.write(chunk as Buffer);
    }
  } catch {
    socket.destroy();
  }
}

/** An echo server on a free port of 127.0.0.1. */
export function listen(): Promise<number> {
  const server = net.createServer();
  void acceptLoop(server);
  return new Promise((resolve) => {
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** `updates` update requests one after another, each with an empty action: only the timings matter. */
async function measure(updates: number): Promise<object[]> {
  const timings: object[] = [];
  for (let u = 0; u < updates; u++) {
    const result = await requestUpdate(() => {});
    timings.push({ outcome: result.outcome, ...result.timings });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return timings;
}

if (require.main === module) {
  void listen().then((port) => process.send!({ port }));
  process.on('message', async (command: Command) => {
    if (command.type === 'strands') process.send!({ strands: strands().length });
    else if (command.type === 'measure') process.send!({ timings: await measure(command.updates) });
    else process.exit(0);
  });
}
