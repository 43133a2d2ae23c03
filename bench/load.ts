/**
 * Load for the benchmarks, run in its own process (pinned to its own core when taskset exists).
 *   node load.js alternate <plainPort> <quiescePort> <connections> <bytes>      (with an IPC channel)
 *     opens <connections> to each of the two echo servers, then drives one or the other when told
 *     to (see alternate below).
 *   node load.js idle <port> <connections>      (with an IPC channel)
 *     opens the connections and sends nothing; reports { connected } over IPC and closes them
 *     all when told to.
 */
import * as net from 'node:net';
import type { Variant } from './rounds';

const HOST = '127.0.0.1';
/** Connections being opened at once: more would overflow the listen backlog. */
const CONNECTING_AT_ONCE = 256;

/**
 * Connections to each of two echo servers; on each { variant, ms } from the parent, only that
 * server's connections send, each its <bytes> again as soon as they come back, for ms; then the
 * round trips in flight finish and it replies { roundTrips, seconds }.
 */
async function alternate(ports: Record<Variant, number>, connections: number, bytes: number): Promise<void> {
  const payload = Buffer.alloc(bytes, 'x');
  const sockets: Record<Variant, net.Socket[]> = { plain: [], quiesce: [] };
  let driving: Variant | undefined;
  let roundTrips = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const connect = (variant: Variant): Promise<void> =>
    new Promise((resolve) => {
      const socket = net.connect(ports[variant], HOST, () => resolve());
      socket.setNoDelay(true);
      // A failed connection spoils the figure: crash, and the bench stops on the exit code.
      socket.on('error', (error) => {
        throw error;
      });
      sockets[variant].push(socket);
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < bytes) return;
        received -= bytes;
        roundTrips++;
        if (driving === variant) socket.write(payload);
        else if (--inFlight === 0) drained?.();
      });
    });
  const all = (variant: Variant): Array<Promise<void>> => Array.from({ length: connections }, () => connect(variant));
  await Promise.all([...all('plain'), ...all('quiesce')]);
  process.send!({ ready: true });
  process.on('message', async (message: { variant: Variant; ms: number } | 'close') => {
    if (message === 'close') {
      for (const socket of [...sockets.plain, ...sockets.quiesce]) socket.destroy();
      process.disconnect();
      return;
    }
    const { variant, ms } = message;
    roundTrips = 0;
    const start = process.hrtime.bigint();
    driving = variant;
    for (const socket of sockets[variant]) socket.write(payload);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight = connections;
    await new Promise<void>((resolve) => {
      drained = resolve;
      driving = undefined;
    });
    process.send!({ roundTrips, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
  });
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
if (mode === 'alternate' && numbers.length === 4) void alternate({ plain: numbers[0], quiesce: numbers[1] }, numbers[2], numbers[3]);
else if (mode === 'idle' && numbers.length === 2) void idle(numbers[0], numbers[1]);
else throw new Error('usage: load.js alternate <plainPort> <quiescePort> <connections> <bytes> | idle <port> <connections>');
