/**
 * `npm run bench [-- --quick] [-- --only hot,echo,idle]`: what quiesce costs, printed as figures (never asserted).
 * 1. Overhead with no update requested: the hot loops of bench/programs/hotloop.ts (an event
 *    loop serving requests from memory, tight loops, an await per iteration), both builds in turn
 *    in one process (hotloop.ts: a loop entered once, per iteration after its warm-up, and the
 *    warm-up apart; a loop called again and again), and a TCP echo server under load, both builds
 *    served by one process and loaded in turn (echoOverhead). The figure is the median over rounds
 *    of the ratio transformed / plain of the time per iteration or per request (1.01 = 1 % slower).
 *    Control rows measure the plain build against itself the same ways (the event loop, the tight
 *    sync loop, the echo server): what the method reads where there is no difference.
 * 2. Time to quiescence against the number of idle TCP connections to a transformed server,
 *    each connection's strand pending in its `for await` over the socket.
 * Prints Markdown tables and writes everything measured to bench/results/<date>-<mode>.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOT_LOOP_NAMES, HOW_RUN, alternating, concat, pooled, type HotLoopResult, type HowRun, type Rounds, type Variant } from './rounds';
import { median, medianInterval, percent, quantile } from './stats';

const ROOT = path.join(__dirname, '../../..');
const BUILD = path.join(ROOT, 'build/bench');
const PARTS = ['hot', 'echo', 'idle'] as const;
type Part = (typeof PARTS)[number];
const USAGE = `usage: run.js [--quick] [--only ${PARTS.join(',')}]`;

function parseArguments(argv: readonly string[]): { quick: boolean; only: Part[] | undefined } {
  let quick = false;
  let only: Part[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--only' && argv[i + 1] !== undefined) {
      const names = argv[++i].split(',').filter((name) => name !== '');
      const wrong = names.filter((name) => !(PARTS as readonly string[]).includes(name));
      if (wrong.length > 0 || names.length === 0) throw new Error(`bench: --only takes ${PARTS.join(', ')}; got ${argv[i]} (${USAGE})`);
      only = names as Part[];
    } else throw new Error(`bench: unknown argument ${argv[i]} (${USAGE})`);
  }
  return { quick, only };
}

let options: ReturnType<typeof parseArguments>;
try {
  options = parseArguments(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const { quick, only } = options;
const runs = (part: Part): boolean => only === undefined || only.includes(part);

/** bench/programs/hotloop.ts says what each loop does; a control row runs the plain build on both sides. */
const HOT_LOOPS = [
  { name: HOT_LOOP_NAMES.events, loop: 'events', iterations: 1_500_000, control: false },
  { name: 'control: that event loop, plain build against itself', loop: 'events', iterations: 1_500_000, control: true },
  { name: HOT_LOOP_NAMES['tight-async'], loop: 'tight-async', iterations: 30_000_000, control: false },
  { name: HOT_LOOP_NAMES['tight-sync'], loop: 'tight-sync', iterations: 30_000_000, control: false },
  { name: 'control: that tight loop (sync), plain build against itself', loop: 'tight-sync', iterations: 30_000_000, control: true },
  { name: HOT_LOOP_NAMES.await, loop: 'await', iterations: 1_000_000, control: false },
  { name: HOT_LOOP_NAMES['for-await'], loop: 'for-await', iterations: 300_000, control: false },
];
/** Hot-loop rounds: in each of HOT_PROCESSES processes (see pooled in rounds.ts). */
const HOT_ROUNDS = quick ? 5 : 7;
const HOT_PROCESSES = quick ? 1 : 4;
const ECHO = { connections: 32, bytes: 64, stretchMs: 100, stretches: quick ? 16 : 64, processes: quick ? 1 : 3 };
const IDLE_COUNTS = [1, 10, 100, 1_000, 10_000];
const UPDATES = quick ? 100 : 200;

const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && os.availableParallelism() >= 2;

/**
 * Start `node script args` in its own process, on `cpu` when taskset exists, with the open-file
 * limit raised for the 10,000-connection runs (as root; otherwise as far as the hard limit goes).
 */
function launch(script: string, args: Array<string | number>, cpu: number, ipc = false): ChildProcess {
  const pin = canPin ? ['taskset', '-c', String(cpu)] : [];
  const raise = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
  return spawn('/bin/sh', ['-c', raise, 'sh', ...pin, process.execPath, script, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? ['ipc' as const] : [])],
  });
}

async function outputOf(child: ChildProcess): Promise<string> {
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bench: ${child.spawnargs.join(' ')} exited with ${code}`);
  return text;
}

function message<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`bench: ${child.spawnargs.join(' ')} exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (value) => {
      child.off('exit', onExit);
      resolve(value as T);
    });
  });
}

