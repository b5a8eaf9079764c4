#!/usr/bin/env node
// The command line: parses the arguments, prints help, and runs the chosen command.
import { parseArgs } from 'node:util'
import { commands } from './commands.js'

const usage = `Usage: {{name}} <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Options:
  -h, --help     show this help
  --shout        print in capitals`

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      shout: { type: 'boolean' },
    },
  })
  const [name, ...rest] = positionals
  if (values.help || !name) {
    console.log(usage)
    return values.help ? 0 : 1
  }
  const command = commands[name]
  if (!command) {
    console.error(`Unknown command "${name}". Run {{name}} --help for the list.`)
    return 1
  }
  const output = command.run(rest)
  console.log(values.shout ? output.toUpperCase() : output)
  return 0
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
}
