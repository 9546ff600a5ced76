import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { log } from '../../log.js'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import lockfile from 'proper-lockfile'

/**
 * PGlite is one process's database: two gateways on one data directory
 * each hand out the same ids, and after a restart one side's writes are
 * gone or the directory no longer opens. So the directory is locked
 * (proper-lockfile: a lock directory whose mtime the holder keeps fresh, so
 * a crashed holder's lock goes stale) and a second process refuses to start,
 * naming the directory and the holder (recorded beside the lock).
 * The lock is `<dataDir>.lock`, its holder `<dataDir>.lock.json`.
 */

interface LockOwner {
  pid: number
  host: string
  startedAt: string
}

/** Takes the lock on `dataDir` (which must exist), or throws naming who holds it. Resolves with the release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const directory = resolve(dataDir)
  // Beside the directory, not in it: PGlite owns what is inside.
  const lockPath = `${directory}.lock`
  const ownerFile = `${directory}.lock.json`
  const take = () =>
    lockfile.lock(directory, {
      lockfilePath: lockPath,
      // A holder that died without releasing (SIGKILL, a power cut) loses the lock after this long.
      stale: 10_000,
      onCompromised: (error) => log.error({ directory, error: error.message }, 'lost the lock on the data directory'),
    })
  let release: () => Promise<void>
  try {
    release = await take()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
    const owner = readOwner(ownerFile)
    // A holder on this machine that is gone (killed moments ago) need not be waited out.
    if (!owner || owner.host !== hostname() || isAlive(owner.pid)) {
      const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.startedAt})` : 'another process'
      throw new Error(`the data directory ${directory} is in use by ${who}; stop it, or give this gateway another dataDir`)
    }
    await lockfile.unlock(directory, { lockfilePath: lockPath }).catch(() => {})
    release = await take()
  }
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } satisfies LockOwner))
  return async () => {
    rmSync(ownerFile, { force: true })
    await release()
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner
  } catch {
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
