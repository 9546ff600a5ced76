import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { stopProcessGroup, tailOf, waitForHttp } from './process.js'

/**
 * moto's server on loopback, emulating AWS (SageMaker here) from the pinned
 * virtualenv. It accepts any credentials; tests use fake ones.
 */
export interface MotoPeer {
  url: string
  stop(): Promise<void>
}

export async function startMoto(venv: string, port: number): Promise<MotoPeer> {
  const binary = join(venv, 'bin', 'moto_server')
  if (!existsSync(binary)) throw new Error(`no moto_server in ${venv}`)
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(child, `${url}/moto-api/`, 'moto_server', tailOf(child))
  return { url, stop: () => stopProcessGroup(child) }
}
