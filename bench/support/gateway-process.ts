import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * `mlgate` as its own process (as in production), with the given config, on
 * a free port; the benchmark's load generator then does not share its CPU.
 */
export async function startGatewayProcess(config: unknown): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-bench-'))
  const file = join(dir, 'mlgate.json')
  writeFileSync(file, JSON.stringify(config))
  const loader = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href
  const child = spawn(process.execPath, ['--import', loader, resolve('src/main.ts'), '--config', file, '--port', '0'], {
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
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}

/** A GraphQL client for the benchmarks: fails loudly on any error. */
export function graphqlClient(port: number) {
  const endpoint = `http://127.0.0.1:${port}/graphql`
  return async <T>(query: string, variables: unknown = {}): Promise<T> => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    const body = (await response.json()) as { data?: T; errors?: unknown }
    if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors))
    return body.data
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
