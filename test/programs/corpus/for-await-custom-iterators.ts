// for await over hand-written async iterators whose next()/return() throw, reject or return non-objects: which calls happen, which error wins.
type Step = { value?: unknown; done?: unknown };

function iterable(label: string, behaviour: { next?: (i: number) => unknown; ret?: (() => unknown) | null | number }) {
  let i = 0;
  const iterator: Record<string, unknown> = {
    next(...args: unknown[]) {
      console.log(`  ${label}.next(${args.length} args)`);
      return behaviour.next ? behaviour.next(i++) : Promise.resolve<Step>({ value: i++, done: false });
    },
  };
  if (behaviour.ret !== null) {
    iterator.return =
      typeof behaviour.ret === 'number'
        ? behaviour.ret
        : function (this: unknown, ...args: unknown[]) {
            console.log(`  ${label}.return(${args.length} args) this ok: ${this === iterator}`);
            return behaviour.ret ? (behaviour.ret as () => unknown)() : Promise.resolve({ done: true });
          };
  }
  return { [Symbol.asyncIterator]: () => iterator } as unknown as AsyncIterable<unknown>;
}

async function run(name: string, body: () => Promise<unknown>): Promise<void> {
  console.log(name);
  try {
    console.log('  result', await body());
  } catch (error) {
    console.log('  error', (error as Error).message ?? error);
  }
}

async function main() {
  await run('break calls return', async () => {
    for await (const x of iterable('a', {})) if (x === 1) break;
  });
  await run('done result: no return', async () => {
    for await (const x of iterable('b', { next: (i) => ({ value: i, done: i === 2 }) })) console.log('  b value', x);
  });
  await run('done truthy non-boolean', async () => {
    for await (const x of iterable('b2', { next: (i) => ({ value: i, done: i && 'yes' }) })) console.log('  b2 value', x);
  });
  await run('next throws synchronously', async () => {
    for await (const x of iterable('c', { next: () => { throw new Error('next threw'); } })) console.log(x);
  });
  await run('next rejects', async () => {
    for await (const x of iterable('d', { next: () => Promise.reject(new Error('next rejected')) })) console.log(x);
  });
  await run('next returns a non-object', async () => {
    for await (const x of iterable('e', { next: () => 42 })) console.log(x);
  });
  await run('next resolves a non-object', async () => {
    for await (const x of iterable('e2', { next: () => Promise.resolve(null) })) console.log(x);
  });
  await run('return throws after break', async () => {
    for await (const x of iterable('f', { ret: () => { throw new Error('return threw'); } })) break;
  });
  await run('return rejects after return', async () => {
    for await (const x of iterable('g', { ret: () => Promise.reject(new Error('return rejected')) })) return x;
  });
  await run('return gives a non-object after break', async () => {
    for await (const x of iterable('h', { ret: () => 'nope' })) break;
  });
  await run('return gives a non-object after throw: body error wins', async () => {
    for await (const x of iterable('i', { ret: () => 'nope' })) throw new Error(`body ${x}`);
  });
  await run('return throws after throw: body error wins', async () => {
    for await (const x of iterable('j', { ret: () => { throw new Error('return threw'); } })) throw new Error(`body ${x}`);
  });
  await run('no return method', async () => {
    for await (const x of iterable('k', { ret: null })) return `k ${x}`;
  });
  await run('return is not callable: break', async () => {
    for await (const x of iterable('l', { ret: 5 })) break;
  });
  await run('return is not callable: throw', async () => {
    for await (const x of iterable('m', { ret: 5 })) throw new Error('body m');
  });
  await run('value getter and done getter order', async () => {
    const seen: string[] = [];
    const it = iterable('n', {
      next: (i) => ({
        get done() { seen.push(`done${i}`); return i > 1; },
        get value() { seen.push(`value${i}`); return i; },
      }),
    });
    for await (const x of it) seen.push(`body${x}`);
    return seen.join(' ');
  });
  await run('next is read once', async () => {
    let reads = 0;
    const it = {
      i: 0,
      get next() {
        reads++;
        return () => Promise.resolve({ value: this.i++, done: this.i > 3 });
      },
      [Symbol.asyncIterator]() { return this; },
    };
    const got: unknown[] = [];
    for await (const x of it) got.push(x);
    return `${got.join(',')} reads=${reads}`;
  });
  await run('value getter throws: no return', async () => {
    const it = iterable('p', {
      next: () => ({
        done: false,
        get value(): never {
          throw new Error('value getter threw');
        },
      }),
    });
    for await (const x of it) console.log('  p value', x);
  });
  await run('done getter throws: no return', async () => {
    const it = iterable('q', {
      next: () => ({
        get done(): never {
          throw new Error('done getter threw');
        },
      }),
    });
    for await (const x of it) console.log('  q value', x);
  });
  await run('binding target throws: return', async () => {
    const target = {
      set value(v: unknown) {
        throw new Error(`setter refused ${String(v)}`);
      },
    };
    for await (target.value of iterable('r', {})) console.log('  unreachable');
  });
  await run('continue does not call return', async () => {
    for await (const x of iterable('o', { next: (i) => ({ value: i, done: i === 3 }) })) {
      if (x === 1) continue;
      console.log('  o value', x);
    }
  });
}

main();
