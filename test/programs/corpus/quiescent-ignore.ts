// Loops opted out with // @quiescent-ignore, next to the same loops left instrumented: same behaviour either way.
async function ignored(n: number): Promise<number[]> {
  const out: number[] = [];
  let i = 0;
  // @quiescent-ignore
  while (true) {
    out.push(await Promise.resolve(i));
    if (++i === n) return out;
  }
}

async function ignoredForAwait(): Promise<string[]> {
  const out: string[] = [];
  // @quiescent-ignore
  for await (const s of ['a', 'b']) out.push(s);
  return out;
}

async function mixed(): Promise<string> {
  const trace: string[] = [];
  const a = (async () => {
    // @quiescent-ignore
    for (;;) {
      trace.push('ignored');
      await null;
      if (trace.length > 4) break;
    }
  })();
  const b = (async () => {
    for (;;) {
      trace.push('instrumented');
      await null;
      if (trace.length > 4) break;
    }
  })();
  await Promise.all([a, b]);
  return trace.join(' ');
}

function ignoredSync(): number {
  let n = 0;
  outer: while (true) {
    // @quiescent-ignore
    while (true) {
      if (++n % 3 === 0) continue outer;
      if (n > 7) break outer;
    }
  }
  return n;
}

async function main() {
  console.log((await ignored(3)).join(','), (await ignoredForAwait()).join(','));
  console.log(await mixed());
  console.log('sync', ignoredSync());
}

main();
