import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'

/**
 * A loopback HTTP proxy in front of a real peer: counts the requests that
 * reach it (by path), and can delay them or reset their connections, to test
 * batching, timeouts and failures against the real server.
 */
export interface HttpProxy {
  url: string
  requests: string[]
  delayMs: number
  /** When true, every request's connection is reset instead of answered. */
  reset: boolean
  /**
   * Answers every request itself, as a misbehaving server or a proxy in
   * front of one would: a 400 whose message echoes the request's headers
   * (credentials included), a 404 page, or a 200 that is not JSON.
   */
  fault: null | 'echo-headers-400' | 'html-404' | 'not-json-200'
  close(): Promise<void>
}

export async function startHttpProxy(upstream: string): Promise<HttpProxy> {
  const proxy: HttpProxy = { url: '', requests: [], delayMs: 0, reset: false, fault: null, close: async () => {} }
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    // AWS JSON APIs name the operation in a header, not the path: record it too.
    const target = request.headers['x-amz-target']
    proxy.requests.push(`${request.method} ${(request.url ?? '').split('?')[0]}${target ? ` ${String(target)}` : ''}`)
    if (proxy.reset) {
      request.socket.destroy()
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    if (proxy.fault) return answerFault(proxy.fault, request, response)
    if (proxy.delayMs > 0) await new Promise((done) => setTimeout(done, proxy.delayMs))
    try {
      const answer = await fetch(`${upstream}${request.url}`, {
        method: request.method,
        headers: forwardedHeaders(request),
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      })
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      response.end(Buffer.from(await answer.arrayBuffer()))
    } catch {
      response.destroy()
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  proxy.close = () =>
    new Promise((done) => {
      server.closeAllConnections()
      server.close(() => done())
    })
  return proxy
}

/** The request's headers minus the hop-by-hop ones fetch sets itself. */
function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

function answerFault(fault: NonNullable<HttpProxy['fault']>, request: IncomingMessage, response: ServerResponse): void {
  if (fault === 'echo-headers-400') {
    const echoed = Object.entries(request.headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n')
    response.writeHead(400, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error_code: 'BAD_REQUEST_FROM_PROXY', message: `rejected request with headers:\n${echoed}` }))
  } else if (fault === 'html-404') {
    response.writeHead(404, { 'content-type': 'text/html' })
    response.end('<html><body>Not Found</body></html>')
  } else {
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<html><body>Sign in to continue</body></html>')
  }
}
