// Concurrent for await loops over async generators, sync arrays and custom iterators: the exact interleaving of their steps.
const trace: string[] = [];

async function* gen(name: string, n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    trace.push(`${name}y${i}`);
    yield i;
  }
  trace.push(`${name}end`);
}

function custom(name: string, n: number): AsyncIterable<number> {
  return {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: () => {
          trace.push(`${name}n${i}`);
          return Promise.resolve({ value: i, done: i++ >= n });
        },
        return: () => {
          trace.push(`${name}r`);
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

async function overGen(name: string): Promise<void> {
  for await (const v of gen(name, 3)) trace.push(`${name}b${v}`);
  trace.push(`${name}done`);
}

async function overArray(name: string): Promise<void> {
  for await (const v of [0, Promise.resolve(1), 2]) trace.push(`${name}b${v}`);
  trace.push(`${name}done`);
}

async function overCustom(name: string): Promise<void> {
  for await (const v of custom(name, 5)) {
    trace.push(`${name}b${v}`);
    if (v === 2) break;
  }
  trace.push(`${name}done`);
}

async function overGenBreak(name: string): Promise<void> {
  for await (const v of gen(name, 5)) {
    trace.push(`${name}b${v}`);
    if (v === 1) break;
  }
  trace.push(`${name}done`);
}

async function overSyncGenerator(name: string): Promise<void> {
  function* values() {
    yield 0;
    yield Promise.resolve(1);
  }
  for await (const v of values()) trace.push(`${name}b${v}`);
  trace.push(`${name}done`);
}

async function overSyncBreak(name: string): Promise<void> {
  function* values() {
    try {
      yield 0;
      yield Promise.resolve(1);
      yield 2;
    } finally {
      trace.push(`${name}closed`);
    }
  }
  for await (const v of values()) {
    trace.push(`${name}b${v}`);
    if (v === 1) break;
  }
  trace.push(`${name}done`);
}

async function overRejection(name: string): Promise<void> {
  try {
    for await (const v of [0, Promise.reject(new Error('no')), 2]) trace.push(`${name}b${v}`);
  } catch {
    trace.push(`${name}caught`);
  }
}

async function main() {
  await Promise.all([
    overGen('G'),
    overArray('A'),
    overCustom('C'),
    overGenBreak('B'),
    overSyncGenerator('S'),
    overSyncBreak('X'),
    overRejection('R'),
  ]);
  console.log(trace.join(' '));
}

main();
