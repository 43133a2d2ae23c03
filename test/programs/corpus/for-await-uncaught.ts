// An uncaught TypeError from closing a for await loop (return() gives a non-object) after break: same crash.
const source = {
  [Symbol.asyncIterator]() {
    let i = 0;
    return {
      next: () => Promise.resolve({ value: i++, done: false }),
      return: () => {
        console.log('return called');
        return 17;
      },
    };
  },
} as unknown as AsyncIterable<number>;

async function main(): Promise<void> {
  for await (const x of source) {
    console.log('value', x);
    if (x === 1) break;
  }
  console.log('not printed');
}

process.on('exit', (code) => console.log('exit', code));
main();
