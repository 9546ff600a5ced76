import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The TypeScript loader by absolute URL: a gateway process may run in a directory with no node_modules. */
const LOADER = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href
const MAIN = resolve('src/main.ts')
/** Node flags `npm start` runs the gateway with (package.json): a 32 MB young generation, see docs/architecture.md. */
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=32']

/**
 * The real `mlgate` command as a child process. GATEWAY_NODE_ARGS passes
 * flags to its node (e.g. --cpu-prof when profiling a benchmark).
 */
export function spawnMlgate(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const nodeArgs = process.env.GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  return spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...nodeArgs, '--import', LOADER, MAIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Waits for the "GraphQL ... at http://host:port/graphql" line; fails if the process exits first. */
export function waitForListening(child: ChildProcess): Promise<{ port: number; output: () => string }> {
  let output = ''
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /at http:\/\/[^:]+:(\d+)\/graphql/.exec(output)
      if (match) done({ port: Number(match[1]), output: () => output })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => fail(new Error(`mlgate exited with ${code} before listening:\n${output}`)))
  })
}

/**
 * `mlgate` as its own process (as in production), with the given config, on
 * a free port: a benchmark's load generator does not share its CPU, and two
 * replicas are two real processes.
 */
export async function startGatewayProcess(config: unknown): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-process-'))
  const file = join(dir, 'mlgate.json')
  writeFileSync(file, JSON.stringify(config))
  const child = spawnMlgate(['--config', file, '--port', '0'], { env: { ...process.env, NODE_ENV: 'production' } })
  const { port } = await waitForListening(child)
  // Keep draining its output so a chatty gateway never blocks on a full pipe.
  child.stdout?.resume()
  child.stderr?.pipe(process.stderr)
  return {
    port,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}
