// Labels on for await: labelled continue/break from nested loops, and which iterators get closed.
function source(label: string, n: number): AsyncIterable<number> {
  return {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: async () => ({ value: i, done: i++ >= n }),
        return: async () => {
          console.log(`  close ${label} at ${i}`);
          return { value: undefined, done: true };
        },
      };
    },
  };
}

async function main() {
  outer: for await (const a of source('outer', 3)) {
    inner: for await (const b of source(`inner${a}`, 3)) {
      if (b === 1 && a === 0) continue outer;
      if (b === 2) continue inner;
      if (a === 2) break outer;
      console.log('pair', a, b);
    }
  }
  console.log('---');
  rows: for (let r = 0; r < 2; r++) {
    cells: for await (const c of source(`row${r}`, 5)) {
      if (c === 1) continue cells;
      if (c === 2) continue rows;
      console.log('cell', r, c);
    }
  }
  console.log('---');
  let count = 0;
  again: while (true) {
    for await (const v of source(`again${count}`, 4)) {
      if (v === count) {
        count++;
        if (count === 3) break again;
        continue again;
      }
    }
  }
  console.log('count', count);
  first: second: for await (const v of source('double', 3)) {
    if (v === 0) continue first;
    if (v === 1) continue second;
    break first;
  }
  console.log('done');
}

main();
