// A queue-consuming strand that calls into a handler module; the handler is replaced while it runs.
import * as fs from 'node:fs';
import { Queue, moduleUpdate, requestUpdate } from 'quiesce';
import * as handler from './handler';

const requests = new Queue<string>();
const replies: string[] = [];

async function serve(): Promise<void> {
  while (true) {
    const line = await requests.pop();
    if (line === 'end') return;
    replies.push(handler.handle(line));
  }
}

async function main(): Promise<void> {
  const served = serve();
  const path = require.resolve('./handler');
  const source = fs.readFileSync(path, 'utf8');
  const outcomes: string[] = [];
  for (let i = 0; i < 50; i++) {
    void requests.push(`a${i}`);
    // Every other update installs the other version; every fifth fails in its migration.
    fs.writeFileSync(path, source.replace(/version = 1/, `version = ${i + 2}`));
    const result = await requestUpdate(
      moduleUpdate([path], () => {
        if (i % 5 === 4) throw new Error(`migration ${i} refused`);
      }),
    );
    outcomes.push(result.outcome);
    void requests.push(`b${i}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  fs.writeFileSync(path, source);
  void requests.push('end');
  await served;
  console.log(JSON.stringify({ outcomes, replies, children: module.children.length }));
}

void main();
