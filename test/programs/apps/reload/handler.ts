// Version 1 of a request handler; the reload test writes version 2 over the built file.
export const version = 1;

export function handle(line: string): string {
  return `v${version}:${line}`;
}
