// The commands the CLI offers: a name, a one-line summary for --help, and what it does.
export interface Command {
  summary: string
  run(args: string[]): string
}

export const commands: Record<string, Command> = {
  greet: {
    summary: 'greet someone: greet <name>',
    run: ([name = 'world']) => `Hello, ${name}!`,
  },
  count: {
    summary: 'count the words given: count <words…>',
    run: (words) => `${words.length} ${words.length === 1 ? 'word' : 'words'}`,
  },
}
