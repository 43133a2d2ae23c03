// for await with destructuring bindings and with targets that already exist (variables, properties, elements).
async function* pairs(): AsyncGenerator<[string, number]> {
  try {
    yield ['a', 1];
    yield ['b', 2];
    yield ['c', 3];
  } finally {
    console.log('pairs closed');
  }
}

async function* records(): AsyncGenerator<{ id: number; tags?: string[] }> {
  yield { id: 1, tags: ['x', 'y'] };
  yield { id: 2 };
}

async function main() {
  for await (const [key, value] of pairs()) console.log('const pair', key, value);

  for await (const { id, tags: [first = 'none', ...rest] = [] } of records()) console.log('record', id, first, rest.length);

  let last: [string, number] | undefined;
  for await (last of pairs()) if (last[1] === 2) break;
  console.log('existing variable', last);

  const target = { current: '', count: 0 };
  for await (target.current of ['p', 'q']) target.count++;
  console.log('property target', target.current, target.count);

  const slots: number[] = [];
  let k = 0;
  for await (slots[k++] of [10, 20, 30]) if (k === 2) continue;
  console.log('element targets', slots.join(','), k);

  let a = 0;
  let b = 0;
  for await ([a, b] of [[1, 2], [3, 4]]) console.log('array pattern into lets', a + b);
  for await ({ a, b } of [{ a: 5, b: 6 }]) console.log('object pattern into lets', a * b);

  try {
    for await (const [x] of [[1], 2 as unknown as number[]]) console.log('destructure ok', x);
  } catch (error) {
    console.log('destructuring failed', (error as Error).name);
  }
  try {
    for await (const { deep: { er } } of pairs() as AsyncGenerator<any>) console.log('unreachable', er);
  } catch (error) {
    console.log('nested destructuring failed', (error as Error).name);
  }

  const setter = {
    log: [] as string[],
    set value(v: string) {
      this.log.push(`set ${v}`);
      if (v === 'bad') throw new Error('setter refused');
    },
  };
  try {
    for await (setter.value of ['good', 'bad', 'never']) setter.log.push('body');
  } catch (error) {
    console.log('setter error', (error as Error).message, setter.log.join(','));
  }
  for await (var hoisted of [1, 2]) void hoisted;
  const readHoisted = () => hoisted;
  console.log('var binding after the loop', readHoisted());
  const fns: Array<() => number> = [];
  for await (const n of [1, 2, 3]) fns.push(() => n);
  console.log('per-iteration bindings', fns.map((f) => f()).join(','));
}

main();
