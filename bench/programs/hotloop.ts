/**
 * Hot loops, built twice (with and without the transform) to measure what update points cost
 * when no update is requested. `node hotloop.js <async|await|sync> <iterations>` runs the loop
 * once, as an event loop runs, and prints { nsPerIteration } as JSON: the whole call, from the
 * interpreter through V8's on-stack replacement to optimized code, divided by the iterations.
 * One call per process: calling the loop again would measure how V8 recompiles a function that
 * has left its loop, which an event loop does once.
 */
const ready = Promise.resolve(1);

/** An async event loop with no await in its body: the transform adds a flag check per iteration. */
async function spinAsync(n: number): Promise<number> {
  let i = 0;
  let acc = 0;
  while (true) {
    acc = (Math.imul(acc, 31) + i) | 0;
    if (++i === n) break;
  }
  return acc;
}

/** An await of an already-resolved value per iteration: a boundary wait, rewritten to quiet/resume. */
async function spinAwait(n: number): Promise<number> {
  let i = 0;
  let acc = 0;
  while (true) {
    const one = await ready;
    acc = (Math.imul(acc, 31) + i * one) | 0;
    if (++i === n) break;
  }
  return acc;
}

/** A synchronous event loop: the transform adds a flag check per iteration. */
function spinSync(n: number): number {
  let i = 0;
  let acc = 0;
  while (true) {
    acc = (Math.imul(acc, 31) + i) | 0;
    if (++i === n) break;
  }
  return acc;
}

const loops: Record<string, (n: number) => number | Promise<number>> = { async: spinAsync, await: spinAwait, sync: spinSync };

async function main(): Promise<void> {
  const [name, iterations] = process.argv.slice(2);
  const spin = loops[name];
  const n = Number(iterations);
  if (spin === undefined || !(n > 0)) throw new Error('usage: hotloop.js <async|await|sync> <iterations>');
  const start = process.hrtime.bigint();
  const check = await spin(n);
  const nsPerIteration = Number(process.hrtime.bigint() - start) / n;
  process.stdout.write(`${JSON.stringify({ nsPerIteration, check })}\n`);
}

void main();
