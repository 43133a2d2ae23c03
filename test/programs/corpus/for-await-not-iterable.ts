// for await over values that are not (async) iterable, or whose iterator methods are broken: the TypeError messages.
async function attempt(label: string, source: () => unknown): Promise<void> {
  try {
    const value = source();
    for await (const x of value as AsyncIterable<unknown>) console.log(label, 'value', x);
    console.log(label, 'completed');
  } catch (error) {
    console.log(label, (error as Error).name, (error as Error).message);
  }
}

async function main() {
  await attempt('number', () => 5);
  await attempt('null', () => null);
  await attempt('undefined', () => undefined);
  await attempt('plain object', () => ({}));
  await attempt('asyncIterator not callable', () => ({ [Symbol.asyncIterator]: 3 }));
  await attempt('asyncIterator gives a primitive', () => ({ [Symbol.asyncIterator]: () => 7 }));
  await attempt('iterator gives a primitive', () => ({ [Symbol.iterator]: () => 'x' }));
  await attempt('iterator without next', () => ({ [Symbol.asyncIterator]: () => ({}) }));
  await attempt('sync next gives a primitive', () => ({ [Symbol.iterator]: () => ({ next: () => 1 }) }));
  await attempt('asyncIterator null falls back to iterator', () => ({ [Symbol.asyncIterator]: null, [Symbol.iterator]: () => [9].values() }));
  await attempt('asyncIterator getter throws', () => ({
    get [Symbol.asyncIterator](): never {
      throw new Error('getter threw');
    },
  }));
}

main();
