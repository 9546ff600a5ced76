/**
 * `npm run bench:hostile`: a normal dashboard query's latency from one
 * client, alone and then while 10 hostile clients send the heaviest
 * requests the default limits allow, on PGlite and on PostgreSQL. The
 * gateway runs as its own process with its default limits.
 *
 * The normal client connects from 127.0.0.1; each hostile client from its
 * own loopback address (127.0.0.2 ... 127.0.0.11), as separate machines
 * would, so per-client limits apply to each.
 *
 * Hostile mix, round robin per client: a query at the depth limit, a filter
 * at the clause limit with totalCount over every run, an alias bomb at the
 * alias and cost limits, a 17 MB body, and a subscription flood (each
 * client holds as many distinct subscriptions as it may, and asks for more).
 *
 * The normal client refreshes its dashboard every second; a hostile
 * client sends its next request as soon as it has an answer, except that
 * one told to wait (RATE_LIMITED with Retry-After) waits: the heaviest the
 * limits allow.
 *
 * Targets: p99 under attack <= 3x p99 alone; no request (normal or hostile)
 * takes more than 1 s. Both are measured after the attack's first two
 * seconds (RAMP_MS), when 600 subscription requests arrive at once; the
 * hostile requests of those seconds are reported apart (rampUp). Writes
 * bench/results/hostile.json.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { limitsSchema } from '../src/config.js'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { percentile, startGatewayProcess } from './support/gateway-process.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 1000)
const ALONE_MS = Number(process.env.BENCH_ALONE_MS ?? 60_000)
const ATTACK_MS = Number(process.env.BENCH_ATTACK_MS ?? 60_000)
const HOSTILE_CLIENTS = 10
/** The gateway runs with its default limits; the hostile requests sit at them. */
const DEFAULT_LIMITS = limitsSchema.parse({})
/** The attack's first seconds, while every client opens its subscription flood at once; not measured. */
const RAMP_MS = 2000
/** A dashboard that refreshes every second: more often than people look, and within the default query budget. */
const DASHBOARD_INTERVAL_MS = 1000

interface Answer {
  status: number
  ms: number
  text: string
  retryAfter?: string
}

function post(port: number, agent: Agent, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, text: Buffer.concat(chunks).toString(), retryAfter: response.headers['retry-after'] }),
        )
        response.on('error', () => resolve({ status: -1, ms: performance.now() - started, text: '' }))
      },
    )
    request.on('error', () => resolve({ status: -1, ms: performance.now() - started, text: '' }))
    request.end(body)
  })
}

const graphqlBody = (query: string, variables: unknown = {}) => JSON.stringify({ query, variables })

async function seed(port: number): Promise<{ experimentId: string; runIds: string[] }> {
  const agent = new Agent({ keepAlive: true })
  const call = async (query: string, variables: unknown) => {
    const answer = await post(port, agent, graphqlBody(query, variables))
    const parsed = JSON.parse(answer.text) as { data?: Record<string, { id: string }>; errors?: unknown }
    if (parsed.errors || !parsed.data) throw new Error(answer.text)
    return parsed.data
  }
  const experimentId = (await call('mutation { createExperiment(input: { name: "dashboard" }) { id } }', {})).createExperiment.id
  const runIds: string[] = []
  for (let i = 0; i < RUNS; i++) {
    const params = Array.from({ length: 20 }, (_, k) => ({ key: `p${k}`, value: String((i * 31 + k) % 7) }))
    const runId = (await call('mutation ($e: ID!, $p: [ParamInput!]!) { createRun(input: { experimentId: $e, params: $p }) { id } }', { e: experimentId, p: params })).createRun.id
    const metrics = Array.from({ length: 20 }, (_, k) => ({ key: `m${k}`, value: ((i * 17 + k) % 100) / 100, step: 0 }))
    await call('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: runId, m: metrics })
    runIds.push(runId)
  }
  agent.destroy()
  return { experimentId, runIds }
}

/** The normal client, in its own process (bench/support/dashboard-client.ts), for `durationMs`. */
function dashboardLatencies(port: number, experimentId: string, durationMs: number): Promise<{ latencies: number[]; failures: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/dashboard-client.ts', String(port), experimentId, String(Math.round(durationMs)), String(DASHBOARD_INTERVAL_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(output) as { latencies: number[]; failures: number }) : reject(new Error(`dashboard client exited with ${code}`))))
  })
}

