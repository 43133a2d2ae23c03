// Async generators with event loops, driven by hand: queued next() calls, return() and throw() while suspended.
async function* feed(name: string): AsyncGenerator<string, string, string | undefined> {
  let n = 0;
  try {
    while (true) {
      const reply = yield `${name}${n++}`;
      if (reply === 'stop') return `${name} stopped`;
      await null;
      if (reply !== undefined) console.log(name, 'got', reply);
    }
  } finally {
    console.log(name, 'finally');
    await Promise.resolve();
    console.log(name, 'finally done');
  }
}

async function* poller(): AsyncGenerator<number> {
  let i = 0;
  for (;;) {
    const value = await new Promise<number>((resolve) => setImmediate(() => resolve(i * i)));
    yield value;
    i++;
  }
}

async function* failing(): AsyncGenerator<number> {
  let i = 0;
  do {
    if (i === 2) throw new Error('generator failed');
    yield i++;
  } while (true);
}

async function main() {
  const f = feed('f');
  // Three next() calls queued before any settles: they resolve in order.
  const queued = await Promise.all([f.next(), f.next('one'), f.next('two')]);
  console.log(queued.map((r) => r.value).join(','));
  console.log(await f.next('stop'), await f.next());

  const g = feed('g');
  await g.next();
  console.log(await g.return('early'));
  const h = feed('h');
  await h.next();
  await h.throw(new Error('thrown in')).catch((error: Error) => console.log('h threw', error.message));

  const p = poller();
  const squares: number[] = [];
  for (let k = 0; k < 4; k++) squares.push((await p.next()).value as number);
  await p.return(undefined);
  console.log('squares', squares.join(','), await p.next());

  const results: string[] = [];
  const q = failing();
  for (let k = 0; k < 4; k++) {
    await q.next().then(
      (r) => results.push(JSON.stringify(r)),
      (error: Error) => results.push(error.message),
    );
  }
  console.log(results.join(' '));
}

main();
