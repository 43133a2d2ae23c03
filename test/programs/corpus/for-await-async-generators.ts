// for await over async generators with break, return, throw, continue: when the generator is closed and which error wins.
async function* numbers(label: string, failAt = -1): AsyncGenerator<number> {
  let i = 0;
  try {
    while (true) {
      await null;
      if (i === failAt) throw new Error(`${label} failed at ${i}`);
      yield i++;
    }
  } finally {
    console.log(label, 'closed after', i);
  }
}

async function* throwsOnClose(): AsyncGenerator<number> {
  try {
    yield 1;
    yield 2;
  } finally {
    // eslint-disable-next-line no-unsafe-finally
    throw new Error('close failed');
  }
}

async function breakEarly(): Promise<void> {
  for await (const n of numbers('break')) {
    if (n === 2) break;
    console.log('break saw', n);
  }
  console.log('after break');
}

async function returnEarly(): Promise<number> {
  for await (const n of numbers('return')) {
    if (n === 1) return n * 100;
  }
  return -1;
}

async function throwInBody(): Promise<void> {
  for await (const n of numbers('throw')) {
    if (n === 1) throw new Error('body threw');
  }
}

async function generatorThrows(): Promise<void> {
  for await (const n of numbers('gen', 2)) console.log('gen saw', n);
}

async function continueAll(): Promise<number> {
  let sum = 0;
  for await (const n of numbers('continue')) {
    if (n % 2 === 0) continue;
    sum += n;
    if (n > 5) break;
  }
  return sum;
}

async function closeErrors(): Promise<void> {
  try {
    for await (const n of throwsOnClose()) {
      console.log('close-errors saw', n);
      break;
    }
  } catch (error) {
    console.log('break, then', (error as Error).message);
  }
  try {
    for await (const n of throwsOnClose()) throw new Error(`body error ${n}`);
  } catch (error) {
    console.log('throw, then', (error as Error).message);
  }
  try {
    for await (const n of throwsOnClose()) console.log('complete saw', n);
  } catch (error) {
    console.log('completion, then', (error as Error).message);
  }
}

async function main() {
  await breakEarly();
  console.log('returned', await returnEarly());
  await throwInBody().catch((error: Error) => console.log('caught', error.message));
  await generatorThrows().catch((error: Error) => console.log('caught', error.message));
  console.log('sum', await continueAll());
  await closeErrors();
}

main();
