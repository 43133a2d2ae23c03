// Event loops in derived-class constructors (before and around super()), with new.target and super property calls.
class Base {
  readonly created: string[] = [];
  constructor(readonly label: string) {
    this.created.push(`base ${label} for ${new.target.name}`);
  }
  describe(): string {
    return `base:${this.label}`;
  }
}

class Before extends Base {
  constructor(parts: string[]) {
    let label = '';
    let i = 0;
    while (true) {
      if (i === parts.length) break;
      label += parts[i++];
    }
    super(label);
  }
}

class Inside extends Base {
  constructor(attempts: number) {
    let tries = 0;
    for (;;) {
      tries++;
      if (tries < attempts) continue;
      super(`after ${tries}`);
      break;
    }
  }
  override describe(): string {
    const out: string[] = [];
    let n = 0;
    do {
      out.push(super.describe());
    } while (true && ++n < 2);
    while (true) {
      out.push(super.describe().toUpperCase());
      return out.join(' ');
    }
  }
}

class AsyncInit extends Base {
  ready: Promise<string>;
  constructor() {
    super('async');
    this.ready = (async () => {
      const seen: string[] = [];
      for await (const part of ['a', 'b']) seen.push(`${part}:${super.describe()}`);
      return seen.join(',');
    })();
  }
}

async function main() {
  const before = new Before(['x', 'y', 'z']);
  console.log(before.label, before.created.join(';'));
  const inside = new Inside(3);
  console.log(inside.label, inside.describe());
  const asyncInit = new AsyncInit();
  console.log(await asyncInit.ready);
}

main();
