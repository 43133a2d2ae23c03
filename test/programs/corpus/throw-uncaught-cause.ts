// An uncaught error with a cause, thrown from a for await inside an async generator's consumer: stderr keeps message, cause and exit code.
async function* lines(): AsyncGenerator<string> {
  let n = 0;
  while (true) {
    yield `line ${n}`;
    if (++n === 3) throw new SyntaxError(`unexpected end after line ${n - 1}`);
  }
}

async function parse(): Promise<void> {
  try {
    for await (const line of lines()) console.log('parsed', line);
  } catch (error) {
    throw new Error('parse failed', { cause: error });
  }
}

parse();
