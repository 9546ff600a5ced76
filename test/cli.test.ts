import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnMlgate, waitForListening } from './support/gateway-process.js'

/** The real `mlgate` process: config errors, the embedded default, data across restarts, clean shutdown. */

interface Started {
  child: ChildProcess
  port: number
  output: () => string
}

function spawnGateway(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const env = { ...process.env, ...options.env }
  delete env.MLGATE_CONFIG
  return spawnMlgate(args, { cwd: options.cwd, env })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null) done(child.exitCode)
    else child.once('exit', (code) => done(code))
  })
}

async function started(child: ChildProcess): Promise<Started> {
  return { child, ...(await waitForListening(child)) }
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
