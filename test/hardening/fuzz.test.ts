import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startGatewayProcess } from '../support/gateway-process.js'
import { type RawAnswer, isUp, rawHttp } from '../support/raw-http.js'

/**
 * Malformed paths, methods, headers, bodies, GraphQL documents and
 * graphql-ws frames, generated (fast-check, bounded runs, a fixed seed so a
 * failure replays), sent to a real gateway process. It must stay up, and
 * every answer must be a coded error or a success: an error status carries
 * `extensions.code` (GraphQL) or `error_code` (the MLflow API), and a
 * GraphQL answer's every error has a code.
 */

const SEED = 20261130

const ROUTES = [
  '/graphql',
  '/health',
  '/ready',
  '/api/2.0/mlflow/runs/search',
  '/api/2.0/mlflow/runs/get',
  '/api/2.0/mlflow/runs/log-batch',
  '/api/2.0/mlflow/experiments/create',
  '/api/2.0/mlflow/experiments/get-by-name',
  '/api/2.0/mlflow/registered-models/search',
  '/api/2.0/mlflow/model-versions/create',
  '/api/2.0/mlflow/logged-models/',
  '/api/2.0/mlflow/metrics/get-history-bulk-interval',
  '/api/2.0/mlflow-artifacts/artifacts/',
  '/ajax-api/2.0/mlflow/runs/search',
  '/nowhere',
]

const pathNoise = fc.stringMatching(/^[a-zA-Z0-9%./_\-?=&#~:@!$'()*+,;[\] ]{0,40}$/)
const path = fc.tuple(fc.constantFrom(...ROUTES), pathNoise).map(([route, noise]) => `${route}${noise}`.replace(/ /g, '%20'))
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')
const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql-response+json', '', 'application/json; charset=utf-16')
const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify({ query: value, variables: value })),
  fc.string().map((text) => JSON.stringify({ query: text })),
  fc.constantFrom(
    '{"query":"{ runs(first: -1) { totalCount } }"}',
    '{"query":"{ runs(mlflowFilter: \\"metrics.x >\\") { totalCount } }"}',
    '{"query":"mutation { createExperiment(input: { name: \\"\\\\u0000\\" }) { id } }"}',
    '{"query":"{ node(id: \\"Run:local:\\\\u0000\\") { id } }"}',
    '{"query":"{ __schema { types { name } } }"}',
    '{"query":"subscription { metricUpdates(runIds: [\\"Run:nope:x\\"]) { key } }"}',
    '{"run_id":"\\u0000","metrics":[{"key":"a","value":"NaN","step":1e30,"timestamp":-1}]}',
    '{"experiment_id":"99999999999999999999999","filter":"attributes.start_time > 1e400"}',
    '{"name":{"nested":[1,2,3]},"max_results":-5,"page_token":"%%%"}',
  ),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
)
const header = fc.record({
  accept: fc.constantFrom('application/json', 'text/event-stream', 'text/html', '*/*', 'application/graphql-response+json', 'multipart/mixed'),
  'x-graphql-yoga-csrf': fc.constantFrom('1', ''),
  'x-noise': fc.stringMatching(/^[\x21-\x7e]{0,30}$/),
})

function isCodedAnswer(answer: RawAnswer, requestMethod: string): boolean {
  if (requestMethod === 'HEAD' || requestMethod === 'OPTIONS') return true
  const type = String(answer.headers['content-type'] ?? '')
  let body: unknown
  if (type.includes('json')) {
    try {
      body = JSON.parse(answer.text)
    } catch {
      return false
    }
  }
  if (answer.status >= 400) {
    if (typeof body !== 'object' || body === null) return false
    if ('error_code' in body) return true
    const errors = (body as { errors?: { extensions?: { code?: unknown } }[] }).errors
    return Array.isArray(errors) && errors.length > 0 && errors.every((error) => typeof error.extensions?.code === 'string')
  }
  if (typeof body === 'object' && body !== null && 'errors' in body) {
    const errors = (body as { errors: { extensions?: { code?: unknown } }[] }).errors
    return errors.every((error) => typeof error.extensions?.code === 'string')
  }
  // Event streams carry their errors inside events.
  if (type.includes('event-stream')) return !/"errors":\[\{(?![^\]]*"code")/.test(answer.text)
  return true
}

describe('fuzzing every route', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayProcess>>

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-fuzz-'))
    gateway = await startGatewayProcess({
      backends: [{ id: 'local', kind: 'native', dataDir: join(dir, 'pglite') }],
      mlflowApi: { artifactsDir: join(dir, 'artifacts') },
    })
  })
  afterAll(() => gateway?.stop())

  it('answers malformed HTTP requests with coded errors and stays up', async () => {
    const failures: string[] = []
    await fc.assert(
      fc.asyncProperty(method, path, contentType, header, jsonish, async (requestMethod, requestPath, type, headers, body) => {
        const sendsBody = !['GET', 'HEAD'].includes(requestMethod)
        const answer = await rawHttp(gateway.port, {
          method: requestMethod,
          path: requestPath,
          headers: { ...headers, ...(type && { 'content-type': type }) },
          body: sendsBody ? body : undefined,
        }).catch((error: Error) => ({ status: -1, headers: {}, text: error.message, json: () => ({}) }) as RawAnswer)
        if (answer.status === -1 || !isCodedAnswer(answer, requestMethod)) failures.push(`${requestMethod} ${requestPath} -> ${answer.status} ${answer.text.slice(0, 200)}`)
        return true
      }),
      { numRuns: 1500, seed: SEED },
    )
    expect(failures).toEqual([])
    expect(await isUp(gateway.port)).toBe(true)
  })

  it('survives malformed graphql-ws frames, answering each socket on its own', async () => {
    const frame = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constantFrom(
        '{"type":"subscribe","id":"1","payload":{"query":"subscription {"}}',
        '{"type":"subscribe","id":"1","payload":{"query":"subscription { metricUpdates(runIds: [\\"Run:local:\\\\u0000\\"]) { key } }"}}',
        '{"type":"subscribe","payload":{}}',
        '{"type":"connection_init","payload":"x"}',
        '{"type":"complete","id":{}}',
        '{"type":"ping","payload":[[[[[]]]]]}',
      ),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), fc.boolean(), async (frames, init) => {
        await new Promise<void>((resolve) => {
          const socket = new WebSocket(`ws://127.0.0.1:${gateway.port}/graphql`, 'graphql-transport-ws')
          const done = () => {
            socket.terminate()
            resolve()
          }
          socket.once('open', () => {
            if (init) socket.send(JSON.stringify({ type: 'connection_init' }))
            for (const text of frames) socket.send(text)
            setTimeout(done, 30)
          })
          socket.once('error', done)
          socket.once('close', done)
        })
        return true
      }),
      { numRuns: 300, seed: SEED },
    )
    expect(await isUp(gateway.port)).toBe(true)
  })
})
