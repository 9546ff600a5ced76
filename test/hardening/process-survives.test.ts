import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient as createSseClient } from 'graphql-sse'
import { createClient as createWsClient } from 'graphql-ws'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import WebSocket from 'ws'
import { describePostgres, nativeBackendConfig } from '../support/engines.js'
import { startGatewayProcess } from '../support/gateway-process.js'
import { isUp, rawHttp } from '../support/raw-http.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

/**
 * Requests that once ended the gateway process, sent to a real gateway
 * process: afterwards it still answers, and each got a coded error.
 */

type Result = { data?: unknown; errors?: readonly { message: string; extensions?: { [key: string]: unknown } }[] }

async function firstResult(iterator: AsyncIterableIterator<Result>): Promise<Result> {
  const { value } = await iterator.next()
  await iterator.return?.()
  return value as Result
}

const METRIC_UPDATES = 'subscription ($runIds: [ID!]!) { metricUpdates(runIds: $runIds) { key } }'
const RUN_UPDATES = 'subscription ($experimentId: ID!) { runUpdates(experimentId: $experimentId) { kind } }'

describePostgres('requests that used to end the process', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayProcess>>
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>
  let port: number
  const ids = { localRun: '', labRun: '', labExperiment: '' }

  const graphql = async (query: string, variables: unknown = {}) => {
    const answer = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    return answer.json<{ data: Record<string, { id: string }> }>()
  }
  const sse = () => createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 })
  const ws = () => createWsClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })

  beforeAll(async () => {
    const url = new URL(inject('postgresUrl') ?? 'postgres://unused')
    proxy = await startTcpProxy(url.hostname, Number(url.port))
    const lab = nativeBackendConfig('postgres', 'lab')
    gateway = await startGatewayProcess({
      backends: [
        { id: 'local', kind: 'native', dataDir: join(mkdtempSync(join(tmpdir(), 'mlgate-survive-')), 'pglite') },
        { ...lab, database: `postgres://mlgate@127.0.0.1:${proxy.port}${url.pathname}` },
      ],
      mlflowApi: { artifactsDir: mkdtempSync(join(tmpdir(), 'mlgate-survive-artifacts-')) },
    })
    port = gateway.port
    for (const backend of ['local', 'lab'] as const) {
      const { data } = await graphql('mutation ($b: ID) { createExperiment(input: { name: "survive", backend: $b }) { id } }', { b: backend })
      const experimentId = data.createExperiment.id
      const run = await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experimentId })
      if (backend === 'local') ids.localRun = run.data.createRun.id
      else {
        ids.labRun = run.data.createRun.id
        ids.labExperiment = experimentId
      }
    }
  })
  afterAll(async () => {
    await gateway?.stop()
    await proxy?.cut().catch(() => {})
  })

  it('answers a malformed percent-escape in a path with INVALID_PARAMETER_VALUE', async () => {
    for (const [method, path] of [
      ['GET', '/api/2.0/mlflow-artifacts/artifacts/%E0%A4%A'],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/a/%ZZ'],
      ['DELETE', '/ajax-api/2.0/mlflow-artifacts/artifacts/%'],
      ['GET', '/api/2.0/mlflow/logged-models/%ZZ'],
      ['GET', '/ajax-api/2.0/mlflow/logged-models/%C3%28'],
    ]) {
      const answer = await rawHttp(port, { method, path })
      expect([method, path, answer.status]).toEqual([method, path, 400])
      expect(answer.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
    }
    expect(await isUp(port)).toBe(true)
  })

  it('answers a URL that is not one with a coded error', async () => {
    const answer = await rawHttp(port, { path: '//' })
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(await isUp(port)).toBe(true)
  })

  it('refuses a NUL byte in a subscribed run id with BAD_USER_INPUT, over SSE and graphql-ws', async () => {
    const runIds = [`${ids.localRun}\u0000x`]
    const overSse = await firstResult(sse().iterate({ query: METRIC_UPDATES, variables: { runIds } }))
    const wsClient = ws()
    const overWs = await firstResult(wsClient.iterate({ query: METRIC_UPDATES, variables: { runIds } })).catch((errors: Result['errors']) => ({ errors }))
    await wsClient.dispose()
    for (const result of [overSse, overWs]) expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT'])
    expect(await isUp(port)).toBe(true)
  })

  it('answers subscriptions opened while PostgreSQL is down with BACKEND_UNAVAILABLE, and serves on', async () => {
    await proxy.cut()
    const results = [
      await firstResult(sse().iterate({ query: METRIC_UPDATES, variables: { runIds: [ids.labRun] } })),
      await firstResult(sse().iterate({ query: RUN_UPDATES, variables: { experimentId: ids.labExperiment } })),
    ]
    const wsClient = ws()
    results.push(await firstResult(wsClient.iterate({ query: METRIC_UPDATES, variables: { runIds: [ids.labRun] } })).catch((errors: Result['errors']) => ({ errors })))
    await wsClient.dispose()
    for (const result of results) expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BACKEND_UNAVAILABLE'])
    // Everything else still works: the embedded store answers.
    expect(await isUp(port)).toBe(true)
    const local = await graphql('query ($id: ID!) { run(id: $id) { id } }', { id: ids.localRun })
    expect(local.data).toEqual({ run: { id: ids.localRun } })
  })
})
