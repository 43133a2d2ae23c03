/**
 * `node hotloop.js <loop> <iterations> <rounds> [--worker] [--control]` (run by run.ts and workers.ts): what
 * update points cost in a hot loop of bench/programs/hotloop.ts with no update requested. This
 * process loads quiesce, so its main thread coordinates; the loops run in the main thread, or with
 * `--worker` in one worker it starts. That thread loads both builds of the loops and calls the plain
 * and the transformed loop in turn, the order alternating, so that drifts of the machine hit both
 * alike. Two ways:
 * - `entered`: each call on a freshly loaded copy of the module, so the loop is entered once and
 *   runs as an event loop that never returns does (interpreter, then on-stack replacement). Each
 *   round times a run of n/4 and one of n iterations: the difference over 3n/4 is the cost per
 *   iteration once the loop is compiled, what a long-running loop pays; what the short run took
 *   beyond that is the warm-up, paid once (`warmupMs`);
 * - `repeated`: a freshly loaded copy called three times with a tenth of the iterations first, so
 *   that the measured call runs fully optimized code. A fresh copy per round because V8 compiles
 *   the same function faster or slower from one compilation to the next (code layout, feedback
 *   timing): one compilation for all rounds made a whole run read +17 % or +0 %.
 * With `--control` both sides load the plain build (a fresh copy each, as always): what the method
 * reads when there is no difference, the noise and bias to hold the real figures against.
 * Prints { entered, repeated, warmupMs }, the first two { plain, quiesce, ratios } (ns per
 * iteration per round, and transformed / plain per round), the last { plain, quiesce } per round,
 * as JSON.
 */
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import 'quiesce';
import { alternating, type HotLoopResult, type Variant } from './rounds';

type Loop = (n: number) => number | Promise<number>;
interface Job {
  name: string;
  n: number;
  count: number;
  /** Load the plain build on both sides. */
  control: boolean;
}

const BUILD = path.join(__dirname, '..');

/** The loop from a freshly loaded copy of the module: new functions, compiled anew. */
function load(build: Variant, name: string): Loop {
  const file = require.resolve(path.join(BUILD, build, 'hotloop.js'));
  delete require.cache[file];
  return (require(file) as { loops: Record<string, Loop> }).loops[name];
}

/** Nanoseconds the call took. */
async function timed(loop: Loop, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  await loop(n);
  return Number(process.hrtime.bigint() - start);
}

async function measure({ name, n, count, control }: Job): Promise<HotLoopResult> {
  const build = (variant: Variant): Variant => (control ? 'plain' : variant);
  const short = Math.ceil(n / 4);
  const warmupMs: Record<Variant, number[]> = { plain: [], quiesce: [] };
  const entered = await alternating(count, async (variant) => {
    const shortNs = await timed(load(build(variant), name), short);
    const perIteration = ((await timed(load(build(variant), name), n)) - shortNs) / (n - short);
    warmupMs[variant].push((shortNs - short * perIteration) / 1e6);
    return perIteration;
  });
  const repeated = await alternating(count, async (variant) => {
    const loop = load(build(variant), name);
    for (let warm = 0; warm < 3; warm++) await loop(Math.ceil(n / 10));
    return (await timed(loop, n)) / n;
  });
  return { entered, repeated, warmupMs };
}

const print = (result: object): void => void process.stdout.write(`${JSON.stringify(result)}\n`);

if (isMainThread) {
  const [name, iterations, count] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const job: Job = { name, n: Number(iterations), count: Number(count), control: process.argv.includes('--control') };
  const names = Object.keys((require(path.join(BUILD, 'plain', 'hotloop.js')) as { loops: object }).loops);
  if (!names.includes(name) || !(job.n > 0 && job.count > 0)) {
    throw new Error(`usage: hotloop.js <${names.join('|')}> <iterations> <rounds> [--worker] [--control]`);
  }
  if (process.argv.includes('--worker')) new Worker(__filename, { workerData: job }).once('message', print);
  else void measure(job).then(print);
} else {
  void measure(workerData as Job).then((result) => parentPort!.postMessage(result));
}
