// Errors thrown inside event loops and caught outside them, with finally blocks on the way out.
class LoopError extends Error {
  constructor(readonly at: number) {
    super(`failed at ${at}`);
    this.name = 'LoopError';
  }
}

function syncThrow(): void {
  let i = 0;
  try {
    while (true) {
      try {
        if (++i === 3) throw new LoopError(i);
        console.log('sync iteration', i);
      } finally {
        console.log('sync finally', i);
      }
    }
  } catch (error) {
    console.log('caught', (error as Error).name, (error as Error).message, (error as LoopError).at);
  }
}

async function asyncThrow(): Promise<void> {
  let i = 0;
  for (;;) {
    await null;
    if (++i === 2) throw new LoopError(i);
    console.log('async iteration', i);
  }
}

async function rejected(): Promise<void> {
  while (true) {
    const value = await Promise.reject(new TypeError('rejected wait'));
    console.log('unreachable', value);
  }
}

async function trailingRejected(): Promise<void> {
  let n = 0;
  while (true) {
    console.log('trailing iteration', ++n);
    await (n === 2 ? Promise.reject(new RangeError('late')) : Promise.resolve());
  }
}

async function throwNonError(): Promise<void> {
  do {
    throw { code: 42 };
  } while (true);
}

async function main() {
  syncThrow();
  await asyncThrow().catch((error: LoopError) => console.log('async caught', error.message));
  await rejected().catch((error: Error) => console.log('rejected caught', error.name, error.message));
  await trailingRejected().catch((error: Error) => console.log('trailing caught', error.name, error.message));
  await throwNonError().catch((error: unknown) => console.log('non-error', JSON.stringify(error)));
  try {
    for (;;) {
      try {
        for (;;) throw new Error('inner');
      } catch (error) {
        console.log('inner caught', (error as Error).message);
        throw new Error('outer', { cause: error });
      }
    }
  } catch (error) {
    console.log('outer caught', (error as Error).message, ((error as Error).cause as Error).message);
  }
}

main();
