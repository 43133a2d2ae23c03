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

/**
 * 4,096 memcached text commands over 512 keys, the same in both builds. Each is copied into a flat
 * string, as one read from a socket is: a template literal of 13 or more characters is a rope
 * (ConsString) that V8 flattens on first use and a later garbage collection may or may not
 * short-circuit, and the loop's cost then depended on which had happened in that process (971,
 * 990 or 1,091 instructions per iteration for the same plain build; the transformed build, whose
 * copy of the module was loaded at another moment, read 1,099.6 every time).
 */
const commands: string[] = Array.from({ length: 4096 }, (_, k) => {
  const x = xorshift(k + 1) >>> 0;
  const key = `key:${(x >>> 4) % 512}`;
  const kind = x % 10;
  const command = kind < 6 ? `get ${key}` : kind < 9 ? `set ${key} ${x & 0xffff} 0 ${k}` : `delete ${key}`;
  return Buffer.from(command, 'latin1').toString('latin1');
});

const SPACE = 0x20;

/**
 * An event loop that is hot: it takes memcached text commands from an in-memory queue, parses
 * them (command, key, flags, value), serves them from a store and counts the bytes of the replies,
 * with no await in between, as a server drains a batch of pipelined requests. It allocates
 * nothing per request, so that the garbage collector does not drown the figure in noise.
 */
async function serveRequests(n: number): Promise<number> {
  const flags = new Int32Array(4096);
  const values = new Int32Array(4096).fill(-1);
  let i = 0;
  let replied = 0;
  while (true) {
    const line = commands[i & 4095];
    // The key: from after the command's space to the next space (or the end), hashed to a slot.
    let at = line.indexOf(' ') + 1;
    let slot = 0;
    for (let c = line.charCodeAt(at); at < line.length && c !== SPACE; c = line.charCodeAt(++at)) slot = (Math.imul(slot, 31) + c) & 4095;
    switch (line.charCodeAt(0)) {
      case 0x67: // get
        replied += values[slot] < 0 ? 5 : 20 + (values[slot] > 999 ? 4 : 3);
        break;
      case 0x73: {
        // set <key> <flags> <exptime> <value>
        let number = 0;
        let field = 0;
        for (at++; at < line.length; at++) {
          const c = line.charCodeAt(at);
          if (c === SPACE) {
            if (field++ === 0) flags[slot] = number;
            number = 0;
          } else number = number * 10 + (c - 0x30);
        }
        values[slot] = number;
        replied += 8;
        break;
      }
      default: // delete
        replied += values[slot] < 0 ? 11 : 9;
        values[slot] = -1;
    }
    if (++i === n) break;
  }
  return replied;
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

/** Yields 0 … n-1, each at once. */
async function* counter(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** A `for await` over an async generator: what the lowered loop costs per iteration beyond V8's own. */
async function drain(n: number): Promise<number> {
  let acc = 0;
  for await (const i of counter(n)) acc = (Math.imul(acc, 31) + i) | 0;
  return acc;
}

export const loops: Record<string, (n: number) => number | Promise<number>> = {
  events: serveRequests,
  'tight-async': tightAsync,
  'tight-sync': tightSync,
  job: jobs,
  await: awaitEach,
  'for-await': drain,
};
