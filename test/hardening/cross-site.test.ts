import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { rawHttp } from '../support/raw-http.js'

/**
 * The gateway on loopback, attacked from a web page the user visits: form
 * posts, text/plain bodies and WebSockets from another origin, and DNS
 * rebinding (another Host). None may read or write; the allow-listed
 * origin and the gateway's own pages may.
 */
describe('cross-site requests', () => {
  let gw: TestGateway
  let port: number
  const ALLOWED = 'https://dash.example.com'
  const EVIL = 'https://evil.example'

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], server: { corsOrigins: [ALLOWED] } })
    port = await gw.gateway.listen(0, '127.0.0.1')
  })
  afterAll(() => gw.close())

  const experimentCount = async () => {
    const answer = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ experiments { totalCount } }' }) })
    return answer.json<{ data: { experiments: { totalCount: number } } }>().data.experiments.totalCount
  }
  const mutation = JSON.stringify({ query: 'mutation { createExperiment(input: { name: "csrf" }) { id } }' })

  it('does not reflect a foreign Origin in CORS headers, and refuses its requests', async () => {
    const preflight = await rawHttp(port, {
      method: 'OPTIONS',
      path: '/graphql',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    const post = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { origin: EVIL, 'content-type': 'application/json' }, body: mutation })
    expect(post.status).toBe(403)
    expect(post.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] })
  })

  it('refuses mutations posted as forms or text/plain (no preflight), with or without an Origin', async () => {
    const before = await experimentCount()
    for (const [contentType, body] of [
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent('mutation { createExperiment(input: { name: "csrf" }) { id } }')}`],
      ['text/plain', mutation],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${mutation}\r\n--x--\r\n`],
    ]) {
      for (const origin of [EVIL, undefined]) {
        const answer = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': contentType, ...(origin && { origin }) }, body })
        expect([contentType, origin, answer.status]).toEqual([contentType, origin, 403])
      }
    }
    const mlflow = await rawHttp(port, { method: 'POST', path: '/api/2.0/mlflow/experiments/create', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'csrf' }) })
    expect(mlflow.status).toBe(403)
    expect(await experimentCount()).toBe(before)
  })

  it('answers the allow-listed origin, with CORS headers', async () => {
    const preflight = await rawHttp(port, {
      method: 'OPTIONS',
      path: '/graphql',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED)
    const post = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { origin: ALLOWED, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ backends { id } }' }) })
    expect(post.json()).toEqual({ data: { backends: [{ id: 'local' }] } })
    // The gateway's own page (same origin) needs no listing.
    const own = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ backends { id } }' }) })
    expect(own.status).toBe(200)
  })

  it('refuses a Host that is not a loopback name (DNS rebinding)', async () => {
    for (const path of ['/graphql', '/health', '/api/2.0/mlflow/experiments/search']) {
      const answer = await rawHttp(port, { path, headers: { host: `rebind.evil.example:${port}` } })
      expect([path, answer.status]).toEqual([path, 403])
    }
    expect((await rawHttp(port, { path: '/health', headers: { host: `localhost:${port}` } })).status).toBe(200)
  })

  it('refuses a cross-site WebSocket, and accepts one without a foreign Origin', async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', { headers })
        socket.once('open', () => {
          socket.close()
          resolve('open')
        })
        socket.once('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`))
        socket.once('error', () => resolve('error'))
      })
    expect(await open({ origin: EVIL })).toBe('refused 401')
    expect(await open({ host: `rebind.evil.example:${port}` })).toBe('refused 401')
    expect(await open({})).toBe('open')
    expect(await open({ origin: ALLOWED })).toBe('open')
  })
})
