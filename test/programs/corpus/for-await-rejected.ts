// for await over a sync iterable that yields a rejected promise: the error reaches the loop, the sync iterator is left as Node 20 leaves it.
function* withRejection(label: string): Generator<Promise<number> | number> {
  try {
    yield 1;
    yield Promise.reject(new Error(`${label} rejected`));
    yield 3;
  } finally {
    console.log(label, 'generator finally');
  }
}

async function consume(label: string): Promise<void> {
  try {
    for await (const x of withRejection(label)) console.log(label, 'value', x);
  } catch (error) {
    console.log(label, 'caught', (error as Error).message);
  }
}

async function main() {
  await consume('first');
  const it = withRejection('manual');
  const iterable = { [Symbol.iterator]: () => it };
  try {
    for await (const x of iterable) console.log('manual value', x);
  } catch (error) {
    console.log('manual caught', (error as Error).message);
  }
  console.log('sync iterator after the loop', JSON.stringify(it.next()));

  const arr = [Promise.resolve('ok'), Promise.reject(new TypeError('array rejected')), Promise.resolve('after')];
  try {
    for await (const x of arr) console.log('array value', x);
  } catch (error) {
    console.log('array caught', (error as Error).name, (error as Error).message);
  }
  await consume('second');
}

main();
