/**
 * `npm run demo`: start the demo server (fixtures/demo, built with the quiesce transform) in a
 * child process, keep 50 TCP clients sending requests to it, request 20 updates while they do
 * (the tenth swaps the request handler to v2 and migrates the store), and print what each update
 * took, what the clients saw, what changed, and the transform's statistics for the server.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

const ROOT = path.join(__dirname, '../..');
const CLIENTS = 50;
const UPDATES = 20;
/** The update (1-based) that swaps to v2; the ones before reload v1, the ones after reload v2. */
const SWAP_AT = 10;
const WARMUP_MS = 300;
const GAP_MS = 100;
/** The whole demo is stopped if it takes longer than this. */
const DEADLINE_MS = 45_000;

interface Timings {
  toQuiescenceMs: number | undefined;
  firstToFullMs: number | undefined;
  pauseMs: number;
}

interface Updated {
  type: 'updated';
  to: string;
  from: number;
  version: number;
  outcome: 'applied' | 'called-off' | 'failed';
  timings: Timings;
  changes: string[];
  strands: number;
  connections: number;
  rate: number;
  problem?: string;
}

interface Stopped {
  type: 'stopped';
  served: number;
  audited: number;
  socketErrors: number;
  keys: number;
}

type Message = { type: 'listening'; port: number } | Updated | Stopped;

/** What one client saw: every reply checked against what the protocol promises. */
class ClientView {
  served = 0;
  errors: string[] = [];
  lost = false;
  /** Highest handler version this client has seen, and replies from an older one after it. */
  version = 0;
  olderAfterNewer = 0;
  increments = 0;
}

async function runClient(id: number, port: number, running: () => boolean, view: ClientView): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let quit = false;
  socket.on('error', (error) => view.errors.push(`client ${id}: ${error.message}`));
  socket.on('close', () => (view.lost ||= !quit));
  await once(socket, 'connect');
  const replies = readline.createInterface({ input: socket, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const ask = async (request: string, expected: (reply: string) => boolean): Promise<string | undefined> => {
    socket.write(`${request}\n`);
    const next = await replies.next();
    if (next.done) throw new Error(`client ${id}: connection closed while waiting for the reply to ${request}`);
    view.served++;
    if (!expected(next.value)) {
      view.errors.push(`client ${id}: ${request} → ${next.value}`);
      return undefined;
    }
    return next.value;
  };
  for (let n = 0; running(); n++) {
    const key = `c${id}:k${n % 64}`;
    const value = `v${n}`;
    await ask(`SET ${key} ${value}`, (reply) => reply === 'OK');
    await ask(`GET ${key}`, (reply) => reply === `VALUE ${value}`);
    if (n % 8 === 0) {
      const reply = await ask('VERSION', (reply) => /^VERSION \d+$/.test(reply));
      const version = Number(reply?.slice('VERSION '.length));
      if (version < view.version) view.olderAfterNewer++;
      view.version = Math.max(view.version, version);
    }
    // INCR exists from v2 on: a client uses it once it has seen v2.
    if (view.version >= 2) {
      await ask(`INCR c${id}:count`, (reply) => reply === `VALUE ${view.increments + 1}`);
      view.increments++;
    }
  }
  quit = true;
  await ask('QUIT', (reply) => reply === 'BYE');
  if (!socket.closed) await once(socket, 'close');
}

function nextMessage<T extends Message['type']>(server: ChildProcess, type: T): Promise<Extract<Message, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message): void => {
      if (message.type !== type) return;
      server.off('message', onMessage);
      server.off('exit', onExit);
      resolve(message as Extract<Message, { type: T }>);
    };
    const onExit = (code: number | null): void => reject(new Error(`the demo server exited (code ${code}) while the demo waited for '${type}'`));
    server.on('message', onMessage);
    server.once('exit', onExit);
  });
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const ms = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));

