// An error with extra properties thrown from a synchronous event loop at module level and never caught.
class ConfigError extends Error {
  code = 'E_CONFIG';
  detail = { key: 'port', value: -1 };
}

const values = [8080, 8081, -1, 8082];
let index = 0;
process.on('exit', (code) => console.log('exit code', code));
for (;;) {
  const value = values[index++];
  console.log('checking', value);
  if (value < 0) throw new ConfigError(`bad port ${value}`);
}
