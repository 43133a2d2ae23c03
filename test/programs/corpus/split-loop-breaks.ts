// Unlabelled breaks in places where the transform must tell which loop they leave: blocks, labelled
// blocks, try/catch/finally, nested loops, switches, do-while and for (; true ;), sync and async.
const log = (...parts: unknown[]) => console.log(...parts);

function blocksAndTry(limit: number): string {
  const seen: string[] = [];
  let i = 0;
  while (true) {
    i++;
    block: {
      if (i === 2) break block;
      if (i > limit) break;
      seen.push(`b${i}`);
    }
    try {
      if (i === 3) continue;
      if (i === limit) break;
    } finally {
      seen.push(`f${i}`);
    }
    for (const x of [1, 2, 3]) {
      if (x === 2) break;
      seen.push(`x${x}`);
    }
  }
  return seen.join(' ');
}

async function catchAndSwitch(values: number[]): Promise<string> {
  const out: string[] = [];
  let k = 0;
  for (; true; ) {
    const v = await Promise.resolve(values[k++]);
    try {
      if (v === undefined) throw new Error('end');
      switch (v % 3) {
        case 0:
          out.push(`zero${v}`);
          break;
        case 1:
          if (v > 6) break;
          out.push(`one${v}`);
          continue;
        default:
          out.push(`two${v}`);
      }
      out.push(`after${v}`);
    } catch (error) {
      out.push((error as Error).message);
      break;
    }
  }
  return out.join(' ');
}

function doWhile(): number[] {
  const out: number[] = [];
  let n = 0;
  do {
    n++;
    if (n % 2 === 0) continue;
    if (n > 7) break;
    out.push(n);
  } while (true);
  return out;
}

async function nestedEventLoops(): Promise<string> {
  const out: string[] = [];
  let outer = 0;
  while (true) {
    outer++;
    let inner = 0;
    for (;;) {
      inner += await Promise.resolve(1);
      if (inner > outer) break;
      out.push(`${outer}.${inner}`);
    }
    if (outer === 3) break;
  }
  return out.join(' ');
}

function* numbers(): Generator<number> {
  let n = 0;
  while (true) {
    n++;
    if (n > 4) break;
    yield n;
  }
}

async function main(): Promise<void> {
  log(blocksAndTry(5));
  log(await catchAndSwitch([3, 4, 5, 7, 9]));
  log(doWhile().join(','));
  log(await nestedEventLoops());
  log([...numbers()].join(','));
}

main();
