// while (true) with break, continue and early exits, in sync and async functions.
const log = (...parts: unknown[]) => console.log(...parts);

function countSync(limit: number): number {
  let i = 0;
  let odd = 0;
  while (true) {
    i++;
    if (i > limit) break;
    if (i % 2 === 0) continue;
    odd++;
    log('sync odd', i);
  }
  return odd;
}

async function countAsync(limit: number): Promise<number> {
  let i = 0;
  let sum = 0;
  while (true) {
    i++;
    if (i % 3 === 0) continue;
    sum += await Promise.resolve(i);
    log('async step', i, sum);
    if (i >= limit) break;
  }
  return sum;
}

function singleStatementBody(): number {
  let n = 0;
  while (true) if (++n >= 4) break;
  return n;
}

async function main() {
  log('odd count', countSync(7));
  log('sum', await countAsync(8));
  log('single', singleStatementBody());
  let outer = 0;
  while ((true)) {
    outer++;
    let inner = 0;
    while (true) {
      inner++;
      if (inner === outer) break;
    }
    log('outer', outer, 'inner', inner);
    if (outer === 3) break;
  }
}

main().then(() => log('done'));
