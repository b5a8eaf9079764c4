// A tiny module for trying the agent on: ask it to explain, extend or test this.
export function greeting(name: string): string {
  return `Hello, ${name}!`;
}
