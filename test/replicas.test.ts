import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { createClient } from 'graphql-sse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startHaproxy, type HaproxyPeer } from './peers/haproxy.js'
import { pythonPeersVenv } from './peers/mlflow.js'
import { describeHaproxy, describeMoto, describePostgres, nativeBackendConfig } from './support/engines.js'
import { startGatewayProcess } from './support/gateway-process.js'
import { MOTO_CREDENTIALS, MOTO_REGION } from './support/sagemaker-api.js'

type Replica = Awaited<ReturnType<typeof startGatewayProcess>>

/**
 * Three gateway processes behind a real HAProxy (round robin) over one
 * PostgreSQL and one S3 bucket (moto): the stock MLflow client logs a run
 * through the balancer while a metricUpdates subscription is held through
 * it; one replica is killed with SIGKILL mid-run. The client's retries carry
 * on, every acknowledged point is stored, the subscription reconnects with
 * its cursor and sees every stored point exactly once; a file written
 * through one replica is read through another; each replica's /metrics
 * counts its share.
 */
describePostgres('replicas', () => {
  describeMoto('over S3', (motoUrl) => {
    describeHaproxy('behind HAProxy', (haproxyBinary) => {
      const bucket = `replicas-${Math.random().toString(36).slice(2, 10)}`
      let replicas: Replica[] = []
      let balancer: HaproxyPeer
      let killed: Replica | null = null

      beforeAll(async () => {
        const s3 = new S3Client({ region: MOTO_REGION, endpoint: motoUrl, forcePathStyle: true, credentials: { ...MOTO_CREDENTIALS } })
        await s3.send(new CreateBucketCommand({ Bucket: bucket }))
        s3.destroy()
        const config = {
          backends: [nativeBackendConfig('postgres')],
          mlflowApi: { artifacts: { kind: 's3', bucket, prefix: 'shared', region: MOTO_REGION, endpoint: motoUrl, credentials: { ...MOTO_CREDENTIALS } } },
        }
        // The first replica migrates the schema; the others find it done.
        replicas = [await startGatewayProcess(config)]
        replicas.push(...(await Promise.all([startGatewayProcess(config), startGatewayProcess(config)])))
        balancer = await startHaproxy(haproxyBinary, replicas.map((replica) => `127.0.0.1:${replica.port}`))
      }, 180_000)
      afterAll(async () => {
        await balancer?.stop()
        await Promise.all(replicas.filter((replica) => replica !== killed).map((replica) => replica.stop()))
      })

      const mlflow = async <T>(origin: string, path: string, body: unknown): Promise<T> => {
        const response = await fetch(`${origin}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        expect(response.status).toBe(200)
        return (await response.json()) as T
      }

      it('keeps logging, storing and streaming every point when a replica is killed mid-run', async () => {
        const { experiment_id } = await mlflow<{ experiment_id: string }>(balancer.url, 'experiments/create', { name: `replicas-${bucket}` })
        const { run } = await mlflow<{ run: { info: { run_id: string } } }>(balancer.url, 'runs/create', { experiment_id, start_time: Date.now() })
        const runId = run.info.run_id
        const gid = `Run:local:${runId}`

        // The subscription, held through the balancer; reopened from its last cursor whenever its stream ends.
        const received: { step: number; value: number; timestamp: string }[] = []
        let cursor: string | null = null
        let reconnections = 0
        let closed = false
        const client = createClient({ url: `${balancer.url}/graphql`, singleConnection: false, retryAttempts: 0 })
        const follow = async () => {
          while (!closed) {
            try {
              const stream = client.iterate<{ metricUpdates: { cursor: string; points: { step: number; value: number; timestamp: string }[] } }>({
                query: 'subscription ($r: ID!, $since: String) { metricUpdates(runIds: [$r], since: $since) { cursor points { step value timestamp } } }',
                variables: { r: gid, since: cursor },
              })
              for await (const event of stream) {
                if (!event.data) continue
                cursor = event.data.metricUpdates.cursor
                received.push(...event.data.metricUpdates.points)
                if (closed) break
              }
            } catch {
              // The replica serving it died: open it again from the cursor, through the balancer.
            }
            if (!closed) {
              reconnections++
              await new Promise((done) => setTimeout(done, 200))
            }
          }
        }
        const following = follow()
        await new Promise((done) => setTimeout(done, 500))

        const venv = pythonPeersVenv()
        if (!venv) throw new Error('python3 is needed to run the MLflow client')
        const dir = mkdtempSync(join(tmpdir(), 'mlgate-replicas-'))
        const steps = 300
        const logging = promisify(execFile)(join(venv, 'bin', 'python'), [resolve('test/mlflow-api/log-steps.py'), String(steps), join(dir, 'out.json')], {
          cwd: dir,
          env: { ...process.env, MLFLOW_TRACKING_URI: balancer.url, MLFLOW_RUN_ID: runId, MLFLOW_DISABLE_TELEMETRY: 'true', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1' },
          timeout: 180_000,
        })
        // Mid-run: once a third of the points are in, the replica holding the subscription (its /metrics says) dies without a word.
        for (let i = 0; i < 600 && received.length < steps / 3; i++) await new Promise((done) => setTimeout(done, 50))
        const holding = await Promise.all(replicas.map(async (replica) => /^mlgate_graphql_subscriptions 1$/m.test(await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text())))
        expect(holding.filter(Boolean)).toHaveLength(1)
        killed = replicas[holding.indexOf(true)]
        process.kill(killed.pid, 'SIGKILL')
        await logging
        const acknowledged = (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { acknowledged: number[] }).acknowledged
        rmSync(dir, { recursive: true, force: true })
        expect(acknowledged).toEqual(Array.from({ length: steps }, (_, step) => step))

        // Every acknowledged point is stored (read through a surviving replica).
        const survivor = `http://127.0.0.1:${(replicas.find((replica) => replica !== killed) as Replica).port}`
        const answer = await fetch(`${survivor}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss&max_results=25000`)
        expect(answer.status).toBe(200)
        const history = (await answer.json()) as { metrics: { step: number; value: number; timestamp: number }[] }
        const storedSteps = new Set(history.metrics.map((point) => point.step))
        for (const step of acknowledged) expect(storedSteps.has(step)).toBe(true)

        // The subscription saw every stored point exactly once, across its reconnection.
        for (let i = 0; i < 200 && received.length < history.metrics.length; i++) await new Promise((done) => setTimeout(done, 50))
        closed = true
        client.dispose()
        await following
        const key = (point: { step: number; value: number; timestamp: number | string }) => `${point.step}:${point.value}:${new Date(point.timestamp).getTime()}`
        expect(received.map(key).sort()).toEqual(history.metrics.map(key).sort())
        expect(reconnections).toBeGreaterThanOrEqual(1)

        // Each surviving replica took its share of the writes.
        for (const replica of replicas.filter((candidate) => candidate !== killed)) {
          const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text()
          const ingested = Number(/^mlgate_points_ingested_total\{api="mlflow-api"\} (\d+)/m.exec(text)?.[1] ?? 0)
          expect([replica.port, ingested > 0]).toEqual([replica.port, true])
        }
      }, 240_000)

      it('reads through one replica a file written through another', async () => {
        const { experiment_id } = await mlflow<{ experiment_id: string }>(balancer.url, 'experiments/create', { name: `replicas-files-${bucket}` })
        const path = `${experiment_id}/run/artifacts/shared.txt`
        const [writer, reader] = replicas.filter((replica) => replica !== killed)
        expect((await fetch(`http://127.0.0.1:${writer.port}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: 'PUT', body: 'one bucket' })).status).toBe(200)
        expect(await (await fetch(`http://127.0.0.1:${reader.port}/api/2.0/mlflow-artifacts/artifacts/${path}`)).text()).toBe('one bucket')
      })
    })
  })
})
