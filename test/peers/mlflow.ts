import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * A real `mlflow server` on loopback with a SQLite backend store, from the
 * pinned virtualenv (test/peers/python-peers.sh installs it on first use).
 */
export interface MlflowPeer {
  url: string
  stop(): Promise<void>
}

/** The virtualenv with the pinned peers, installing it when Python 3 is there; null without Python. */
export function pythonPeersVenv(): string | null {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' })
  } catch {
    return null
  }
  return execFileSync('bash', [resolve('test/peers/python-peers.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
}

export async function startMlflow(venv: string, port: number): Promise<MlflowPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-mlflow-'))
  const binary = join(venv, 'bin', 'mlflow')
  if (!existsSync(binary)) throw new Error(`no mlflow in ${venv}`)
  const child: ChildProcess = spawn(
    binary,
    [
      'server',
      '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
      '--default-artifact-root', join(dir, 'artifacts'),
      '--host', '127.0.0.1',
      '--port', String(port),
      '--workers', '1',
    ],
    {
      cwd: dir,
      env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode}:\n${log}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`mlflow server did not start within 120 s:\n${log}`)
    await new Promise((done) => setTimeout(done, 250))
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((done) => child.once('exit', done))
        process.kill(-child.pid, 'SIGTERM') // the server and its workers
        await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))])
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
