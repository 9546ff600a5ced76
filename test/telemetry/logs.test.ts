import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnMlgate, waitForListening } from '../support/gateway-process.js'

/**
 * The running gateway's log, from a real `mlgate` process: every line one
 * JSON event (pino), the request id from the caller or made up, answered in
 * `X-Request-Id` and in errors' extensions, and no value or secret in it.
 */
describe('logs and request ids', () => {
  let child: ChildProcess
  let base: string
  let output: () => string
  const stop = async (process: ChildProcess) => {
    process.kill('SIGTERM')
    await new Promise((resolve) => process.once('exit', resolve))
  }
  const startWith = async (telemetry: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-logs-'))
    writeFileSync(join(dir, 'mlgate.json'), JSON.stringify({ telemetry }))
    const started = spawnMlgate(['--config', 'mlgate.json', '--port', '0'], { cwd: dir })
    return { child: started, ...(await waitForListening(started)) }
  }
  const post = (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })
  const events = () =>
    output()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { level: string; time: string; msg: string; requestId?: string; status?: number; path?: string })

  beforeAll(async () => {
    const started = await startWith({ logLevel: 'debug' })
    child = started.child
    output = started.output
    base = `http://127.0.0.1:${started.port}`
  })
  afterAll(() => stop(child))

  it("answers the caller's request id, or a new one, in X-Request-Id and in every error's extensions", async () => {
    const traced = await post('query ($id: ID!) { run(id: $id) { id } }', { id: 'Run:nowhere:1' }, { 'x-request-id': 'trace-42.a:b' })
    expect(traced.headers.get('x-request-id')).toBe('trace-42.a:b')
    const body = (await traced.json()) as { errors: { extensions: { code: string; requestId: string } }[] }
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: 'trace-42.a:b' })
    for (const hostile of ['two words', 'x'.repeat(200), 'quote"and<tag>', '../../etc']) {
      const answer = await post('{ nope }', {}, { 'x-request-id': hostile })
      const id = answer.headers.get('x-request-id') ?? ''
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      expect(((await answer.json()) as { errors: { extensions: { requestId: string } }[] }).errors[0].extensions.requestId).toBe(id)
    }
    const notFound = await fetch(`${base}/nowhere`)
    expect(((await notFound.json()) as { errors: { extensions: { requestId: string } }[] }).errors[0].extensions.requestId).toBe(notFound.headers.get('x-request-id'))
  })

  it('writes one JSON line per event, a line per request at debug with its id, and no values or secrets', async () => {
    const secret = 'p4ssw0rd-in-a-param-value'
    const experiment = (await (await post('mutation { createExperiment(input: { name: "logged" }) { id } }', {})).json()) as { data: { createExperiment: { id: string } } }
    await post('mutation ($e: ID!, $v: String!) { createRun(input: { experimentId: $e, params: [{ key: "token", value: $v }] }) { id } }', { e: experiment.data.createExperiment.id, v: secret }, { 'x-request-id': 'with-secret' })
    await fetch(`${base}/api/2.0/mlflow/runs/search?filter=${encodeURIComponent(`params.token = '${secret}'`)}`, { headers: { 'x-request-id': 'mlflow-secret' } })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lines = events()
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(['level', 'time', 'msg']))
    expect(lines.find((line) => line.requestId === 'with-secret')).toMatchObject({ level: 'debug', msg: 'request', path: '/graphql', status: 200 })
    expect(lines.find((line) => line.requestId === 'mlflow-secret')).toMatchObject({ path: '/api/2.0/mlflow/runs/search' })
    expect(output()).not.toContain(secret)
    expect(lines.some((line) => line.msg.startsWith('GraphQL and GraphiQL at http://127.0.0.1:'))).toBe(true)
  })

  it('logs no line per request at the default level', async () => {
    const quiet = await startWith({})
    await fetch(`http://127.0.0.1:${quiet.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'quiet-one' }, body: '{"query":"{ backends { id } }"}' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(quiet.output()).not.toContain('quiet-one')
    expect(quiet.output()).toContain('"level":"info"')
    await stop(quiet.child)
  })
})
