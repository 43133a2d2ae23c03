// A script (no import or export) with event loops at the top level and in functions: the runtime is required, not imported.
function drain(xs: number[]): number {
  let sum = 0;
  while (true) {
    const x = xs.shift();
    if (x === undefined) return sum;
    sum += x;
  }
}

for (let i = 0; ; i++) {
  if (i === 3) break;
  console.log('top-level iteration', i, drain([i, i, i]));
}

(async function () {
  let n = 0;
  while (true) {
    await new Promise((resolve) => setImmediate(resolve));
    console.log('async tick', n);
    if (++n === 2) break;
  }
  for await (const v of [Promise.resolve('last')]) console.log(v);
})();
