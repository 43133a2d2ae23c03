// do … while (true) with continue (which re-enters the body), break and a trailing await.
async function main() {
  let i = 0;
  do {
    i++;
    if (i < 3) {
      console.log('continue at', i);
      continue;
    }
    console.log('body at', i);
    if (i === 5) break;
    await Promise.resolve();
  } while (true);

  let j = 0;
  do j++; while (j < 3 && true);
  console.log('j', j);

  let k = 0;
  const ticks: string[] = [];
  const other = (async () => {
    for (let t = 0; t < 6; t++) {
      ticks.push(`o${t}`);
      await null;
    }
  })();
  do {
    ticks.push(`d${k}`);
    if (++k === 4) break;
    await null;
  } while (true);
  await other;
  console.log('ticks', ticks.join(' '));

  let n = 0;
  do {
    n++;
  } while ((true) && n < 2);
  console.log('n', n);
}

main();
