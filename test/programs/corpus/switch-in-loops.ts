// break and continue inside switch statements inside event loops (break leaves the switch, continue the loop).
type Command = { op: 'add' | 'skip' | 'stop' | 'echo'; value?: number };

async function interpret(commands: Command[]): Promise<string> {
  const out: string[] = [];
  let total = 0;
  let pc = 0;
  loop: while (true) {
    const command = await Promise.resolve(commands[pc++]);
    switch (command.op) {
      case 'add':
        total += command.value ?? 0;
        break;
      case 'skip':
        continue;
      case 'stop':
        break loop;
      case 'echo':
        out.push(String(total));
      // falls through
      default:
        out.push('after echo');
    }
    out.push(`pc${pc}`);
  }
  return `${out.join(' ')} total=${total}`;
}

function stateMachine(input: string): string {
  let state = 'start';
  let i = 0;
  const path: string[] = [];
  for (;;) {
    path.push(state);
    const ch = input[i++];
    switch (state) {
      case 'start':
        state = ch === 'a' ? 'a' : 'fail';
        break;
      case 'a':
        if (ch === 'b') {
          state = 'b';
          continue;
        }
        state = ch === undefined ? 'done' : 'a';
        break;
      case 'b':
        state = 'done';
        break;
      default:
        return path.join('>');
    }
  }
}

async function main() {
  console.log(
    await interpret([{ op: 'add', value: 2 }, { op: 'skip' }, { op: 'echo' }, { op: 'add', value: 3 }, { op: 'echo' }, { op: 'stop' }]),
  );
  console.log(stateMachine('aab'), stateMachine('x'), stateMachine('a'));
}

main();
