/**
 * Hot loops, built twice (with and without the transform) to measure what update points cost
 * when no update is requested. bench/hotloop.ts loads both builds side by side into one thread
 * (the main thread or a worker) and calls them in turn.
 *
 * The tight loops step xorshift32, int32 operations only. A multiply-add that overflows int32 (as
 * these loops did before) leaves the add's type feedback depending on when V8 compiles the loop:
 * the same build then runs at 1.4 or at 6.5 ns per iteration from one process to the next.
 */
const ready = Promise.resolve(1);

/** The tight loops' body: a few cycles of dependent integer work. */
function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >> 17;
  return x ^ (x << 5);
}

/** An async event loop with no await in its body: the worst case for the flag check. */
async function tightAsync(n: number): Promise<number> {
  let i = 0;
  let acc = 1;
  while (true) {
    acc = (xorshift(acc) + i) | 0;
    if (++i === n) break;
  }
  return acc;
}

/** The same loop in a synchronous function, as a worker's compute loop. */
function tightSync(n: number): number {
  let i = 0;
  let acc = 1;
  while (true) {
    acc = (xorshift(acc) + i) | 0;
    if (++i === n) break;
  }
  return acc;
}

const SET = 0;
const GET = 1;
const DELETE = 2;
interface Request {
  op: typeof SET | typeof GET | typeof DELETE;
  key: string;
  value: number;
}

/** 4,096 decoded requests over 512 keys, the same in both builds. */
const requests: Request[] = Array.from({ length: 4096 }, (_, k) => {
  const x = xorshift(k + 1) >>> 0;
  const op = x % 10 < 6 ? GET : x % 10 < 9 ? SET : DELETE;
  return { op, key: `key:${(x >>> 4) % 512}`, value: k };
});

/**
 * An event loop that is hot: it takes decoded requests from an in-memory queue and serves them
 * from a key-value store (memcached's core), with no await in between, as a server drains a batch.
 */
async function serveRequests(n: number): Promise<number> {
  const store = new Map<string, number>();
  let i = 0;
  let hits = 0;
  while (true) {
    const request = requests[i & 4095];
    switch (request.op) {
      case SET:
        store.set(request.key, request.value);
        break;
      case GET:
        if (store.get(request.key) !== undefined) hits++;
        break;
      default:
        store.delete(request.key);
    }
    if (++i === n) break;
  }
  return hits;
}

/** An await of an already-resolved value per iteration: a boundary wait, rewritten to quiet/resume. */
async function awaitEach(n: number): Promise<number> {
  let i = 0;
  let acc = 0;
  while (true) {
    const one = await ready;
    acc = (Math.imul(acc, 31) + i * one) | 0;
    if (++i === n) break;
  }
  return acc;
}

/** A worker pool's job per iteration: 200 steps of a linear congruential generator (bench/programs/workers-consumer.ts). */
function jobs(n: number): number {
  let i = 0;
  let acc = 0;
  while (true) {
    let x = i;
    for (let k = 0; k < 200; k++) x = (x * 1103515245 + 12345) | 0;
    acc ^= x;
    if (++i === n) break;
  }
  return acc;
}

export const loops: Record<string, (n: number) => number | Promise<number>> = {
  events: serveRequests,
  'tight-async': tightAsync,
  'tight-sync': tightSync,
  job: jobs,
  await: awaitEach,
};
