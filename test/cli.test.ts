import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

/** The real `mlgate` process: config errors, the embedded default, data across restarts, clean shutdown. */

const MAIN = resolve('src/main.ts')
// The TypeScript loader by absolute URL: the process runs in a temp directory with no node_modules.
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href

interface Started {
  child: ChildProcess
  port: number
  output: () => string
}

function spawnGateway(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const env = { ...process.env, ...options.env }
  delete env.MLGATE_CONFIG
  return spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null) done(child.exitCode)
    else child.once('exit', (code) => done(code))
  })
}

/** Waits for the "GraphQL ... at http://host:port/graphql" line. */
function started(child: ChildProcess): Promise<Started> {
  let output = ''
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /at http:\/\/[^:]+:(\d+)\/graphql/.exec(output)
      if (match) done({ child, port: Number(match[1]), output: () => output })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => fail(new Error(`exited with ${code} before listening:\n${output}`)))
  })
}

async function graphql(port: number, query: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  return (await response.json()) as { data: Record<string, unknown> }
}

describe('mlgate command line', () => {
  it('exits non-zero on a bad config, naming the field, without listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
    writeFileSync(join(dir, 'mlgate.yaml'), 'backends:\n  - id: lab\n    kind: native\n    database: mysql://nope\n')
    const child = spawnGateway([], { cwd: dir })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let stdout = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    expect(await exitOf(child)).toBe(1)
    expect(stderr).toContain('mlgate.yaml is invalid')
    expect(stderr).toContain('backends[0].database: must be a postgres:// or postgresql:// URL')
    expect(stdout).not.toContain('/graphql')
  })

  it('names a missing environment variable from --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ backends: [{ id: 'x', kind: 'native', database: '${MLGATE_TEST_UNSET_DB}' }] }))
    const child = spawnGateway(['--config', 'other.json'], { cwd: dir })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await exitOf(child)).toBe(1)
    expect(stderr).toContain('environment variable MLGATE_TEST_UNSET_DB is not set')
  })

  it('starts on the embedded default, keeps data across a restart, and stops cleanly on SIGTERM and SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
    const first = await started(spawnGateway([], { cwd: dir, env: { PORT: '0' } }))
    expect(first.output()).toContain('embedded default')
    expect(first.output()).toContain('http://127.0.0.1:')
    const created = await graphql(first.port, 'mutation { createExperiment(input: { name: "kept" }) { id } }')
    const id = (created.data.createExperiment as { id: string }).id
    first.child.kill('SIGTERM')
    expect(await exitOf(first.child)).toBe(0)
    expect(first.output()).toContain('mlgate: stopped')

    // --port wins over PORT.
    const second = await started(spawnGateway(['--port', '0'], { cwd: dir, env: { PORT: '1' } }))
    const reread = await graphql(second.port, `{ experiment(id: "${id}") { name } }`)
    expect(reread.data.experiment).toEqual({ name: 'kept' })
    second.child.kill('SIGINT')
    expect(await exitOf(second.child)).toBe(0)
  })
})
