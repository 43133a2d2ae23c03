/**
 * `npm run bench:workers [-- --quick]`: what quiesce costs across worker threads, printed as
 * figures (never asserted).
 * 1. Time to quiescence with 1, 2, 4 and 8 workers taking jobs off one SharedQueue in an annotated
 *    synchronous loop (bench/programs/workers-quiescence.ts): idle, every worker asleep in pop()
 *    and woken by the request, and under load, fed as fast as they take jobs. Updates with an empty
 *    action, about 2 ms apart; median and p99 of toQuiescenceMs and pauseMs. (firstToFullMs is
 *    left out: the coordinator does not learn when a worker's first strand parked, so it reads 0.)
 * 2. The shared-flag check of a worker's hot synchronous loop with no update requested
 *    (bench/programs/hotloop.ts), built with and without the transform and run in turn in
 *    one worker (hotloop.ts --worker), each loop entered once as an event loop is (per iteration
 *    after its warm-up, and the warm-up apart), and called again
 *    and again; the figure is the median over rounds of the ratio transformed / plain of the time
 *    per iteration (1.01 = 1 % slower).
 * Prints Markdown tables and writes everything measured to bench/results/<date>-workers[-quick].json.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOW_RUN, pooled, type HotLoopResult, type HowRun, type Rounds } from './rounds';
import { median, medianInterval, percent, quantile } from './stats';

const ROOT = path.join(__dirname, '../../..');
const BUILD = path.join(ROOT, 'build/bench');
const quick = process.argv.includes('--quick');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--quick');
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown.join(' ')} (usage: workers.js [--quick])`);
  process.exit(2);
}

const WORKER_COUNTS = [1, 2, 4, 8];
const MODES = ['idle', 'load'] as const;
const UPDATES = quick ? 100 : 200;
const SPACING_MS = 2;
/** Hot-loop rounds: in each of PROCESSES processes (see pooled in rounds.ts). */
const ROUNDS = 11;
const PROCESSES = quick ? 1 : 4;
/** Iterations per call: about 50 ms each. */
const HOT_LOOPS = [
  { name: 'tight, 3 ns body (xorshift32)', loop: 'tight-sync', iterations: 20_000_000 },
  { name: "a pool job's work (200 LCG steps)", loop: 'job', iterations: 80_000 },
];

function runNode<T>(script: string, args: Array<string | number>): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args.map(String)], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`bench: ${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

interface Timing {
  outcome: string;
  toQuiescenceMs: number | undefined;
  firstToFullMs: number | undefined;
  pauseMs: number;
}

interface QuiescenceRun {
  mode: (typeof MODES)[number];
  workers: number;
  fed: number;
  processed: number;
  timings: Timing[];
}

async function quiescence(mode: QuiescenceRun['mode'], workers: number): Promise<QuiescenceRun> {
  const script = path.join(BUILD, 'quiesce/workers-quiescence.js');
  const run = await runNode<Omit<QuiescenceRun, 'mode' | 'workers'>>(script, [mode, workers, UPDATES, SPACING_MS]);
  return { mode, workers, ...run };
}



async function hotLoop(loop: string, iterations: number): Promise<HotLoopResult> {
  const results: HotLoopResult[] = [];
  for (let run = 0; run < PROCESSES; run++) {
    results.push(await runNode<HotLoopResult>(path.join(BUILD, 'runner/hotloop.js'), [loop, iterations, ROUNDS, '--worker']));
  }
  return pooled(results);
}


const fixed = (value: number, digits: number): string => value.toFixed(digits);

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`quiesce worker bench${quick ? ' (--quick)' : ''}: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.availableParallelism()}`);
  console.log(`${UPDATES} updates ${SPACING_MS} ms apart per row; ${ROUNDS * PROCESSES} rounds per overhead figure (${ROUNDS} in each of ${PROCESSES} processes), both builds in turn in one worker\n`);

  const runs: QuiescenceRun[] = [];
  for (const mode of MODES) {
    for (const workers of WORKER_COUNTS) {
      process.stderr.write(`  ${workers} worker(s), ${mode}...\n`);
      runs.push(await quiescence(mode, workers));
    }
  }
  console.log('## Time to quiescence across worker threads (ms)\n');
  console.log('| workers | queue | updates applied | jobs processed | toQuiescenceMs median | p99 | pauseMs median | p99 |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const run of runs) {
    const applied = run.timings.filter((timing) => timing.outcome === 'applied');
    const column = (key: 'toQuiescenceMs' | 'pauseMs'): string => {
      const values = applied.map((timing) => timing[key] as number);
      return values.length === 0 ? '– | –' : `${fixed(median(values), 3)} | ${fixed(quantile(values, 0.99), 3)}`;
    };
    const queue = run.mode === 'idle' ? 'idle (asleep in pop)' : 'under load';
    console.log(`| ${run.workers} | ${queue} | ${applied.length} of ${run.timings.length} | ${run.processed} | ${column('toQuiescenceMs')} | ${column('pauseMs')} |`);
  }

  const overhead: Array<{ name: string; how: HowRun } & Rounds> = [];
  const warmups: Array<{ name: string } & HotLoopResult['warmupMs']> = [];
  for (const { name, loop, iterations } of HOT_LOOPS) {
    process.stderr.write(`  worker hot loop, ${name}...\n`);
    const measured = await hotLoop(loop, iterations);
    for (const how of ['entered', 'repeated'] as const) overhead.push({ name, how, ...measured[how] });
    warmups.push({ name, ...measured.warmupMs });
  }
  console.log("\n## The shared-flag check in a worker's hot synchronous loop (transformed vs plain build)\n");
  console.log('| loop body | run | plain | transformed | ratio (median) | overhead | 95 % CI of the overhead | rounds |');
  console.log('|---|---|---:|---:|---:|---:|---|---:|');
  for (const row of overhead) {
    const ratio = median(row.ratios);
    const digits = median(row.plain) < 100 ? 3 : 1;
    const [low, high] = medianInterval(row.ratios);
    console.log(
      `| ${row.name} | ${HOW_RUN[row.how]} | ${fixed(median(row.plain), digits)} ns/iteration | ${fixed(median(row.quiesce), digits)} ns/iteration | ${fixed(ratio, 3)} | ${percent(ratio)} | ${percent(low)} … ${percent(high)} | ${row.ratios.length} |`,
    );
  }
  console.log('\nWarm-up of a loop entered once, paid once: what its first iterations took beyond the rest (ms, median)\n');
  console.log('| loop body | plain | transformed |');
  console.log('|---|---:|---:|');
  for (const row of warmups) console.log(`| ${row.name} | ${fixed(median(row.plain), 2)} | ${fixed(median(row.quiesce), 2)} |`);

  const seconds = (Date.now() - started) / 1000;
  const date = new Date().toISOString();
  const file = path.join(ROOT, 'bench/results', `${date.slice(0, 16).replace(':', '-')}-workers${quick ? '-quick' : ''}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machine = { node: process.version, cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg() };
  fs.writeFileSync(file, `${JSON.stringify({ date, quick, seconds, machine, updates: UPDATES, spacingMs: SPACING_MS, rounds: ROUNDS, processes: PROCESSES, quiescence: runs, overhead, warmups }, null, 2)}\n`);
  console.log(`\n${seconds.toFixed(0)} s; raw figures in ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
