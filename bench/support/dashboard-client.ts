/**
 * The normal client of `bench:hostile`, in a process of its own so that
 * the hostile clients' work (building and sending 17 MB bodies, reading big
 * answers) never delays its own clock. Refreshes a dashboard query every
 * `intervalMs` (or as soon as the last answer came, when slower) for
 * `durationMs`, then prints `{ latencies, failures }` as JSON.
 *
 * Usage: node --import tsx bench/support/dashboard-client.ts <port> <experimentId> <durationMs> <intervalMs>
 */
import { Agent, request as httpRequest } from 'node:http'

const DASHBOARD = `query Dashboard($e: [ID!]) {
  runs(experimentIds: $e, first: 50, orderBy: [{ field: METRIC, key: "m0", direction: DESC }]) {
    totalCount
    nodes { id name status startTime params { key value } metrics { key value step } experiment { name } }
  }
}`

const [port, experimentId, durationMs, intervalMs] = process.argv.slice(2)
const agent = new Agent({ keepAlive: true })
const body = JSON.stringify({ query: DASHBOARD, variables: { e: [experimentId] } })

function ask(): Promise<{ ok: boolean; ms: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: Number(port), path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({ ok: response.statusCode === 200 && !text.includes('"errors"'), ms: performance.now() - started })
        })
      },
    )
    request.on('error', () => resolve({ ok: false, ms: performance.now() - started }))
    request.end(body)
  })
}

const latencies: number[] = []
let failures = 0
const until = performance.now() + Number(durationMs)
let next = performance.now()
while (performance.now() < until) {
  const answer = await ask()
  latencies.push(answer.ms)
  if (!answer.ok) failures += 1
  next += Number(intervalMs)
  const wait = next - performance.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  else next = performance.now()
}
agent.destroy()
process.stdout.write(JSON.stringify({ latencies, failures }))
