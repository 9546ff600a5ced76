import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway PostgreSQL server on loopback, from the machine's own
 * PostgreSQL binaries (Debian's `postgresql` package): initdb into a temp
 * directory, start on a free port with trust auth, drop it all on stop.
 */
export interface PostgresPeer {
  url: string
  stop(): void
}

export function findPostgresBinDir(): string | null {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
    if (existsSync(join(dir, 'initdb'))) return dir
  } catch {
    // No pg_config: look where Debian puts the server.
  }
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const dir = join(root, version, 'bin')
    if (existsSync(join(dir, 'initdb'))) return dir
  }
  return null
}

/**
 * `durable: false` (tests) trades crash safety for speed; benchmarks keep
 * PostgreSQL's defaults (fsync, synchronous commit), as a production server would.
 */
export function startPostgres(binDir: string, port: number, options: { durable?: boolean } = {}): PostgresPeer {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-pg-'))
  chmodSync(dir, 0o777)
  const data = join(dir, 'data')
  // PostgreSQL refuses to run as root; as root, run it as the `postgres` user the package creates.
  const asServerUser = (command: string, args: string[]) =>
    process.getuid?.() === 0 ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args }
  const run = (command: string, args: string[]) => {
    const invocation = asServerUser(join(binDir, command), args)
    const result = spawnSync(invocation.command, invocation.args, { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`)
  }
  run('initdb', ['-D', data, '-U', 'mlgate', '-A', 'trust', '-E', 'UTF8', '--locale=C', ...(options.durable ? [] : ['--no-sync'])])
  const speed = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
  run('pg_ctl', [
    '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -c max_connections=300${speed}`,
    'start',
  ])
  return {
    url: `postgres://mlgate@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