/** Both builds of a hot loop in turn in one process (hotloop.ts), pinned to cpu 1; the rounds of HOT_PROCESSES such processes. */
async function hotLoop(loop: string, iterations: number, control: boolean): Promise<HotLoopResult> {
  const results: HotLoopResult[] = [];
  for (let run = 0; run < HOT_PROCESSES; run++) {
    const child = launch(path.join(BUILD, 'runner/hotloop.js'), [loop, iterations, HOT_ROUNDS, ...(control ? ['--control'] : [])], 1);
    results.push(JSON.parse(await outputOf(child)) as HotLoopResult);
  }
  return pooled(results);
}

async function startServer(variant: Variant): Promise<{ server: ChildProcess; port: number }> {
  const server = launch(path.join(BUILD, variant, 'echo.js'), [], 0, true);
  const { port } = await message<{ port: number }>(server);
  return { server, port };
}

async function stopServer(server: ChildProcess): Promise<void> {
  server.send({ type: 'stop' });
  if (server.exitCode === null) await once(server, 'exit');
}

type EchoMeasure = 'server-cpu' | 'client-wall';
const ECHO_MEASURE: Record<EchoMeasure, string> = { 'server-cpu': "server's CPU time per round trip", 'client-wall': "client's wall time per round trip (1 / throughput)" };

/**
 * The echo server under load: both builds served by one process (echo.ts), the client (load.js)
 * driving one build's connections, then the other's, in stretches of ECHO.stretchMs, the order
 * alternating. Per stretch: the server's CPU time per round trip, and the client's wall time per
 * round trip (all connections together, so 1 / throughput). The rounds of ECHO.processes such runs.
 * `control`: the plain build on both ports.
 */
async function echoOverhead(control: boolean): Promise<{ cpu: Rounds; wall: Rounds }> {
  const { connections, bytes, stretchMs, stretches, processes } = ECHO;
  const cpu: Rounds[] = [];
  const wall: Rounds[] = [];
  for (let run = 0; run < processes; run++) {
    const server = launch(path.join(BUILD, 'runner/echo.js'), control ? ['--control'] : [], 0, true);
    const ports = await message<Record<Variant, number>>(server);
    const client = launch(path.join(BUILD, 'runner/load.js'), ['alternate', ports.plain, ports.quiesce, connections, bytes], 1, true);
    await message<{ ready: true }>(client);
    const cpuUs = async (): Promise<number> => {
      server.send({ type: 'cpu' });
      return (await message<{ cpuUs: number }>(server)).cpuUs;
    };
    const wallRounds: Record<Variant, number[]> = { plain: [], quiesce: [] };
    const stretch = async (variant: Variant): Promise<number> => {
      const before = await cpuUs();
      client.send({ variant, ms: stretchMs });
      const { roundTrips, seconds } = await message<{ roundTrips: number; seconds: number }>(client);
      const used = (await cpuUs()) - before;
      wallRounds[variant].push((seconds * 1e6) / roundTrips);
      return used / roundTrips;
    };
    // A stretch of each first, uncounted: both builds compiled and warm.
    for (const variant of ['plain', 'quiesce'] as const) await stretch(variant);
    wallRounds.plain.length = wallRounds.quiesce.length = 0;
    cpu.push(await alternating(stretches, stretch));
    wall.push({ ...wallRounds, ratios: wallRounds.quiesce.map((cost, round) => cost / wallRounds.plain[round]) });
    client.send('close');
    await once(client, 'exit');
    await stopServer(server);
  }
  return { cpu: concat(cpu), wall: concat(wall) };
}

interface Timing {
  outcome: string;
  toQuiescenceMs: number | undefined;
  firstToFullMs: number | undefined;
  pauseMs: number;
}

