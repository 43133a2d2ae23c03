// for (;;) loops with labelled break and continue across lexically nested event loops.
const out: string[] = [];

function grid(): void {
  rows: for (let r = 0; ; r++) {
    if (r === 4) break rows;
    cols: for (let c = 0; ; c++) {
      if (c > r) continue rows;
      if ((r + c) % 3 === 2) continue cols;
      if (r === 3 && c === 2) break rows;
      out.push(`${r}${c}`);
    }
  }
  console.log('grid', out.join(' '));
}

async function labelledAsync(): Promise<void> {
  const seen: number[] = [];
  let n = 0;
  outer: for (;;) {
    n++;
    inner: for (;;) {
      const v = await Promise.resolve(n * 10);
      seen.push(v);
      if (n % 2 === 0) continue outer;
      if (n >= 5) break outer;
      break inner;
    }
    seen.push(-n);
  }
  console.log('async', seen.join(','));
}

function closures(): void {
  const fns: Array<() => number> = [];
  for (let i = 0; ; i++) {
    if (i === 3) break;
    fns.push(() => i);
  }
  console.log('closures', fns.map((f) => f()).join(','));
}

function blockLabel(): void {
  let k = 0;
  block: {
    for (;;) {
      k++;
      if (k === 2) break block;
    }
  }
  console.log('block label', k);
}

async function main() {
  grid();
  await labelledAsync();
  closures();
  blockLabel();
  a: b: for (;;) {
    console.log('two labels');
    for (;;) break a;
  }
}

main();
