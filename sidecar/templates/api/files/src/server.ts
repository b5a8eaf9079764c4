// Starts the HTTP server: the port comes from --port, else PORT, else 3000.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { handle } from './routes.js'

const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: false })
const port = Number(values.port ?? process.env.PORT ?? 3000)

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    console.error(error)
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error: 'Internal server error' }))
  })
})

server.listen(port, 'localhost', () => {
  console.log(`{{title}} is listening.`)
  console.log(`  Local: http://localhost:${port}/`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
