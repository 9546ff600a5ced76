import type { TestProject } from 'vitest/node'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from './mlflow.js'
import { type PostgresPeer, findPostgresBinDir, startPostgres } from './postgres.js'
import { freePort } from '../support/free-port.js'

/**
 * Starts the peers the suites talk to, once per test run, and hands their
 * addresses to the tests through `inject()`. TEST_DATABASE_URL and
 * TEST_MLFLOW_URL, when set, name servers to use instead of starting them.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null
    mlflowUrl: string | null
  }
}

export default async function setup(project: TestProject) {
  let peer: PostgresPeer | null = null
  let postgresUrl = process.env.TEST_DATABASE_URL ?? null
  if (!postgresUrl) {
    const binDir = findPostgresBinDir()
    if (binDir) {
      peer = startPostgres(binDir, await freePort())
      postgresUrl = peer.url
    }
  }
  project.provide('postgresUrl', postgresUrl)

  let mlflow: MlflowPeer | null = null
  let mlflowUrl = process.env.TEST_MLFLOW_URL ?? null
  if (!mlflowUrl) {
    const venv = pythonPeersVenv()
    if (venv) {
      mlflow = await startMlflow(venv, await freePort())
      mlflowUrl = mlflow.url
    }
  }
  project.provide('mlflowUrl', mlflowUrl)

  return async () => {
    peer?.stop()
    await mlflow?.stop()
  }
}

