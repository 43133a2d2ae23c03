// Event loops in methods, getters, constructors, arrows, object-literal methods and function expressions.
class Counter {
  readonly seen: number[] = [];
  #count = 0;

  constructor(start: number) {
    while (true) {
      this.seen.push(start);
      if (++start > 2) break;
    }
  }

  get next(): number {
    for (;;) return ++this.#count;
  }

  async drain(limit: number): Promise<number> {
    while (true) {
      const n = await Promise.resolve(this.next);
      this.seen.push(n);
      if (n >= limit) return n;
    }
  }

  static run = (xs: number[]): number => {
    let total = 0;
    let i = 0;
    do total += xs[i++]; while (true && i < xs.length);
    for (;;) {
      if (i-- === 0) break;
      total++;
    }
    return total;
  };
}

const helpers = {
  async first<T>(this: { tag: string }, items: AsyncIterable<T>): Promise<string> {
    for await (const item of items) return `${this.tag}:${String(item)}`;
    return `${this.tag}:none`;
  },
  tag: 'h',
};

const countdown = function (n: number): number[] {
  const out: number[] = [];
  while (true) {
    out.push(n);
    if (n-- === 0) return out;
  }
};

async function* items(): AsyncGenerator<string> {
  yield 'x';
  yield 'y';
}

async function main() {
  const counter = new Counter(0);
  console.log('drained to', await counter.drain(3), counter.seen.join(','));
  console.log('static arrow', Counter.run([1, 2, 3]));
  console.log(await helpers.first(items()), await helpers.first((async function* () {})()));
  console.log('countdown', countdown(3).join(','));
  const arrow = async (): Promise<string> => {
    const parts: string[] = [];
    let i = 0;
    while (true) {
      parts.push(String(await Promise.resolve(i)));
      if (++i === 3) return parts.join('');
    }
  };
  console.log('arrow', await arrow());
  const concise = async () => { for (;;) return (await Promise.resolve('concise')).toUpperCase(); };
  console.log(await concise());
}

main();
