import type { TestProject } from 'vitest/node'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from './mlflow.js'
import { type MotoPeer, startMoto } from './moto.js'
import { type PostgresPeer, findPostgresBinDir, startPostgres } from './postgres.js'
import { freePort } from '../support/free-port.js'

/**
 * Starts the peers the suites talk to, once per test run, and hands their
 * addresses to the tests through `inject()`. TEST_DATABASE_URL,
 * TEST_MLFLOW_URL and TEST_MOTO_URL, when set, name servers to use instead
 * of starting them.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null
    mlflowUrl: string | null
    motoUrl: string | null
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
  let moto: MotoPeer | null = null
  let mlflowUrl = process.env.TEST_MLFLOW_URL ?? null
  let motoUrl = process.env.TEST_MOTO_URL ?? null
  const venv = mlflowUrl && motoUrl ? null : pythonPeersVenv()
  if (venv) {
    const [mlflowPort, motoPort] = [await freePort(), await freePort()]
    ;[mlflow, moto] = await Promise.all([mlflowUrl ? null : startMlflow(venv, mlflowPort), motoUrl ? null : startMoto(venv, motoPort)])
    mlflowUrl ??= mlflow?.url ?? null
    motoUrl ??= moto?.url ?? null
  }
  project.provide('mlflowUrl', mlflowUrl)
  project.provide('motoUrl', motoUrl)

  return async () => {
    peer?.stop()
    await Promise.all([mlflow?.stop(), moto?.stop()])
  }
}

