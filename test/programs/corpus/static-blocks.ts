// Event loops in class static blocks, field initialisers and nested classes, run at class definition.
const order: string[] = [];

class Table {
  static readonly rows: string[] = [];
  static {
    let i = 0;
    while (true) {
      Table.rows.push(`row${i}`);
      if (++i === 3) break;
    }
    order.push('Table static block');
  }
  static readonly size = (() => {
    for (;;) return Table.rows.length;
  })();
  static {
    try {
      do {
        throw new Error('static throw');
      } while (true);
    } catch (error) {
      order.push(`caught ${(error as Error).message}`);
    }
  }
}

class Outer {
  static inner = class Inner {
    static primes: number[] = [];
    static {
      let n = 2;
      outer: while (true) {
        for (let d = 2; ; d++) {
          if (d * d > n) break;
          if (n % d === 0) {
            n++;
            continue outer;
          }
        }
        Inner.primes.push(n++);
        if (Inner.primes.length === 5) break;
      }
      order.push('Inner static block');
    }
  };
}

order.push('classes defined');
console.log(Table.rows.join(','), Table.size, Outer.inner.primes.join(','));
console.log(order.join(' / '));
