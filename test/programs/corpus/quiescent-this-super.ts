// Annotated (@quiescent) loops whose interruptible waits use this, super, arguments and yield around them (in methods and async generators).
class Base {
  protected scale = 10;
  async fetch(n: number): Promise<number> {
    return n * this.scale;
  }
}

class Worker extends Base {
  readonly log: string[] = [];

  async run(...limits: number[]): Promise<number> {
    let total = 0;
    let i = 0;
    // @quiescent worker-run
    while (true) {
      if (i === arguments.length) return total;
      this.log.push(`step ${i}`);
      total += await super.fetch(arguments[i] as number);
      this.log.push(`fetched ${i} of ${limits.length}`);
      i++;
    }
  }

  async *stream(count: number): AsyncGenerator<number, string> {
    let i = 0;
    // @quiescent
    while (true) {
      if (i === count) return 'stream done';
      const value = (await this.fetch(i)) + 1;
      yield value;
      i++;
    }
  }
}

async function main() {
  const worker = new Worker();
  console.log('total', await worker.run(1, 2, 3));
  console.log(worker.log.join(', '));
  const values: number[] = [];
  const stream = worker.stream(3);
  for (;;) {
    const step = await stream.next();
    if (step.done) {
      console.log(values.join(','), step.value);
      break;
    }
    values.push(step.value);
  }
  const early = worker.stream(5);
  await early.next();
  console.log(await early.return('closed early'), await early.next());
}

main();
