// return from inside event loops, through finally blocks, in sync and async functions.
const log: string[] = [];

function findSync(xs: number[], target: number): number {
  let i = 0;
  while (true) {
    try {
      if (i >= xs.length) return -1;
      if (xs[i] === target) return i;
    } finally {
      log.push(`f${i}`);
      i++;
    }
  }
}

async function findAsync(xs: number[], target: number): Promise<number> {
  for (let i = 0; ; i++) {
    const x = await Promise.resolve(xs[i]);
    if (x === undefined) return -1;
    if (x === target) return i;
  }
}

function overriddenReturn(): string {
  while (true) {
    try {
      return 'from try';
    } finally {
      // eslint-disable-next-line no-unsafe-finally
      if (log.length > 0) return 'from finally';
    }
  }
}

async function returnAwaited(): Promise<string> {
  do {
    return await new Promise<string>((resolve) => setImmediate(() => resolve('later')));
  } while (true);
}

async function main() {
  console.log(findSync([4, 5, 6], 5), findSync([1], 9));
  console.log(log.join(' '));
  console.log(await findAsync([7, 8, 9], 9), await findAsync([], 1));
  console.log(overriddenReturn());
  console.log(await returnAwaited());
  const order: string[] = [];
  const a = (async () => {
    while (true) {
      order.push('a');
      return 'A';
    }
  })();
  order.push('sync after a');
  const b = (async () => {
    while (true) {
      await null;
      order.push('b');
      return 'B';
    }
  })();
  order.push('sync after b');
  console.log(await a, await b, order.join(','));
}

main();