function hostileRequests(experimentId: string, runIds: string[]): { name: string; body: string | Buffer }[] {
  const nested = (levels: number): string => (levels === 0 ? 'id name' : `experiment { runs(first: 2) { nodes { ${nested(levels - 1)} } } }`)
  const filter = Array.from({ length: DEFAULT_LIMITS.filterClauses }, (_, i) => (i % 2 === 0 ? `params.p${i} != 'zz${i}'` : `metrics.m${i} >= -${i}`)).join(' and ')
  const aliases = Array.from({ length: DEFAULT_LIMITS.queryAliases }, (_, i) => `a${i}: runs(first: 14, experimentIds: $e) { nodes { id name params { key value } metrics { key value } } }`).join(' ')
  return [
    { name: 'deep', body: graphqlBody(`{ runs(first: 2) { nodes { ${nested(3)} } } }`) },
    { name: 'long-filter', body: graphqlBody('query ($f: String!, $e: [ID!]) { runs(mlflowFilter: $f, experimentIds: $e, first: 1000) { totalCount nodes { id } } }', { f: filter, e: [experimentId] }) },
    { name: 'alias-bomb', body: graphqlBody(`query ($e: [ID!]) { ${aliases} }`, { e: [experimentId] }) },
    { name: 'oversized-body', body: Buffer.concat([Buffer.from('{"query":"{ backends { id } }","pad":"'), Buffer.alloc(17 * 1024 * 1024, 120), Buffer.from('"}')]) },
    { name: 'ids-lookup', body: graphqlBody('query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Run { params { key value } metrics { key value } } } }', { ids: runIds.slice(0, 400) }) },
  ]
}

/** Holds as many distinct subscriptions as the client may (and a few it may not), for the whole attack. */
function subscriptionFlood(port: number, localAddress: string, runIds: string[], signal: AbortSignal, held: { open: number; refused: number }): void {
  for (let i = 0; i < 60; i++) {
    const body = graphqlBody('subscription ($r: [ID!]!, $k: [String!]) { metricUpdates(runIds: $r, keys: $k) { key points { step value } } }', { r: [runIds[i % runIds.length]], k: [`m${i}`] })
    const request = httpRequest(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', localAddress, headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        if (response.statusCode === 200) held.open += 1
        else held.refused += 1
        response.resume()
      },
    )
    request.on('error', () => {})
    signal.addEventListener('abort', () => request.destroy(), { once: true })
    request.end(body)
  }
}

type HostileStats = Map<string, { count: number; maxMs: number; statuses: Record<string, number> }>

/**
 * One hostile client until `until`. Its requests sent before `measureFrom`
 * (while the attack ramps up: every client opening its subscription flood
 * at once) count in `rampStats`, the rest in `stats`, the window in which
 * the normal client is measured too.
 */
async function hostileClient(
  port: number,
  index: number,
  experimentId: string,
  runIds: string[],
  window: { measureFrom: number; until: number },
  stats: { ramp: HostileStats; measured: HostileStats },
  signal: AbortSignal,
  flood: { open: number; refused: number },
) {
  const { measureFrom, until } = window
  const localAddress = `127.0.0.${index + 2}`
  const agent = new Agent({ keepAlive: true, localAddress } as ConstructorParameters<typeof Agent>[0])
  subscriptionFlood(port, localAddress, runIds, signal, flood)
  const requests = hostileRequests(experimentId, runIds)
  let next = index
  while (performance.now() < until) {
    const { name, body } = requests[next++ % requests.length]
    const sentAt = performance.now()
    const answer = await post(port, agent, body)
    const into = sentAt < measureFrom ? stats.ramp : stats.measured
    const entry = into.get(name) ?? { count: 0, maxMs: 0, statuses: {} }
    entry.count += 1
    entry.maxMs = Math.max(entry.maxMs, answer.ms)
    // The outcome: an HTTP status, or the code of a GraphQL error inside a 200.
    const code = answer.status === 200 ? (/"code":"([A-Z_]+)"/.exec(answer.text)?.[1] ?? 'OK') : String(answer.status)
    entry.statuses[code] = (entry.statuses[code] ?? 0) + 1
    into.set(name, entry)
    // The heaviest the limits allow: a client told to wait (RATE_LIMITED, Retry-After) waits.
    const retryAfter = /"retryAfterSeconds":(\d+)/.exec(answer.text)?.[1] ?? (answer.status === 429 ? answer.retryAfter : undefined)
    if (retryAfter) await new Promise((resolve) => setTimeout(resolve, Math.min(Number(retryAfter) * 1000, Math.max(0, until - performance.now()))))
  }
  agent.destroy()
}

