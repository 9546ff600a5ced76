import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
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
    expect(first.output()).toContain('"msg":"stopped"')

    // --port wins over PORT.
    const second = await started(spawnGateway(['--port', '0'], { cwd: dir, env: { PORT: '1' } }))
    const reread = await graphql(second.port, `{ experiment(id: "${id}") { name } }`)
    expect(reread.data.experiment).toEqual({ name: 'kept' })
    second.child.kill('SIGINT')
    expect(await exitOf(second.child)).toBe(0)
  })
})

describe('mlgate command line: what it says', () => {
  const outputOf = async (child: ChildProcess) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await exitOf(child)
    return { code, stdout, stderr }
  }

  it('lists every option, the environment it reads and where the config comes from; prints its version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
    const help = await outputOf(spawnGateway(['--help'], { cwd: dir }))
    expect(help.code).toBe(0)
    for (const word of ['--config', '--port', '--host', '--help', '--version', 'MLGATE_CONFIG', 'PORT', 'AWS_', 'mlgate.yaml', '.mlgate/']) expect(help.stdout).toContain(word)
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(await outputOf(spawnGateway(['--version'], { cwd: dir }))).toMatchObject({ code: 0, stdout: `mlgate ${manifest.version}\n` })
  })

  it('names a port in use, and --port, in one line; names every endpoint it serves when it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
    const first = await started(spawnGateway(['--port', '0'], { cwd: dir }))
    const origin = `http://127.0.0.1:${first.port}`
    for (const line of [`GraphQL and GraphiQL at ${origin}/graphql`, `MLflow's REST API at ${origin}/api/2.0/mlflow/`, `metrics at ${origin}/metrics`, `health at ${origin}/health`]) expect(first.output()).toContain(line)
    expect(first.output()).toMatch(new RegExp(`dashboard at ${origin}/|no dashboard build`))
    const second = await outputOf(spawnGateway(['--port', String(first.port)], { cwd: mkdtempSync(join(tmpdir(), 'mlgate-cli-')) }))
    expect(second.code).toBe(1)
    expect(second.stderr.trim().split('\n')).toEqual([`mlgate: port ${first.port} on 127.0.0.1 is in use: choose another with --port (or PORT)`])
    first.child.kill('SIGTERM')
    await exitOf(first.child)
  })
})

describe('npm run build', () => {
  it('compiles the gateway to JavaScript that node runs as is (npm start and the mlgate command run it)', async () => {
    // Beside the repository's dist/, so that paths relative to the code (package.json, web/dist) resolve alike.
    const outDir = `.build-test-${process.pid}`
    try {
      await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir, '--tsBuildInfoFile', `${outDir}/.tsbuildinfo`], { timeout: 120_000 })
      expect(readFileSync(`${outDir}/main.js`, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
      const dir = mkdtempSync(join(tmpdir(), 'mlgate-cli-'))
      const child = spawn(process.execPath, [join(process.cwd(), outDir, 'main.js'), '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      const { port } = await waitForListening(child)
      expect((await graphql(port, '{ backends { id kind } }')).data).toEqual({ backends: [{ id: 'local', kind: 'NATIVE' }] })
      child.kill('SIGTERM')
      expect(await exitOf(child)).toBe(0)
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  }, 180_000)
})
