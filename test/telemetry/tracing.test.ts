import { type Server, createServer } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy.js'

interface ExportedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes: { key: string; value: { stringValue?: string; intValue?: number } }[]
}

/**
 * OpenTelemetry traces from a real gateway to an OTLP/HTTP receiver (a
 * loopback server taking the exporter's JSON): the caller's traceparent
 * continued, a span per request, operation and backend call, nested; the
 * trace passed on to a real MLflow server (seen on the wire); nothing sent
 * when tracing is off.
 */
describeMlflow('traces', (mlflowUrl) => {
  let receiver: Server
  let endpoint: string
  const spans: ExportedSpan[] = []
  const seenByMlflow: string[] = []
  let proxy: TcpProxy
  let traced: TestGateway
  let untraced: TestGateway

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        const exported = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] }
        for (const resource of exported.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans)
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/traces`
    const url = new URL(mlflowUrl)
    proxy = await startTcpProxy(url.hostname, Number(url.port), { onClientConnection: () => (chunk) => seenByMlflow.push(chunk.toString('latin1')) })
    const backends = [
      { id: 'local', kind: 'native' as const, dataDir: 'memory://' },
      { id: 'mlflow', kind: 'mlflow' as const, url: `http://127.0.0.1:${proxy.port}` },
    ]
    traced = await startTestGateway({ backends, telemetry: { otlp: { endpoint } } })
    untraced = await startTestGateway({ backends })
  })
  afterAll(async () => {
    await untraced?.close()
    await traced?.close()
    await proxy?.cut()
    receiver?.close()
  })

  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
  const callerSpan = '1122334455667788'

  it("continues the caller's trace: request, operation and backend calls nested, and the MLflow server gets the trace", async () => {
    const base = `http://127.0.0.1:${await traced.gateway.listen(0, '127.0.0.1')}`
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ query: 'query Traced { runs(first: 5) { nodes { id } } }' }),
    })
    expect(response.status).toBe(200)
    for (let i = 0; i < 100 && !spans.some((span) => span.name === 'mlflow listRuns'); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    const ours = spans.filter((span) => span.traceId === traceId)
    const byName = (name: string) => ours.find((span) => span.name === name)
    const server = byName('POST /graphql')
    const operation = byName('query Traced')
    expect(server?.parentSpanId).toBe(callerSpan)
    expect(operation?.parentSpanId).toBe(server?.spanId)
    for (const backend of ['local', 'mlflow']) expect([backend, byName(`${backend} listRuns`)?.parentSpanId]).toEqual([backend, operation?.spanId])
    // The MLflow server was asked within the same trace, under the MLflow call's span.
    const mlflowCall = byName('mlflow listRuns')
    expect(seenByMlflow.join('')).toContain(`traceparent: 00-${traceId}-${mlflowCall?.spanId}-01`)
    expect(JSON.stringify(ours)).not.toMatch(/Run:local:[0-9a-f]{6}/)
  })

  it('sends no trace and passes none on when tracing is off', async () => {
    const exportedBefore = spans.length
    seenByMlflow.length = 0
    const base = `http://127.0.0.1:${await untraced.gateway.listen(0, '127.0.0.1')}`
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${'f'.repeat(31)}e-${callerSpan}-01` },
      body: JSON.stringify({ query: 'query Untraced { runs(first: 5) { nodes { id } } }' }),
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(seenByMlflow.join('')).toContain('POST /api/2.0/mlflow/runs/search')
    expect(seenByMlflow.join('')).not.toContain('traceparent')
    expect(spans.slice(exportedBefore).some((span) => span.name === 'query Untraced')).toBe(false)
  })
})
