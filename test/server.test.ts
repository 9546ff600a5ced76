import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { sql } from 'kysely'
import { openNativeDatabase } from '../src/adapters/native/client.js'
import { type NativeBackendConfig, parseConfig } from '../src/config.js'
import { BackendsDocument, CreateExperimentDocument, CreateRunDocument, ExperimentsDocument, RunsDocument } from './generated/graphql.js'
import { describePostgres, nativeBackendConfig } from './support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from './support/gateway.js'
import { startTcpProxy } from './support/tcp-proxy.js'

describe('HTTP routes', () => {
  let gw: TestGateway
  let base: string
  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }] })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  })
  afterAll(() => gw.close())

  it('answers /health and /ready over real HTTP', async () => {
    const health = await fetch(`${base}/health`)
    expect(health.status).toBe(200)
    const ready = await fetch(`${base}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', backends: { local: { state: 'UP' } } })
  })

  it('serves GraphQL and GraphiQL on /graphql', async () => {
    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('<title>mlgate</title>')
    // Everything GraphiQL needs comes with the page: no script, style sheet or icon from another host (a machine offline shows it too).
    expect(html).toContain('renderYogaGraphiQL')
    // The page's own tags (the inline code and styles set aside): what a browser would fetch from elsewhere.
    const tags = html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?<\/\2>/gi, '$1')
    const fetched = [...tags.matchAll(/<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((match) => match[1])
    expect(fetched.filter((url) => !url.startsWith('data:'))).toEqual([])
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ backends { id kind readOnly } }' }),
    })
    expect(await response.json()).toEqual({ data: { backends: [{ id: 'local', kind: 'NATIVE', readOnly: false }] } })
  })

  it('starts without a built dashboard, and says at / how to build it', async () => {
    const unbuilt = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], dashboard: { dir: '/nonexistent/mlgate-dashboard' } })
    try {
      const port = await unbuilt.gateway.listen(0, '127.0.0.1')
      const page = await fetch(`http://127.0.0.1:${port}/`)
      expect(page.status).toBe(404)
      expect(await page.json()).toEqual({ errors: [{ message: expect.stringContaining('npm run build:web'), extensions: { code: 'NOT_FOUND', requestId: expect.any(String) } }] })
      expect((await fetch(`http://127.0.0.1:${port}/dashboard/settings.json`)).status).toBe(200)
    } finally {
      await unbuilt.close()
    }
  })

  it('gives every GraphQL error a code: syntax, validation, variables', async () => {
    const post = async (body: unknown) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return (await response.json()) as { errors: { extensions?: { code?: string } }[] }
    }
    for (const body of [
      { query: '{ backends { id ' },
      { query: '{ noSuchField }' },
      { query: 'query ($n: Int) { experiments(first: $n) { totalCount } }', variables: { n: 'many' } },
      { query: 'mutation { createExperiment(input: {}) { id } }' },
    ]) {
      const result = await post(body)
      expect(result.errors.length).toBeGreaterThan(0)
      for (const error of result.errors) expect(typeof error.extensions?.code).toBe('string')
    }
  })
})

describePostgres('a native backend whose database goes away', () => {
  let gw: TestGateway
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>
  let base: string
  const url = new URL(inject('postgresUrl') ?? 'postgres://unused')

  beforeAll(async () => {
    proxy = await startTcpProxy(url.hostname, Number(url.port))
    const backend = nativeBackendConfig('postgres', 'lab')
    const viaProxy = `postgres://mlgate:secret-password@127.0.0.1:${proxy.port}${url.pathname}`
    gw = await startTestGateway({ backends: [{ ...backend, database: viaProxy }, { id: 'local', kind: 'native', dataDir: 'memory://' }] })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    await gw.data(CreateExperimentDocument, { input: { name: 'before-the-cut', backend: 'lab' } })
    await proxy.cut()
  })
  afterAll(() => gw.close())

  it('makes /ready answer 503 naming the backend, without its address or credentials', async () => {
    const ready = await fetch(`${base}/ready`)
    expect(ready.status).toBe(503)
    const body = await ready.text()
    expect(JSON.parse(body)).toMatchObject({ status: 'unavailable', backends: { lab: { state: 'DOWN' }, local: { state: 'UP' } } })
    expect(body).not.toContain('secret-password')
    expect(body).not.toContain(String(proxy.port))
  })

  it('turns queries to it into BACKEND_UNAVAILABLE naming the backend, leaking nothing', async () => {
    const result = await gw.request(ExperimentsDocument, { backends: ['lab'] })
    expect(errorCodes(result)).toEqual(['BACKEND_UNAVAILABLE'])
    expect(result.errors?.[0].extensions?.backend).toBe('lab')
    const text = JSON.stringify(result)
    expect(text).not.toContain('secret-password')
    expect(text).not.toContain('127.0.0.1')
    const backends = await gw.data(BackendsDocument)
    expect(backends.backends.map((backend) => [backend.id, backend.health.state])).toEqual([
      ['lab', 'DOWN'],
      ['local', 'UP'],
    ])
  })
})

describePostgres('unexpected errors', () => {
  it('reach the client as INTERNAL with no SQL, stack or connection details', async () => {
    const backend = nativeBackendConfig('postgres')
    const gw = await startTestGateway({ backends: [backend] })
    try {
      const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'doomed' } })).createExperiment
      await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })
      // Break the store under the gateway: the next query fails inside PostgreSQL.
      const database = await openNativeDatabase(parseConfig({ backends: [backend] }).backends[0] as NativeBackendConfig)
      await sql`drop table run_tags cascade`.execute(database.db)
      await database.close()
      const result = await gw.request(RunsDocument, {})
      expect(errorCodes(result)).toEqual(['INTERNAL'])
      const text = JSON.stringify(result)
      expect(result.errors?.[0].message).toBe('Unexpected error.')
      for (const leak of ['run_tags', 'select', 'relation', 'postgres://', 'at ']) expect(text).not.toContain(leak)
    } finally {
      await gw.close()
    }
  })
})
