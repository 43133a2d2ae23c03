/**
 * Load for the benchmarks, run in its own process (pinned to its own core when taskset exists).
 *   node load.js echo <port> <connections> <warmupMs> <durationMs> <bytes>
 *     each connection sends <bytes>, waits for them to come back, and again; prints
 *     { roundTripsPerSecond } over <durationMs> after <warmupMs>.
 *   node load.js idle <port> <connections>      (with an IPC channel)
 *     opens the connections and sends nothing; reports { connected } over IPC and closes them
 *     all when told to.
 */
import * as net from 'node:net';

const HOST = '127.0.0.1';
/** Connections being opened at once: more would overflow the listen backlog. */
const CONNECTING_AT_ONCE = 256;

function echo(port: number, connections: number, warmupMs: number, durationMs: number, bytes: number): void {
  const payload = Buffer.alloc(bytes, 'x');
  let counting = false;
  let roundTrips = 0;
  const sockets = Array.from({ length: connections }, () => {
    const socket = net.connect(port, HOST, () => socket.write(payload));
    socket.setNoDelay(true);
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received < bytes) return;
      received -= bytes;
      if (counting) roundTrips++;
      socket.write(payload);
    });
    // A failed connection spoils the figure: crash, and the bench stops on the exit code.
    socket.on('error', (error) => {
      throw error;
    });
    return socket;
  });
  setTimeout(() => {
    counting = true;
    const start = process.hrtime.bigint();
    setTimeout(() => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      counting = false;
      for (const socket of sockets) socket.destroy();
      process.stdout.write(`${JSON.stringify({ roundTripsPerSecond: roundTrips / seconds })}\n`);
    }, durationMs);
  }, warmupMs);
}

async function idle(port: number, connections: number): Promise<void> {
  const sockets: net.Socket[] = [];
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, HOST, () => resolve());
      socket.once('error', reject);
      sockets.push(socket);
    });
  for (let opened = 0; opened < connections; ) {
    const batch = Math.min(CONNECTING_AT_ONCE, connections - opened);
    await Promise.all(Array.from({ length: batch }, open));
    opened += batch;
  }
  process.send!({ connected: sockets.length });
  process.once('message', () => {
    for (const socket of sockets) socket.destroy();
    process.disconnect();
  });
}

const [mode, ...args] = process.argv.slice(2);
const numbers = args.map(Number);
if (mode === 'echo' && numbers.length === 5) echo(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]);
else if (mode === 'idle' && numbers.length === 2) void idle(numbers[0], numbers[1]);
else throw new Error('usage: load.js echo <port> <connections> <warmupMs> <durationMs> <bytes> | idle <port> <connections>');
