// moduleUpdate: new code reaches a running strand through its module reference; a failed migration
// rolls back; replaced modules are freed.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const server = path.join(__dirname, '../programs/quiesce/apps/reload/server.js');

test('a strand calls the new version of a module after each applied update, the old one after a failed one', () => {
  const { outcomes, replies, children } = JSON.parse(execFileSync(process.execPath, [server], { encoding: 'utf8', timeout: 20_000 }));
  assert.is(outcomes.length, 50);
  let current = 1;
  for (let i = 0; i < 50; i++) {
    // The request pushed before update i is served before it or after it, never with half of it.
    const before = replies.find((reply: string) => reply.endsWith(`:a${i}`));
    const after = replies.find((reply: string) => reply.endsWith(`:b${i}`));
    assert.ok(before !== undefined && after !== undefined, `request ${i} lost`);
    assert.is(outcomes[i], i % 5 === 4 ? 'failed' : 'applied');
    if (outcomes[i] === 'applied') current = i + 2;
    assert.is(after, `v${current}:b${i}`, `after update ${i} (${outcomes[i]})`);
  }
  assert.is(replies.length, 100);
  assert.is(children, 2, 'the entry module keeps exactly its own imports (quiesce, the handler) as children');
});

test('replacing a 1 MB module 100 times frees the old versions', () => {
  const script = `
    const fs = require('fs'), os = require('os'), path = require('path');
    const { moduleUpdate, requestUpdate } = require(${JSON.stringify(path.join(__dirname, '../../dist/runtime/index.js'))});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-reload-'));
    const file = path.join(dir, 'big.js');
    fs.writeFileSync(file, 'exports.data = Buffer.alloc(1 << 20, 7);');
    const big = require(file);
    (async () => {
      global.gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 100; i++) await requestUpdate(moduleUpdate([file]));
      global.gc(); await new Promise((r) => setTimeout(r, 20)); global.gc();
      console.log(JSON.stringify({ grownMB: (process.memoryUsage().arrayBuffers - before) / 1048576, length: big.data.length }));
      fs.rmSync(dir, { recursive: true });
    })();`;
  const { grownMB, length } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 20_000 }));
  assert.is(length, 1 << 20);
  assert.ok(grownMB < 10, `kept ${grownMB.toFixed(1)} MB after 100 reloads of 1 MB`);
});

test.run();
