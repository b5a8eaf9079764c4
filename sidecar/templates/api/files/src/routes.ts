// The routes: method + path → handler. Handlers read JSON bodies with readJson and answer with
// sendJson; an unknown path is a 404 and a known path with another method a 405.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { addItem, listItems } from './items.js'

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void

const routes: Record<string, Partial<Record<string, Handler>>> = {
  '/': {
    GET: (_request, response) => sendJson(response, 200, { name: '{{name}}', routes: Object.keys(routes) }),
  },
  '/api/health': {
    GET: (_request, response) => sendJson(response, 200, { ok: true }),
  },
  '/api/items': {
    GET: (_request, response) => sendJson(response, 200, listItems()),
    POST: async (request, response) => {
      const body = await readJson(request)
      const title = typeof body === 'object' && body !== null && 'title' in body ? body.title : undefined
      if (typeof title !== 'string' || title.trim() === '') {
        sendJson(response, 400, { error: 'Send {"title": "…"} with a non-empty title.' })
        return
      }
      sendJson(response, 201, addItem(title.trim()))
    },
  },
}

export async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost')
  const route = routes[pathname]
  if (!route) return sendJson(response, 404, { error: `No route for ${pathname}` })
  const handler = route[request.method ?? 'GET']
  if (!handler) return sendJson(response, 405, { error: `${request.method} is not allowed on ${pathname}` })
  await handler(request, response)
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  response.end(JSON.stringify(body))
}

/** The request's JSON body (at most 1 MB), or undefined when it is empty or not JSON. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > 1024 * 1024) return undefined
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return undefined
  }
}
