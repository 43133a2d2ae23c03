// setTimeout/setInterval/setImmediate/nextTick driving event loops; only orderings Node guarantees are printed.
const order: string[] = [];

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function ticker(name: string, ms: number, times: number): Promise<void> {
  let n = 0;
  while (true) {
    await delay(ms);
    order.push(`${name}${n}`);
    if (++n === times) return;
  }
}

async function phases(): Promise<string[]> {
  const seen: string[] = [];
  await immediate();
  // Inside the check phase the relative order of these is fixed (a 0 ms timeout's is not).
  let round = 0;
  for (;;) {
    setImmediate(() => seen.push(`immediate${round}`));
    process.nextTick(() => seen.push(`tick${round}`));
    queueMicrotask(() => seen.push(`micro${round}`));
    await immediate();
    seen.push(`loop${round}`);
    if (++round === 2) break;
  }
  return seen;
}

async function intervalLoop(): Promise<number> {
  let fired = 0;
  let wake: (() => void) | undefined;
  const timer = setInterval(() => {
    fired++;
    wake?.();
  }, 2);
  let handled = 0;
  do {
    if (fired === handled) await new Promise<void>((resolve) => (wake = resolve));
    handled = fired;
    if (handled >= 3) break;
  } while (true);
  clearInterval(timer);
  return handled;
}

async function main() {
  // Same delay, started in order: timers of one duration fire in the order they were set.
  await Promise.all([ticker('a', 3, 3), ticker('b', 3, 3), ticker('c', 3, 3)]);
  console.log(order.join(' '));
  console.log((await phases()).join(' '));
  console.log('interval handled', await intervalLoop());
  const unref = setTimeout(() => console.log('never: unref timer'), 60_000);
  unref.unref();
}

main();
