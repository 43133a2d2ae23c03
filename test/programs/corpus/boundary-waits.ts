// Loops whose first statement is `const x = await …` after pure declarations, or whose last is `await …;`: values, errors and tick-exact interleaving.
const trace: string[] = [];
const source = { items: [1, 2, 3], index: 0 };

async function leadingConst(name: string): Promise<void> {
  while (true) {
    const limit = 3;
    type Unused = number;
    const label: Unused = limit;
    const item = await Promise.resolve(source.items[source.index++ % 3]);
    trace.push(`${name}${item}/${label}`);
    if (item === 3) break;
  }
}

async function leadingAssign(name: string): Promise<void> {
  let value = 0;
  for (;;) {
    value = await Promise.resolve(value + 1);
    trace.push(`${name}${value}`);
    if (value === 3) return;
  }
}

async function leadingDestructure(name: string): Promise<void> {
  let round = 0;
  do {
    const { a, b: [c] } = await Promise.resolve({ a: round, b: [round * 2] });
    trace.push(`${name}${a}${c}`);
    round++;
  } while (round < 3 && true);
  while (true) {
    const [x, y] = await new Promise<number[]>((resolve) => resolve([round, -round]));
    trace.push(`${name}${x}${y}`);
    if (++round === 5) break;
  }
}

async function trailing(name: string): Promise<void> {
  let i = 0;
  while (true) {
    trace.push(`${name}${i}`);
    if (++i > 3) break;
    await Promise.resolve();
  }
}

async function trailingValue(name: string): Promise<void> {
  let i = 0;
  for (;;) {
    trace.push(`${name}${i}`);
    if (i++ === 2) break;
    await i;
  }
}

async function expressionStatement(name: string): Promise<void> {
  let i = 0;
  while (true) {
    await (async () => {
      trace.push(`${name}${i}`);
    })();
    if (++i === 3) break;
  }
}

async function leadingRejects(): Promise<string> {
  let attempts = 0;
  while (true) {
    const ok = await (attempts++ < 1 ? Promise.resolve(false) : Promise.reject(new Error('leading wait rejected')));
    trace.push(`R${ok}`);
  }
}

async function main() {
  const all = Promise.all([
    leadingConst('L'),
    leadingAssign('A'),
    leadingDestructure('D'),
    trailing('T'),
    trailingValue('V'),
    expressionStatement('E'),
    leadingRejects().catch((error: Error) => trace.push(error.message)),
  ]);
  trace.push('sync end');
  await all;
  console.log(trace.join(' '));
}

main();
