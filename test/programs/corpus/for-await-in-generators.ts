// for await inside async generators with yield in the body: the consumer's break/return()/throw() closes the inner iterator.
async function* source(label: string): AsyncGenerator<number> {
  let i = 0;
  try {
    while (true) yield i++;
  } finally {
    console.log(`  ${label} source closed at ${i}`);
  }
}

async function* doubled(label: string): AsyncGenerator<number, string, undefined> {
  try {
    for await (const x of source(label)) {
      yield x * 2;
      if (x >= 5) return `${label} done`;
    }
    return 'unreachable';
  } finally {
    console.log(`  ${label} doubled finally`);
  }
}

async function main() {
  console.log('consumer break');
  for await (const d of doubled('a')) if (d === 4) break;

  console.log('return() while suspended in the body');
  const b = doubled('b');
  await b.next();
  console.log(await b.return('early'));

  console.log('throw() while suspended in the body');
  const c = doubled('c');
  await c.next();
  await c.throw(new Error('into c')).catch((error: Error) => console.log('  c rejected', error.message));

  console.log('runs to its return');
  const d = doubled('d');
  const got: number[] = [];
  for (;;) {
    const step = await d.next();
    if (step.done) {
      console.log('  returned', step.value, got.join(','));
      break;
    }
    got.push(step.value);
  }

  console.log('yield* of a generator with for await');
  async function* outer(): AsyncGenerator<number> {
    yield* doubled('e');
  }
  for await (const v of outer()) if (v === 2) break;
}

main();
