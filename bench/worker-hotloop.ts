/**
 * `node worker-hotloop.js <tiny|job> <iterations> <rounds>` (run by workers.ts): the overhead of
 * the shared-flag check in a worker's hot synchronous loop. The main thread loads quiesce, so it
 * coordinates, and starts one worker; the worker loads both builds of bench/programs/worker-hotloop.ts
 * and calls the plain and the transformed loop in turn, the order alternating, in the same thread,
 * so that drifts of the machine hit both alike. Two ways:
 * - `entered`: each call on a freshly loaded copy of the module, so the loop is entered once and
 *   runs as an event loop that never returns does (interpreter, then on-stack replacement);
 * - `repeated`: the same functions called again and again, so the loop runs fully optimized.
 * Prints, for each, { plain, quiesce, ratios } (ns per iteration per round, and transformed / plain
 * per round) as JSON.
 */
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import 'quiesce';

type Variant = 'plain' | 'quiesce';
type Loop = (n: number) => number;

const BUILD = path.join(__dirname, '..');

function load(variant: Variant, name: string, fresh: boolean): Loop {
  const file = require.resolve(path.join(BUILD, variant, 'worker-hotloop.js'));
  if (fresh) delete require.cache[file];
  return (require(file) as { loops: Record<string, Loop> }).loops[name];
}

function timed(loop: Loop, n: number): number {
  const start = process.hrtime.bigint();
  loop(n);
  return Number(process.hrtime.bigint() - start) / n;
}

function rounds(count: number, measure: (variant: Variant) => number): { plain: number[]; quiesce: number[]; ratios: number[] } {
  const out = { plain: [] as number[], quiesce: [] as number[], ratios: [] as number[] };
  for (let round = 0; round < count; round++) {
    const order: Variant[] = round % 2 === 0 ? ['plain', 'quiesce'] : ['quiesce', 'plain'];
    const cost = {} as Record<Variant, number>;
    for (const variant of order) cost[variant] = measure(variant);
    out.plain.push(cost.plain);
    out.quiesce.push(cost.quiesce);
    out.ratios.push(cost.quiesce / cost.plain);
  }
  return out;
}

if (isMainThread) {
  const [name, iterations, count] = process.argv.slice(2);
  if (!['tiny', 'job'].includes(name) || !(Number(iterations) > 0 && Number(count) > 0)) {
    throw new Error('usage: worker-hotloop.js <tiny|job> <iterations> <rounds>');
  }
  const worker = new Worker(__filename, { workerData: { name, n: Number(iterations), count: Number(count) } });
  worker.once('message', (result: object) => process.stdout.write(`${JSON.stringify(result)}\n`));
} else {
  const { name, n, count } = workerData as { name: string; n: number; count: number };
  const entered = rounds(count, (variant) => timed(load(variant, name, true), n));
  const loops = { plain: load('plain', name, false), quiesce: load('quiesce', name, false) };
  // One call each first: the rounds measure the optimized loops.
  timed(loops.plain, n);
  timed(loops.quiesce, n);
  const repeated = rounds(count, (variant) => timed(loops[variant], n));
  parentPort!.postMessage({ entered, repeated });
}
