// A rejected promise created inside a for await body and left unhandled: same crash, same order of output.
async function* ticks(): AsyncGenerator<number> {
  try {
    for (let i = 0; ; i++) yield i;
  } finally {
    console.log('ticks closed');
  }
}

async function main(): Promise<void> {
  for await (const t of ticks()) {
    console.log('tick', t);
    if (t === 2) {
      Promise.reject(new RangeError(`tick ${t} out of range`));
      await new Promise((resolve) => setImmediate(resolve));
      console.log('not printed');
    }
  }
}

main();
