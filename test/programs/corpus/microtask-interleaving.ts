// Several concurrent async event loops awaiting already-settled values: the printed interleaving catches any extra microtask tick.
const trace: string[] = [];

async function plainAwaits(name: string, n: number): Promise<void> {
  let i = 0;
  while (true) {
    trace.push(`${name}${i}`);
    await undefined;
    if (++i === n) break;
  }
}

async function promiseAwaits(name: string, n: number): Promise<void> {
  for (let i = 0; ; i++) {
    if (i === n) return;
    trace.push(`${name}${i}`);
    await Promise.resolve(i);
  }
}

async function asyncCalls(name: string, n: number): Promise<void> {
  const step = async (i: number) => i;
  let i = 0;
  do {
    const v = await step(i);
    trace.push(`${name}${v}`);
  } while (true && ++i < n);
}

async function nestedCalls(name: string, n: number): Promise<void> {
  const inner = async (i: number): Promise<number> => {
    await null;
    return i;
  };
  for (;;) {
    const v = await inner(n);
    trace.push(`${name}${v}`);
    if (--n === 0) break;
  }
}

async function thenables(name: string, n: number): Promise<void> {
  let i = 0;
  while (true) {
    const v = await { then: (resolve: (x: number) => void) => resolve(i) };
    trace.push(`${name}${v}`);
    if (++i === n) break;
  }
}

async function main() {
  const all = Promise.all([plainAwaits('a', 4), promiseAwaits('b', 4), asyncCalls('c', 4), nestedCalls('d', 3), thenables('e', 3)]);
  trace.push('sync end');
  await all;
  console.log(trace.join(' '));
}

main();
