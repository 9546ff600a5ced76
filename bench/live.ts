/**
 * `npm run bench:live`: live metrics on the native store (a real PostgreSQL
 * server), the gateway in its own process.
 *
 * 1. 1,000 concurrent SSE subscribers on one run; 200 batches of 100 points
 *    logged through GraphQL; log→receive latency p50/p99 over every event
 *    delivered, and the gateway's peak RSS (target: p99 ≤ 100 ms).
 * 2. 10,000 idle subscriptions held open: the gateway's RSS per subscription
 *    (target: ≤ 50 KB).
 *
 * Writes bench/results/live.json.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus } from 'node:os'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000)
const IDLE_SUBSCRIBERS = Number(process.env.BENCH_IDLE_SUBSCRIBERS ?? 10_000)
const BATCHES = 200
const POINTS_PER_BATCH = 100

/** `{"data":{"metricUpdates":{"key":…,"points":[{"step":N},…`: the first step is the batch's. */
const FIRST_STEP = /"points":\[\{"step":(-?\d+)/

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })

/** One GraphQL-over-SSE subscription on a raw HTTP request (light enough to open 10,000). */
function subscribe(port: number, runId: string, onEvent: (data: string) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      query: 'subscription ($r: ID!) { metricUpdates(runIds: [$r]) { key points { step } } }',
      variables: { r: runId },
    })
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscribe: HTTP ${res.statusCode}`))
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const data = frame.split('\n').find((line) => line.startsWith('data:'))
            if (data && frame.includes('event: next')) onEvent(data.slice(5).trim())
            end = buffer.indexOf('\n\n')
          }
        })
        res.on('error', () => {})
        resolve({ close: () => req.destroy() })
      },
    )
    req.on('error', (error) => reject(error))
    req.end(body)
  })
}

/** The gateway's resident set: now, and the peak so far (Linux /proc). */
function memoryOf(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0)
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') }
}

async function openMany(count: number, open: () => Promise<{ close(): void }>) {
  const opened: { close(): void }[] = []
  for (let i = 0; i < count; i += 200) {
    opened.push(...(await Promise.all(Array.from({ length: Math.min(200, count - i) }, open))))
  }
  return opened
}

async function main() {
  const binDir = findPostgresBinDir()
  if (!binDir) throw new Error('no PostgreSQL: install postgresql')
  const peer = startPostgres(binDir, await freePort(), { durable: true })
  const gateway = await startGatewayProcess({ backends: [{ id: 'local', kind: 'native', database: peer.url, schema: 'bench_live', poolSize: 20 }] })
  try {
    const graphql = graphqlClient(gateway.port)
    const { createExperiment } = await graphql<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "live" }) { id } }')
    const newRun = async () =>
      (await graphql<{ createRun: { id: string } }>('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: createExperiment.id }))
        .createRun.id
    const runId = await newRun()

    console.log(`${SUBSCRIBERS} SSE subscribers on one run; ${BATCHES} batches of ${POINTS_PER_BATCH} points...`)
    const sentAt = new Map<number, number>()
    const latencies: number[] = []
    const subscribers = await openMany(SUBSCRIBERS, () =>
      subscribe(gateway.port, runId, (data) => {
        // The event's first step, without parsing the whole event: this one process stands in for
        // 1,000 dashboards on their own machines, and its parsing would otherwise queue behind itself.
        const firstStep = Number(FIRST_STEP.exec(data)?.[1])
        const sent = sentAt.get(firstStep)
        if (sent !== undefined) latencies.push(performance.now() - sent)
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const mutation = 'mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }'
    for (let batch = 0; batch < BATCHES; batch++) {
      const first = batch * POINTS_PER_BATCH
      const metrics = Array.from({ length: POINTS_PER_BATCH }, (_, i) => ({ key: 'loss', value: Math.random(), step: first + i }))
      sentAt.set(first, performance.now())
      await graphql(mutation, { r: runId, m: metrics })
    }
    const expected = SUBSCRIBERS * BATCHES
    for (let i = 0; i < 600 && latencies.length < expected; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const active = memoryOf(gateway.pid)
    latencies.sort((a, b) => a - b)
    const delivery = {
      subscribers: SUBSCRIBERS,
      batches: BATCHES,
      pointsPerBatch: POINTS_PER_BATCH,
      eventsExpected: expected,
      eventsDelivered: latencies.length,
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      gatewayPeakRssMiB: Number((active.peakKb / 1024).toFixed(1)),
    }
    console.log(`  delivered ${delivery.eventsDelivered}/${expected}; p50 ${delivery.p50Ms} ms, p99 ${delivery.p99Ms} ms; peak RSS ${delivery.gatewayPeakRssMiB} MiB`)
    for (const subscriber of subscribers) subscriber.close()
    await new Promise((resolve) => setTimeout(resolve, 2000))

    console.log(`${IDLE_SUBSCRIBERS} idle subscriptions...`)
    const idleRun = await newRun()
    const before = memoryOf(gateway.pid).rssKb
    const idle = await openMany(IDLE_SUBSCRIBERS, () => subscribe(gateway.port, idleRun, () => {}))
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const after = memoryOf(gateway.pid).rssKb
    const idleResult = {
      subscriptions: IDLE_SUBSCRIBERS,
      rssBeforeMiB: Number((before / 1024).toFixed(1)),
      rssAfterMiB: Number((after / 1024).toFixed(1)),
      kbPerSubscription: Number(((after - before) / IDLE_SUBSCRIBERS).toFixed(1)),
    }
    console.log(`  RSS ${idleResult.rssBeforeMiB} → ${idleResult.rssAfterMiB} MiB: ${idleResult.kbPerSubscription} KB per idle subscription`)
    for (const subscriber of idle) subscriber.close()

    const result = {
      benchmark: 'live',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      delivery,
      idle: idleResult,
      targets: { p99Ms: 100, kbPerIdleSubscription: 50 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/live.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/live.json')
  } finally {
    await gateway.stop()
    peer.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
