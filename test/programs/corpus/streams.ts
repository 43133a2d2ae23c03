// Streams in event loops: for await over Readable.from and a Transform pipeline, break destroying the stream, stream errors.
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

async function main() {
  const words: string[] = [];
  for await (const chunk of Readable.from(['alpha', 'beta', 'gamma'])) words.push(chunk as string);
  console.log('words', words.join(' '));

  const early = Readable.from([1, 2, 3, 4]);
  early.on('close', () => console.log('early closed'));
  for await (const n of early) {
    console.log('early', n);
    if (n === 2) break;
  }
  console.log('destroyed', early.destroyed);

  const upper = new Transform({
    objectMode: true,
    transform(chunk: string, _encoding, callback) {
      callback(null, chunk.toUpperCase());
    },
  });
  const collected: string[] = [];
  const sink = new Writable({
    objectMode: true,
    write(chunk: string, _encoding, callback) {
      collected.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(['x', 'y', 'z']), upper, sink);
  console.log('pipeline', collected.join(''));

  async function* numbered(source: AsyncIterable<string>): AsyncGenerator<string> {
    let n = 0;
    for await (const line of source) yield `${++n}:${line}`;
  }
  const numberedLines: string[] = [];
  await pipeline(Readable.from(['a', 'b']), numbered, async function (source: AsyncIterable<string>) {
    for await (const line of source) numberedLines.push(line);
  });
  console.log('generator pipeline', numberedLines.join(' '));

  const failing = new Readable({ objectMode: true, read() {} });
  failing.push('first');
  setImmediate(() => failing.destroy(new Error('stream broke')));
  try {
    for await (const chunk of failing) console.log('failing chunk', chunk);
  } catch (error) {
    console.log('stream error', (error as Error).message);
  }

  const through = new PassThrough();
  const reader = (async () => {
    const got: string[] = [];
    while (true) {
      const chunk: Buffer | null = through.read();
      if (chunk !== null) {
        got.push(chunk.toString());
        continue;
      }
      if (through.readableEnded) return got.join('');
      await new Promise((resolve) => through.once('readable', resolve).once('end', resolve));
    }
  })();
  through.write('he');
  setImmediate(() => through.end('llo'));
  console.log('passthrough', await reader);
}

main();
