// for await over sync iterables: arrays, Sets, Maps, strings, arrays of promises and thenables, generators yielding promises.
function* promised(): Generator<Promise<string> | string> {
  try {
    yield Promise.resolve('p1');
    yield 'plain';
    yield new Promise<string>((resolve) => setImmediate(() => resolve('p2')));
  } finally {
    console.log('promised closed');
  }
}

const thenable = {
  then(resolve: (value: string) => void) {
    console.log('thenable then called');
    resolve('from thenable');
  },
};

async function main() {
  const seen: unknown[] = [];
  for await (const x of [1, Promise.resolve(2), 3]) seen.push(x);
  for await (const x of new Set(['a', 'b'])) seen.push(x);
  for await (const [k, v] of new Map([['k', 1]])) seen.push(`${k}=${v}`);
  for await (const ch of 'hi') seen.push(ch);
  for await (const x of [thenable]) seen.push(x);
  console.log(seen.join(' '));

  for await (const value of promised()) console.log('promised', value);
  for await (const value of promised()) {
    console.log('promised break', value);
    break;
  }

  const sparse = [1, , 3];
  for await (const x of sparse) console.log('sparse', x);
  const grows = [1];
  for await (const x of grows) {
    if (grows.length < 3) grows.push(x + 1);
    console.log('grows', x);
  }
  const iterable = {
    *[Symbol.iterator]() {
      yield 'custom';
    },
  };
  for await (const x of iterable) console.log(x);

  const closing = (result: () => unknown): Iterable<number> => ({
    [Symbol.iterator]() {
      let i = 0;
      return {
        next: () => ({ value: i++, done: false }),
        return(...args: unknown[]) {
          console.log(`sync return(${args.length} args)`);
          return result();
        },
      } as Iterator<number>;
    },
  });
  for await (const x of closing(() => ({ done: true }))) if (x === 1) break;
  try {
    for await (const x of closing(() => 5)) if (x === 0) break;
  } catch (error) {
    console.log('sync return gave a primitive:', (error as Error).message);
  }
  try {
    for await (const x of closing(() => ({ done: true, value: Promise.reject(new Error('rejected return value')) }))) break;
  } catch (error) {
    console.log('sync return value rejected:', (error as Error).message);
  }
  try {
    for await (const x of closing(() => { throw new Error('sync return threw'); })) throw new Error(`body wins ${x}`);
  } catch (error) {
    console.log((error as Error).message);
  }
}

main();
