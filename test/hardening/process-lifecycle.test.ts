import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient as createSseClient } from 'graphql-sse'
import { describe, expect, it } from 'vitest'
import { spawnMlgate, waitForListening } from '../support/gateway-process.js'
import { collectSubscription } from '../support/subscription.js'

/** The gateway process as an operator meets it: one data directory per process, a graceful Ctrl-C under load, a warning when exposed. */

/** The exit code, once the process has exited and its output is all read ('close', not 'exit'). */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null && child.stdout?.readableEnded !== false) done(child.exitCode)
    else child.once('close', (code) => done(code))
  })
}

function outputOf(child: ChildProcess): () => string {
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return () => output
}

async function graphql(port: number, query: string, variables: unknown = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
  return (await response.json()) as { data?: Record<string, { id: string } & Record<string, unknown>>; errors?: unknown[] }
}

describe('the gateway process', () => {
  it('refuses to start on a PGlite data directory another gateway holds, naming the directory and the holder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-lock-'))
    const first = spawnMlgate(['--port', '0'], { cwd: dir })
    await waitForListening(first)
    const second = spawnMlgate(['--port', '0'], { cwd: dir })
    const output = outputOf(second)
    expect(await exitOf(second)).toBe(1)
    expect(output()).toContain(resolve(dir, '.mlgate/pglite'))
    expect(output()).toContain(`process ${first.pid}`)
    first.kill('SIGTERM')
    expect(await exitOf(first)).toBe(0)
    // Released on a clean stop: the next gateway starts.
    const third = spawnMlgate(['--port', '0'], { cwd: dir })
    await waitForListening(third)
    third.kill('SIGTERM')
    expect(await exitOf(third)).toBe(0)
  })

  it('stops gracefully on Ctrl-C (SIGINT to the process group) of a busy `npm start`: subscriptions complete, acknowledged writes are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-npm-start-'))
    const config = join(dir, 'mlgate.json')
    writeFileSync(config, JSON.stringify({ backends: [{ id: 'local', kind: 'native', dataDir: join(dir, 'pglite') }], mlflowApi: { artifactsDir: join(dir, 'artifacts') } }))
    const start = () => spawn('npm', ['start', '--', '--port', '0', '--config', config], { cwd: resolve('.'), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const npm = start()
    const output = outputOf(npm)
    const { port } = await waitForListening(npm)
    const experimentId = (await graphql(port, 'mutation { createExperiment(input: { name: "busy" }) { id } }')).data!.createExperiment.id
    const runId = (await graphql(port, 'mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experimentId })).data!.createRun.id

    const sse = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 })
    const subscription = collectSubscription<{ key: string }>(sse.iterate({ query: 'subscription ($r: [ID!]!) { metricUpdates(runIds: $r) { key } }', variables: { r: [runId] } }), 'metricUpdates')
    let acknowledged = 0
    let stopping = false
    const writer = async (lane: number) => {
      for (let batch = 0; !stopping || batch < 2; batch++) {
        const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `lane${lane}`, value: i, step: batch * 1000 + i }))
        try {
          const answer = await graphql(port, 'mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: runId, m: metrics })
          if (answer.data?.logMetrics) acknowledged += metrics.length
        } catch {
          return // the gateway stopped accepting: this write was never acknowledged
        }
      }
    }
    const writers = [0, 1, 2, 3].map(writer)
    await subscription.until((events) => events.length >= 8)
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group (npm and the gateway).
    process.kill(-npm.pid!, 'SIGINT')
    stopping = true
    await Promise.all(writers)
    const code = await exitOf(npm)
    // The gateway finished its stop (npm then ends as Ctrl-C'd, by the signal, as npm does).
    expect(output()).toContain('"msg":"stopped"')
    expect({ code, signal: npm.signalCode }).toEqual(code === 0 ? { code: 0, signal: null } : { code: null, signal: 'SIGINT' })
    // The subscription got a clean completion, not a cut connection.
    await subscription.done
    expect(subscription.ended()).toBe(true)

    // Every acknowledged point is in the store.
    const again = start()
    const againOutput = outputOf(again)
    const restarted = await waitForListening(again)
    const history = await graphql(restarted.port, `{ run(id: "${runId}") { ${[0, 1, 2, 3].map((lane) => `l${lane}: metricHistory(key: "lane${lane}", maxPoints: 10) { totalPoints }`).join(' ')} } }`)
    const stored = Object.values(history.data!.run as Record<string, { totalPoints: number }>).reduce((sum, series) => sum + series.totalPoints, 0)
    expect(acknowledged).toBeGreaterThan(0)
    expect(stored).toBeGreaterThanOrEqual(acknowledged)
    process.kill(-again.pid!, 'SIGTERM')
    await exitOf(again)
    expect(againOutput()).toContain('"msg":"stopped"')
  })

  it('refuses to bind beyond loopback without auth, and warns, naming what is exposed, when told auth: { mode: none }', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-exposed-'))
    const refused = spawnMlgate(['--port', '0', '--host', '0.0.0.0'], { cwd: dir })
    const refusal = outputOf(refused)
    expect(await exitOf(refused)).toBe(1)
    expect(refusal()).toMatch(/refusing to listen on 0\.0\.0\.0.*without auth.*auth: \{ mode: none \}/s)

    writeFileSync(join(dir, 'mlgate.yaml'), 'auth: { mode: none }\n')
    const child = spawnMlgate(['--port', '0', '--host', '0.0.0.0'], { cwd: dir })
    try {
      const listening = await waitForListening(child)
      expect(listening.output()).toMatch(/WARNING: listening on 0\.0\.0\.0.*mode: none.*no access control/s)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exitOf(child)).toBe(0)
  })
})
