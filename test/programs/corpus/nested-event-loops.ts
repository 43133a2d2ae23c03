// Lexically nested event loops (while (true) in while (true), for await in for (;;)) running concurrently.
const events: string[] = [];

async function session(name: string, batches: number[][]): Promise<void> {
  let b = 0;
  while (true) {
    const batch = await Promise.resolve(batches[b++]);
    if (batch === undefined) break;
    let i = 0;
    while (true) {
      if (i === batch.length) break;
      events.push(`${name}${batch[i++]}`);
      await null;
    }
    for (;;) {
      for await (const x of batch) {
        events.push(`${name}:${x}`);
        if (x < 0) break;
      }
      break;
    }
  }
  events.push(`${name} end`);
}

async function main() {
  await Promise.all([session('a', [[1, 2], [3]]), session('b', [[4], [-5, 6], [7, 8]]), session('c', [])]);
  console.log(events.join(' '));
}

main();
