// try/catch/finally inside and around event loops: completion values, overriding and order of finally blocks.
const trace: string[] = [];

function finallyContinue(): number {
  let i = 0;
  while (true) {
    try {
      i++;
      if (i < 3) continue;
      break;
    } finally {
      trace.push(`fc${i}`);
    }
  }
  return i;
}

function finallyBreaksOverThrow(): string {
  while (true) {
    try {
      throw new Error('swallowed');
    } finally {
      trace.push('fb');
      // eslint-disable-next-line no-unsafe-finally
      break;
    }
  }
  return 'after break';
}

async function catchInside(): Promise<string[]> {
  const got: string[] = [];
  let i = 0;
  while (true) {
    try {
      i++;
      if (i % 2 === 0) throw new Error(`even ${i}`);
      got.push(await Promise.resolve(`odd ${i}`));
    } catch (error) {
      got.push(`caught ${(error as Error).message}`);
      if (i >= 4) return got;
    } finally {
      got.push(`finally ${i}`);
    }
  }
}

async function tryAround(): Promise<void> {
  try {
    for (;;) {
      await null;
      trace.push('ta');
      return;
    }
  } finally {
    trace.push('ta finally');
  }
}

async function nestedFinally(): Promise<void> {
  try {
    outer: while (true) {
      try {
        while (true) {
          try {
            await Promise.resolve();
            break outer;
          } finally {
            trace.push('nf inner');
          }
        }
      } finally {
        trace.push('nf middle');
      }
    }
  } finally {
    trace.push('nf outer');
  }
}

async function main() {
  console.log(finallyContinue(), finallyBreaksOverThrow());
  console.log((await catchInside()).join(' | '));
  await tryAround();
  await nestedFinally();
  console.log(trace.join(' '));
}

main();