async function main(): Promise<number> {
  const server = fork(path.join(ROOT, 'build/demo/server.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const deadline = setTimeout(() => {
    console.error(`demo: not finished after ${DEADLINE_MS / 1000} s; stopping`);
    server.kill();
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  const { port } = await nextMessage(server, 'listening');
  console.log(`demo server (pid ${server.pid}) on 127.0.0.1:${port}; ${CLIENTS} clients; ${UPDATES} updates, #${SWAP_AT} swaps v1 → v2\n`);
  let running = true;
  const views = Array.from({ length: CLIENTS }, () => new ClientView());
  const clients = views.map((view, id) => runClient(id, port, () => running, view));
  await delay(WARMUP_MS);

  console.log('| # | update | outcome | toQuiescenceMs | firstToFullMs | pauseMs | strands | req/s |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|');
  const results: Updated[] = [];
  for (let u = 1; u <= UPDATES; u++) {
    const to = u < SWAP_AT ? 'v1' : 'v2';
    const reply = nextMessage(server, 'updated');
    server.send({ type: 'update', to });
    const result = await reply;
    results.push(result);
    const { toQuiescenceMs, firstToFullMs, pauseMs } = result.timings;
    const what = result.from === result.version ? `reload v${result.version}` : `v${result.from} → v${result.version}`;
    console.log(`| ${u} | ${what} | ${result.outcome} | ${ms(toQuiescenceMs)} | ${ms(firstToFullMs)} | ${ms(pauseMs)} | ${result.strands} | ${result.rate} |`);
    if (result.problem !== undefined) console.log(`  ${result.problem}`);
    await delay(GAP_MS);
  }

  running = false;
  await Promise.allSettled(clients);
  const stopped = nextMessage(server, 'stopped');
  server.send({ type: 'stop' });
  const serverView = await stopped;
  await once(server, 'exit');

  const applied = results.filter((result) => result.outcome === 'applied');
  console.log(`\nUpdates: ${applied.length} of ${results.length} applied`);
  console.log('| timing (ms) | median | p99 |');
  console.log('|---|---:|---:|');
  for (const key of ['toQuiescenceMs', 'firstToFullMs', 'pauseMs'] as const) {
    const values = applied.map((result) => result.timings[key]).filter((value): value is number => value !== undefined);
    if (values.length > 0) console.log(`| ${key} | ${ms(quantile(values, 0.5))} | ${ms(quantile(values, 0.99))} |`);
  }

  const served = views.reduce((sum, view) => sum + view.served, 0);
  const errors = views.flatMap((view) => view.errors);
  const lost = views.filter((view) => view.lost).length;
  const olderAfterNewer = views.reduce((sum, view) => sum + view.olderAfterNewer, 0);
  const onV2 = views.filter((view) => view.version === 2).length;
  console.log('\nClient view:');
  console.log(`  requests served: ${served} (server counted ${serverView.served})`);
  console.log(`  errors (wrong or missing replies): ${errors.length}`);
  for (const error of errors.slice(0, 5)) console.log(`    ${error}`);
  console.log(`  lost connections: ${lost}`);
  console.log(`  clients that saw v2: ${onV2} of ${CLIENTS}; replies from v1 after v2 had answered: ${olderAfterNewer}`);
  console.log(`  INCR (a v2-only command) served: ${views.reduce((sum, view) => sum + view.increments, 0)}`);
  console.log(`  server: ${serverView.keys} keys, ${serverView.audited} writes audited, ${serverView.socketErrors} socket errors`);

  console.log('\nWhat changed (update to v2):');
  for (const line of results.flatMap((result) => result.changes)) console.log(`  ${line}`);

  console.log('\nThe transform\'s statistics for the demo server (quiesce stats):\n');
  const bin = path.join(ROOT, 'dist/bin/quiesce.js');
  console.log(execFileSync(process.execPath, [bin, 'stats', path.join(ROOT, 'build/demo/quiesce-report.json'), '--title', 'demo server'], { encoding: 'utf8' }));

  const ok = applied.length === results.length && errors.length === 0 && lost === 0 && olderAfterNewer === 0;
  if (!ok) console.error('demo: FAILED (see above: every update applied, 0 errors, 0 lost connections expected)');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
