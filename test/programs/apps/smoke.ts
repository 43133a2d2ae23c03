import { Queue, requestUpdate, sleep, strands } from 'quiesce';

const q = new Queue<number>();
const got: number[] = [];
let ticks = 0;

async function consumer() {
  while (true) {
    const n = await q.pop();
    if (n < 0) return;
    got.push(n);
  }
}

async function timer() {
  while (true) {
    await sleep(5);
    ticks++;
    if (ticks > 1e9) break;
  }
}

async function main() {
  void consumer();
  void timer();
  let i = 0;
  const producer = setInterval(() => { for (let k = 0; k < 10; k++) q.push(i++); }, 1);
  const results = [];
  for (let u = 0; u < 200; u++) {
    results.push(await requestUpdate(() => {}, { timeoutMs: 100 }));
    await sleep(1);
  }
  clearInterval(producer);
  q.push(-1);
  console.log(strands());
  const outcomes = results.reduce((m, r) => ((m[r.outcome] = (m[r.outcome] ?? 0) + 1), m), {} as Record<string, number>);
  const ttq = results.map((r) => r.timings.toQuiescenceMs ?? NaN).sort((a, b) => a - b);
  console.log(outcomes, 'median ttq', ttq[ttq.length >> 1], 'p99', ttq[Math.floor(ttq.length * 0.99)]);
  await sleep(10);
  console.log('got', got.length, 'of', i, 'in order', got.every((v, k) => v === k), 'ticks', ticks);
  process.exit(0);
}
main();
