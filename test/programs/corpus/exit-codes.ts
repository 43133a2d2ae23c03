// process.exitCode set inside a loop, then process.exit() from a finally inside a nested event loop: same exit code and output.
process.on('exit', (code) => console.log('exit event', code));

async function main() {
  let round = 0;
  while (true) {
    round++;
    process.exitCode = round;
    if (round === 3) break;
    await null;
  }
  console.log('exitCode', process.exitCode);
  setImmediate(() => console.log('never printed'));
  for (;;) {
    try {
      for await (const x of [1, 2]) {
        console.log('inner', x);
        if (x === 2) throw new Error('ends the loops');
      }
    } finally {
      console.log('finally runs before exit');
      process.exit(7);
    }
  }
}

main();