async function idleQuiescence(connections: number): Promise<Timing[]> {
  const { server, port } = await startServer('quiesce');
  const client = launch(path.join(BUILD, 'runner/load.js'), ['idle', port, connections], 1, true);
  await message<{ connected: number }>(client);
  // Every connection's strand has begun once the server lists it (and its accept loop).
  for (let strands = 0; strands < connections + 1; ) {
    server.send({ type: 'strands' });
    ({ strands } = await message<{ strands: number }>(server));
    if (strands < connections + 1) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  server.send({ type: 'measure', updates: UPDATES });
  const { timings } = await message<{ timings: Timing[] }>(server);
  client.send('close');
  await once(client, 'exit');
  await stopServer(server);
  return timings;
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`quiesce bench${quick ? ' (--quick)' : ''}: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.availableParallelism()}, ${canPin ? 'server on cpu 0, load on cpu 1 (taskset)' : 'not pinned (no taskset)'}`);
  console.log(`${HOT_ROUNDS * HOT_PROCESSES} rounds per hot-loop figure (both builds in turn, ${HOT_ROUNDS} rounds in each of ${HOT_PROCESSES} processes), echo server: both builds in one process, ${ECHO.stretches} stretches of ${ECHO.stretchMs} ms of load on each in each of ${ECHO.processes} processes; ${UPDATES} updates per connection count\n`);

  const overhead: Array<{ name: string; how: HowRun | EchoMeasure; unit: string } & Rounds> = [];
  const warmups: Array<{ name: string } & HotLoopResult['warmupMs']> = [];
  for (const { name, loop, iterations, control } of runs('hot') ? HOT_LOOPS : []) {
    process.stderr.write(`  ${name}...\n`);
    const measured = await hotLoop(loop, iterations, control);
    for (const how of ['entered', 'repeated'] as const) overhead.push({ name, how, unit: 'ns/iteration', ...measured[how] });
    if (!control) warmups.push({ name, ...measured.warmupMs });
  }
  for (const control of runs('echo') ? [false, true] : []) {
    const echoName = `${control ? 'control: ' : ''}TCP echo, ${ECHO.connections} connections, ${ECHO.bytes} B${control ? ', plain build against itself' : ''}`;
    process.stderr.write(`  ${echoName}...\n`);
    const echo = await echoOverhead(control);
    overhead.push({ name: echoName, how: 'server-cpu', unit: 'µs/request', ...echo.cpu });
    overhead.push({ name: echoName, how: 'client-wall', unit: 'µs/request', ...echo.wall });
  }

  if (overhead.length > 0) {
    console.log('## Overhead with no update requested (transformed vs plain build)\n');
    console.log('| benchmark | run | plain | transformed | ratio (median) | overhead | 95 % CI of the overhead | rounds |');
    console.log('|---|---|---:|---:|---:|---:|---|---:|');
  }
  for (const row of overhead) {
    const ratio = median(row.ratios);
    const digits = row.unit === 'µs/request' ? 2 : 3;
    const how = row.how in ECHO_MEASURE ? ECHO_MEASURE[row.how as EchoMeasure] : HOW_RUN[row.how as HowRun];
    const [low, high] = medianInterval(row.ratios);
    console.log(
      `| ${row.name} | ${how} | ${fixed(median(row.plain), digits)} ${row.unit} | ${fixed(median(row.quiesce), digits)} ${row.unit} | ${fixed(ratio, 3)} | ${percent(ratio)} | ${percent(low)} … ${percent(high)} | ${row.ratios.length} |`,
    );
  }
  if (warmups.length > 0) {
    console.log('\nWarm-up of a loop entered once, paid once: what its first iterations took beyond the rest (ms, median)\n');
    console.log('| hot loop | plain | transformed |\n|---|---:|---:|');
  }
  for (const row of warmups) console.log(`| ${row.name} | ${fixed(median(row.plain), 2)} | ${fixed(median(row.quiesce), 2)} |`);

  const idle: Array<{ connections: number; timings: Timing[] }> = [];
  for (const connections of runs('idle') ? IDLE_COUNTS : []) {
    process.stderr.write(`  ${connections} idle connections...\n`);
    idle.push({ connections, timings: await idleQuiescence(connections) });
  }
  if (idle.length > 0) {
    console.log('\n## Time to quiescence against idle connections (ms)\n');
    console.log('| idle connections | updates applied | toQuiescenceMs median | p99 | firstToFullMs median | p99 | pauseMs median | p99 |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  }
  for (const { connections, timings } of idle) {
    const applied = timings.filter((timing) => timing.outcome === 'applied');
    const column = (key: 'toQuiescenceMs' | 'firstToFullMs' | 'pauseMs'): string => {
      const values = applied.map((timing) => timing[key] as number);
      return `${fixed(median(values), 4)} | ${fixed(quantile(values, 0.99), 4)}`;
    };
    console.log(`| ${connections} | ${applied.length} of ${timings.length} | ${column('toQuiescenceMs')} | ${column('firstToFullMs')} | ${column('pauseMs')} |`);
  }

  const seconds = (Date.now() - started) / 1000;
  const date = new Date().toISOString();
  const file = path.join(ROOT, 'bench/results', `${date.slice(0, 16).replace(':', '-')}-${quick ? 'quick' : 'full'}${only === undefined ? '' : `-${only.join('-')}`}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machine = { node: process.version, cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), pinned: canPin };
  fs.writeFileSync(file, `${JSON.stringify({ date, quick, only, seconds, machine, hotRounds: HOT_ROUNDS, hotProcesses: HOT_PROCESSES, echo: ECHO, overhead, warmups, idle }, null, 2)}\n`);
  console.log(`\n${seconds.toFixed(0)} s; raw figures in ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
