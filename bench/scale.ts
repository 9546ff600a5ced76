/**
 * `npm run bench:scale`: MLflow log-batch throughput (bench:mlflow-compat's
 * logging workload) through 1, 2 and 3 gateway replicas on one PostgreSQL,
 * with telemetry off and on (/metrics, and traces exported over OTLP/HTTP to
 * a local receiver that takes and drops them). Clients go round robin to
 * the replicas directly (no balancer in the measurement).
 *
 * Target: telemetry on costs ≤ 3% of throughput. And where the limit moves:
 * the CPU seconds the gateways and PostgreSQL spent per million points, from
 * /proc, beside each figure. Rounds run off, on, on, off so the machine's
 * drift falls on both sides. Writes bench/results/scale.json.
 */
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, totalmem } from 'node:os'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { mlflowApi } from '../test/support/mlflow-api.js'
import { startGatewayProcess } from './support/gateway-process.js'
import { KEYS, STEPS, loggingRate } from './support/mlflow-workload.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 48)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 6)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system) a set of processes has used, from /proc. */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // Gone.
    }
  }
  return ticks / TICKS_PER_SECOND
}

/** PostgreSQL's processes (the postmaster and its backends): every process whose command is postgres. */
function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
      } catch {
        return false
      }
    })
    .map(Number)
}

async function main() {
  const binDir = findPostgresBinDir()
  if (!binDir) throw new Error('needs PostgreSQL binaries (Debian postgresql)')
  const postgres = startPostgres(binDir, await freePort(), { durable: true })
  // The OTLP receiver: takes every export and drops it, as a collector's first hop would.
  const sink = createServer((request, response) => {
    request.resume()
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  })
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const otlp = { endpoint: `http://127.0.0.1:${(sink.address() as { port: number }).port}/v1/traces` }
  const results: { replicas: number; telemetry: 'off' | 'on'; pointsPerSecond: number[]; gatewayCpuSecondsPerMillion: number[]; postgresCpuSecondsPerMillion: number[] }[] = []
  try {
    for (const count of [1, 2, 3]) {
      const schema = `bench_scale_${count}`
      const start = async (telemetry: 'off' | 'on') => {
        const config = { backends: [{ id: 'local', kind: 'native', database: postgres.url, schema }], telemetry: telemetry === 'on' ? { metrics: true, otlp } : { metrics: false } }
        const replicas = [await startGatewayProcess(config)]
        replicas.push(...(await Promise.all(Array.from({ length: count - 1 }, () => startGatewayProcess(config)))))
        return replicas
      }
      for (const telemetry of ['off', 'on'] as const) results.push({ replicas: count, telemetry, pointsPerSecond: [], gatewayCpuSecondsPerMillion: [], postgresCpuSecondsPerMillion: [] })
      const sides = { off: await start('off'), on: await start('on') }
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const telemetry of ['off', 'on', 'on', 'off'] as const) {
            const replicas = sides[telemetry]
            const servers = replicas.map((replica) => mlflowApi(`http://127.0.0.1:${replica.port}`))
            const pids = replicas.map((replica) => replica.pid)
            const before = { gateway: cpuSeconds(pids), postgres: cpuSeconds(postgresPids()) }
            const rate = await loggingRate(servers, `scale-${count}-${telemetry}`, { runs: RUNS, clients: CLIENTS })
            const millions = (RUNS * KEYS * STEPS) / 1_000_000
            const entry = results.find((result) => result.replicas === count && result.telemetry === telemetry)
            entry?.pointsPerSecond.push(Math.round(rate))
            entry?.gatewayCpuSecondsPerMillion.push(Number(((cpuSeconds(pids) - before.gateway) / millions).toFixed(2)))
            entry?.postgresCpuSecondsPerMillion.push(Number(((cpuSeconds(postgresPids()) - before.postgres) / millions).toFixed(2)))
            console.log(`${count} replica(s), telemetry ${telemetry}: ${Math.round(rate).toLocaleString('en')} points/s`)
          }
        }
      } finally {
        await Promise.all([...sides.off, ...sides.on].map((replica) => replica.stop()))
      }
    }
  } finally {
    postgres.stop()
    sink.close()
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const summary = [1, 2, 3].map((count) => {
    const of = (telemetry: 'off' | 'on') => results.find((result) => result.replicas === count && result.telemetry === telemetry) as (typeof results)[number]
    const off = of('off')
    const on = of('on')
    return {
      replicas: count,
      pointsPerSecond: { off: Math.round(mean(off.pointsPerSecond)), on: Math.round(mean(on.pointsPerSecond)) },
      telemetryCost: Number((1 - mean(on.pointsPerSecond) / mean(off.pointsPerSecond)).toFixed(3)),
      cpuSecondsPerMillionPoints: { gateways: Number(mean(off.gatewayCpuSecondsPerMillion).toFixed(2)), postgres: Number(mean(off.postgresCpuSecondsPerMillion).toFixed(2)) },
    }
  })
  for (const line of summary) {
    console.log(`${line.replicas}: off ${line.pointsPerSecond.off.toLocaleString('en')} points/s, on ${line.pointsPerSecond.on.toLocaleString('en')} (cost ${(line.telemetryCost * 100).toFixed(1)}%, target ≤ 3%); CPU s per million points: gateways ${line.cpuSecondsPerMillionPoints.gateways}, PostgreSQL ${line.cpuSecondsPerMillionPoints.postgres}`)
  }
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    shape: { runs: RUNS, keys: KEYS, steps: STEPS, clients: CLIENTS, rounds: ROUNDS },
    summary,
    target: 'telemetry cost <= 0.03 at every replica count',
    met: summary.every((line) => line.telemetryCost <= 0.03),
    samples: results,
  }
  mkdirSync('bench/results', { recursive: true })
  writeFileSync('bench/results/scale.json', `${JSON.stringify(result, null, 2)}\n`)
  console.log('wrote bench/results/scale.json')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
