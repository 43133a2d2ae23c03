/**
 * Hot synchronous loops, built twice (with and without the transform) to measure what the
 * shared-flag check of a worker's update point costs when no update is requested. Both builds are
 * loaded side by side into one worker thread by bench/worker-hotloop.ts, which calls them in turn.
 * `tiny` is hotloop.ts's sync loop (a multiply-add per iteration); `job` does a pool job's work per
 * iteration (200 steps of a linear congruential generator, as bench/programs/workers-consumer.ts).
 */
function spinTiny(n: number): number {
  let i = 0;
  let acc = 0;
  while (true) {
    acc = (Math.imul(acc, 31) + i) | 0;
    if (++i === n) break;
  }
  return acc;
}

function spinJob(n: number): number {
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

export const loops: Record<string, (n: number) => number> = { tiny: spinTiny, job: spinJob };
