import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrometheus } from '../peers/prometheus.js'
import { describeMlflow, describeMoto, describePrometheus } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'
import { collectSubscription } from '../support/subscription.js'

/** One sample of Prometheus's text format: its name, labels and value. */
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus's text exposition format, parsed (samples only; comments and types skipped). */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (!match) throw new Error(`not a sample line: ${line}`)
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]))
      return { name: match[1], labels, value: Number(match[3]) }
    })
}

/**
 * GET /metrics through a real gateway over a native store, a real MLflow
 * server and moto's SageMaker: each family the issue names moves with the
 * work done, its labels bounded (no ids, no values), and the endpoint is
 * open to a scraper when auth is on.
 */
describeMlflow('GET /metrics', (mlflowUrl) => {
  describeMoto('over native, MLflow and SageMaker backends', (motoUrl) => {
    let gw: TestGateway
    let base: string
    const suite = `metrics-${Math.random().toString(36).slice(2, 8)}`
    const scrape = async () => {
      const response = await fetch(`${base}/metrics`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('text/plain')
      const text = await response.text()
      return { text, samples: parseSamples(text) }
    }
    const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
      samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected)).reduce((sum, sample) => sum + sample.value, 0)
    const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      return (await response.json()) as { data: Record<string, { id: string }>; errors?: { extensions: { code: string } }[] }
    }

    beforeAll(async () => {
      await sagemakerApi(motoUrl).createGroup(`${suite}-group`)
      gw = await startTestGateway({
        backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }, { id: 'mlflow', kind: 'mlflow', url: mlflowUrl }, sagemakerBackendConfig(motoUrl)],
      })
      base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    })
    afterAll(() => gw?.close())

    it('counts GraphQL operations by name and outcome, backend calls, upstream requests, batch sizes and ingested points by API', async () => {
      const before = (await scrape()).samples
      const experiment = (await graphql('mutation NewExperiment($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: suite })).data.createExperiment.id
      const run = (await graphql('mutation NewRun($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment })).data.createRun.id
      await graphql('mutation Log($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "a", value: 1 }, { key: "a", value: 2, step: 1 }, { key: "b", value: 3 }]) { id } }', { r: run })
      const runId = run.split(':')[2]
      const logged = await fetch(`${base}/api/2.0/mlflow/runs/log-batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run_id: runId, metrics: [{ key: 'c', value: 1, timestamp: Date.now(), step: 0 }, { key: 'c', value: 2, timestamp: Date.now(), step: 1 }] }) })
      expect(logged.status).toBe(200)
      expect((await fetch(`${base}/api/2.0/mlflow/no-such/endpoint`)).status).toBe(404)
      // One query reading every backend, several runs' experiments in one batch.
      await graphql('query Everything { runs(first: 20) { nodes { id experiment { id } } } registeredModels(first: 5) { nodes { id } } }')
      expect((await graphql('query Missing($id: ID!) { run(id: $id) { id } }', { id: 'Run:nowhere:1' })).errors?.[0].extensions.code).toBe('BAD_USER_INPUT')
      const after = (await scrape()).samples
      const moved = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels)

      for (const [operation, type] of [['NewExperiment', 'mutation'], ['NewRun', 'mutation'], ['Log', 'mutation'], ['Everything', 'query']]) {
        expect([operation, moved('mlgate_graphql_operation_duration_seconds_count', { operation, type, outcome: 'ok' })]).toEqual([operation, 1])
      }
      expect(moved('mlgate_graphql_operation_duration_seconds_count', { operation: 'Missing', outcome: 'BAD_USER_INPUT' })).toBe(1)
      expect(moved('mlgate_backend_call_duration_seconds_count', { backend: 'local', call: 'logMetrics', outcome: 'ok' })).toBe(1)
      expect(moved('mlgate_backend_call_duration_seconds_count', { backend: 'local', call: 'logBatch', outcome: 'ok' })).toBe(1)
      expect(moved('mlgate_backend_call_duration_seconds_count', { backend: 'mlflow', call: 'listRuns' })).toBeGreaterThanOrEqual(1)
      expect(moved('mlgate_upstream_request_duration_seconds_count', { backend: 'mlflow', call: 'runs/search', outcome: 'ok' })).toBeGreaterThanOrEqual(1)
      expect(moved('mlgate_upstream_request_duration_seconds_count', { backend: 'sm', call: 'ListModelPackageGroups', outcome: 'ok' })).toBeGreaterThanOrEqual(1)
      expect(moved('mlgate_dataloader_batch_size_count', { loader: 'experiment' })).toBeGreaterThanOrEqual(1)
      expect(moved('mlgate_points_ingested_total', { api: 'graphql' })).toBe(3)
      expect(moved('mlgate_points_ingested_total', { api: 'mlflow-api' })).toBe(2)
      expect(moved('mlgate_mlflow_api_request_duration_seconds_count', { endpoint: 'POST 2.0/runs/log-batch', status: '200' })).toBe(1)
      expect(moved('mlgate_mlflow_api_request_duration_seconds_count', { endpoint: 'unmatched', status: '404' })).toBe(1)
      for (const backend of ['local', 'mlflow', 'sm']) expect(value(after, 'mlgate_backend_circuit_state', { backend, state: 'CLOSED' })).toBe(1)
      expect(after.some((sample) => sample.name === 'mlgate_database_connections' && sample.labels.backend === 'local' && sample.labels.state === 'waiting')).toBe(true)
      expect(after.some((sample) => sample.name === 'mlgate_process_cpu_seconds_total')).toBe(true)
    })

    it('shows open subscriptions and the live watches behind them', async () => {
      const experiment = (await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: `${suite}-live` })).data.createExperiment.id
      const run = (await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment })).data.createRun.id
      const client = createSseClient({ url: `${base}/graphql`, singleConnection: false, retryAttempts: 0 })
      const idle = (await scrape()).samples
      const stream = collectSubscription(client.iterate({ query: 'subscription Watch($r: ID!) { metricUpdates(runIds: [$r]) { key } }', variables: { r: run } }), 'metricUpdates')
      await graphql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "live", value: 1 }]) { id } }', { r: run })
      await stream.until((events) => events.length > 0)
      const watching = (await scrape()).samples
      expect(value(watching, 'mlgate_graphql_subscriptions', {}) - value(idle, 'mlgate_graphql_subscriptions', {})).toBe(1)
      expect(value(watching, 'mlgate_backend_live_watchers', { backend: 'local' })).toBeGreaterThan(value(idle, 'mlgate_backend_live_watchers', { backend: 'local' }))
      expect(value(watching, 'mlgate_graphql_operation_duration_seconds_count', { operation: 'Watch', type: 'subscription', outcome: 'ok' })).toBe(1)
      await stream.stop()
      client.dispose()
      for (let i = 0; i < 100 && value((await scrape()).samples, 'mlgate_graphql_subscriptions', {}) !== value(idle, 'mlgate_graphql_subscriptions', {}); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(value((await scrape()).samples, 'mlgate_graphql_subscriptions', {})).toBe(value(idle, 'mlgate_graphql_subscriptions', {}))
    })

    it('keeps labels bounded: no ids or values, and client-chosen operation names capped', async () => {
      const run = (await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: (await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: `${suite}-bounded` })).data.createExperiment.id })).data.createRun.id
      const runId = run.split(':')[2]
      await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${runId}`)
      await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${runId}/secret-value.txt`)
      for (let i = 0; i < 260; i++) await graphql(`query Name${i}_${runId.slice(0, 6)} { backends { id } }`)
      const { text, samples } = await scrape()
      expect(text).not.toContain(runId)
      expect(text).not.toContain('secret-value')
      const names = new Set(samples.filter((sample) => sample.name === 'mlgate_graphql_operation_duration_seconds_count').map((sample) => sample.labels.operation))
      // The first 200 names kept; later ones count as "other" (unnamed operations as "anonymous").
      expect([...names].filter((name) => name !== 'other' && name !== 'anonymous').length).toBe(200)
      expect(names.has('other')).toBe(true)
    })
  })
})

describe('GET /metrics beside auth, and turned off', () => {
  it('answers a scraper without credentials while GraphQL asks for them; 404 when telemetry.metrics is false', async () => {
    const withAuth = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 } })
    const off = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], telemetry: { metrics: false } })
    try {
      const authed = `http://127.0.0.1:${await withAuth.gateway.listen(0, '127.0.0.1')}`
      expect((await fetch(`${authed}/metrics`)).status).toBe(200)
      expect((await fetch(`${authed}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ backends { id } }"}' })).status).toBe(401)
      expect((await fetch(`${authed}/metrics`, { method: 'POST' })).status).toBe(405)
      const plain = `http://127.0.0.1:${await off.gateway.listen(0, '127.0.0.1')}`
      expect((await fetch(`${plain}/metrics`)).status).toBe(404)
    } finally {
      await withAuth.close()
      await off.close()
    }
  })
})

describePrometheus('a real Prometheus server scraping /metrics', (binary) => {
  it("returns the gateway's ingest counter through Prometheus's HTTP API", async () => {
    const gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }] })
    const port = await gw.gateway.listen(0, '127.0.0.1')
    const prometheus = await startPrometheus(binary, [`127.0.0.1:${port}`])
    try {
      const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
        return ((await response.json()) as { data: Record<string, { id: string }> }).data
      }
      const experiment = (await graphql('mutation { createExperiment(input: { name: "scraped" }) { id } }')).createExperiment.id
      const run = (await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment })).createRun.id
      await graphql('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: run, m: Array.from({ length: 42 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step })) })
      let found: { metric: Record<string, string>; value: [number, string] }[] = []
      for (let i = 0; i < 60 && Number(found[0]?.value[1] ?? 0) < 42; i++) {
        found = await prometheus.query('mlgate_points_ingested_total{api="graphql"}')
        if (Number(found[0]?.value[1] ?? 0) < 42) await new Promise((resolve) => setTimeout(resolve, 500))
      }
      expect(found.map((sample) => [sample.metric.job, sample.metric.instance, Number(sample.value[1])])).toEqual([['mlgate', `127.0.0.1:${port}`, 42]])
      const up = await prometheus.query('up{job="mlgate"}')
      expect(up.map((sample) => sample.value[1])).toEqual(['1'])
    } finally {
      await prometheus.stop()
      await gw.close()
    }
  }, 120_000)
})
