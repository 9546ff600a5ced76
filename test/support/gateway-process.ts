import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * `mlgate` as its own process (as in production), with the given config, on
 * a free port; a benchmark's load generator does not share its CPU, and two replicas are
 * two real processes.
 */
export async function startGatewayProcess(config: unknown): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-bench-'))
  const file = join(dir, 'mlgate.json')
  writeFileSync(file, JSON.stringify(config))
  // GATEWAY_NODE_ARGS passes flags to the gateway's node (e.g. --cpu-prof when profiling a benchmark).
  const loader = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href
  const child = spawn(process.execPath, [...(process.env.GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', loader, resolve('src/main.ts'), '--config', file, '--port', '0'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((done, fail) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /at http:\/\/[^:]+:(\d+)\/graphql/.exec(output)
      if (match) done(Number(match[1]))
    })
    child.once('exit', (code) => fail(new Error(`gateway exited with ${code}: ${output}`)))
  })
  return {
    port,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}

