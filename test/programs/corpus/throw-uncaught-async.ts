// An error thrown from an async event loop and never caught: same stderr first line and exit code.
async function worker(): Promise<never> {
  let n = 0;
  while (true) {
    const item = await Promise.resolve(n++);
    console.log('item', item);
    if (item === 2) throw new Error(`worker failed on item ${item}`);
  }
}

console.log('start');
worker();
setImmediate(() => console.log('not printed: the rejection ends the process first'));
