// Sync generators whose event loops are driven by the consumer: next(value), return(), throw(), yield*.
function* accumulator(): Generator<number, string, number | undefined> {
  let total = 0;
  try {
    while (true) {
      const input = yield total;
      if (input === undefined) continue;
      if (input < 0) return `negative ${input}`;
      total += input;
    }
  } finally {
    console.log('accumulator finally at', total);
  }
}

function* resilient(): Generator<string, void, unknown> {
  for (;;) {
    try {
      yield 'ready';
    } catch (error) {
      console.log('resilient caught', (error as Error).message);
      yield 'recovered';
    }
  }
}

function* naturals(): Generator<number> {
  let n = 0;
  while (true) yield n++;
}

function* evens(): Generator<number> {
  for (const n of naturals()) if (n % 2 === 0) yield n;
}

function* delegating(): Generator<number, void, undefined> {
  do {
    yield* [1, 2];
    return;
  } while (true);
}

const acc = accumulator();
console.log(acc.next(), acc.next(5), acc.next(undefined), acc.next(7));
console.log(acc.next(-1), acc.next(1));
const acc2 = accumulator();
acc2.next();
console.log(acc2.return('stopped'), acc2.next());

const r = resilient();
console.log(r.next().value, r.throw(new Error('first')).value, r.next().value, r.next().value);
try {
  r.throw(new Error('second'));
  r.throw(new Error('third'));
} catch (error) {
  console.log('escaped', (error as Error).message);
}
console.log(r.return(undefined));

const firstEvens: number[] = [];
for (const n of evens()) {
  if (n > 8) break;
  firstEvens.push(n);
}
console.log('evens', firstEvens.join(','), [...delegating()].join(','));
const abandoned = naturals();
abandoned.next();
console.log('abandoned without return', abandoned.next().value);
