import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { stopProcessGroup, tailOf, waitForHttp } from './process.js'

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

/**
 * `adminPassword` starts MLflow's own basic-auth app (`--app-name basic-auth`),
 * whose user `admin` has that password: a real server that refuses bad credentials.
 * `backendStoreUri` replaces the SQLite store (a postgresql:// URL for benchmarks).
 * `proxiedArtifacts` serves artifacts through the server (`mlflow-artifacts:/` URIs,
 * MLflow's default) instead of a local artifact root the clients write to directly.
 */
export async function startMlflow(
  venv: string,
  port: number,
  options: { adminPassword?: string; proxiedArtifacts?: boolean; backendStoreUri?: string; workers?: number } = {},
): Promise<MlflowPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-mlflow-'))
  const binary = join(venv, 'bin', 'mlflow')
  // The auth app keeps its users in its own database, here beside the tracking store.
  if (options.adminPassword) {
    writeFileSync(
      join(dir, 'auth.ini'),
      `[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///${join(dir, 'auth.db')}\nadmin_username = admin\nadmin_password = ${options.adminPassword}\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n`,
    )
  }
  if (!existsSync(binary)) throw new Error(`no mlflow in ${venv}`)
  const child: ChildProcess = spawn(
    binary,
    [
      'server',
      '--backend-store-uri', options.backendStoreUri ?? `sqlite:///${join(dir, 'mlflow.db')}`,
      ...(options.proxiedArtifacts ? ['--artifacts-destination', join(dir, 'artifacts')] : ['--default-artifact-root', join(dir, 'artifacts')]),
      '--host', '127.0.0.1',
      '--port', String(port),
      '--workers', String(options.workers ?? 1),
      ...(options.adminPassword ? ['--app-name', 'basic-auth'] : []),
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
        // MLflow 3's server starts job consumers (huey) for GenAI scorers, which
        // none of our tests or benchmarks use; idle, they still poll and took
        // ~90% of a core from whatever else ran beside them.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        ...(options.adminPassword && {
          MLFLOW_AUTH_ADMIN_PASSWORD: options.adminPassword,
          MLFLOW_FLASK_SERVER_SECRET_KEY: 'mlgate-tests',
          MLFLOW_AUTH_CONFIG_PATH: join(dir, 'auth.ini'),
        }),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  )
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(child, `${url}/health`, 'mlflow server', tailOf(child))
  return {
    url,
    stop: async () => {
      await stopProcessGroup(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