const summary = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b)
  const round = (value: number) => Math.round(value * 100) / 100
  return { requests: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? 0) }
}

async function measure(engine: 'pglite' | 'postgres', database: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-hostile-'))
  const backend = database ? { id: 'local', kind: 'native', database, schema: `hostile_${Date.now()}` } : { id: 'local', kind: 'native', dataDir: join(dir, 'pglite') }
  const gateway = await startGatewayProcess({ backends: [backend], mlflowApi: { artifactsDir: join(dir, 'artifacts') } })
  try {
    console.log(`${engine}: seeding ${RUNS} runs`)
    const { experimentId, runIds } = await seed(gateway.port)
    // Warm up, then measure alone.
    await dashboardLatencies(gateway.port, experimentId, 3000)
    const alone = await dashboardLatencies(gateway.port, experimentId, ALONE_MS)
    console.log(`${engine}: alone`, summary(alone.latencies))

    const stats: { ramp: HostileStats; measured: HostileStats } = { ramp: new Map(), measured: new Map() }
    const stop = new AbortController()
    const flood = { open: 0, refused: 0 }
    const until = performance.now() + ATTACK_MS
    // Let the attack reach full strength (every flood open) before measuring anyone.
    const measureFrom = performance.now() + RAMP_MS
    const attackers = Array.from({ length: HOSTILE_CLIENTS }, (_, index) => hostileClient(gateway.port, index, experimentId, runIds, { measureFrom, until }, stats, stop.signal, flood))
    await new Promise((resolve) => setTimeout(resolve, RAMP_MS))
    const attacked = await dashboardLatencies(gateway.port, experimentId, until - performance.now())
    await Promise.all(attackers)
    stop.abort()
    const underAttack = summary(attacked.latencies)
    console.log(`${engine}: under attack`, underAttack, Object.fromEntries(stats.measured), flood)
    const aloneSummary = summary(alone.latencies)
    const report = (entries: HostileStats) => Object.fromEntries([...entries].map(([name, entry]) => [name, { ...entry, maxMs: Math.round(entry.maxMs) }]))
    const hostileMaxMs = Math.round(Math.max(...[...stats.measured.values()].map((entry) => entry.maxMs)))
    return {
      alone: { ...aloneSummary, failures: alone.failures },
      underAttack: { ...underAttack, failures: attacked.failures },
      p99Ratio: Math.round((underAttack.p99Ms / aloneSummary.p99Ms) * 100) / 100,
      hostile: report(stats.measured),
      hostileMaxMs,
      rampUp: { ms: RAMP_MS, hostile: report(stats.ramp) },
      subscriptions: flood,
      targets: { p99RatioAtMost: 3, maxRequestMs: 1000 },
      met: underAttack.p99Ms <= 3 * aloneSummary.p99Ms && Math.max(underAttack.maxMs, hostileMaxMs) <= 1000,
    }
  } finally {
    await gateway.stop()
  }
}

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const binDir = findPostgresBinDir()
const peer = url ? null : binDir ? startPostgres(binDir, await freePort(), { durable: true }) : null
try {
  const pglite = await measure('pglite', null)
  const postgres = url || peer ? await measure('postgres', url ?? peer!.url) : null
  mkdirSync('bench/results', { recursive: true })
  const result = {
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    runs: RUNS,
    aloneMs: ALONE_MS,
    attackMs: ATTACK_MS,
    hostileClients: HOSTILE_CLIENTS,
    pglite,
    postgres,
  }
  writeFileSync('bench/results/hostile.json', `${JSON.stringify(result, null, 2)}\n`)
  console.log(JSON.stringify(result, null, 2))
} finally {
  peer?.stop()
}
