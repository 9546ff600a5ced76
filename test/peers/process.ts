import type { ChildProcess } from 'node:child_process'

/** Waits until `url` answers 2xx, failing early if the peer exits, and after `timeoutMs`. */
export async function waitForHttp(child: ChildProcess, url: string, name: string, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${log()}`)
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${log()}`)
    await new Promise((done) => setTimeout(done, 250))
  }
}

/** SIGTERM to the peer's process group (it may have workers), SIGKILL if it has not exited within 5 s. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return
  const exited = new Promise((done) => child.once('exit', done))
  process.kill(-child.pid, 'SIGTERM')
  const stopped = await Promise.race([exited.then(() => true), new Promise((done) => setTimeout(() => done(false), 5000))])
  if (!stopped) {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Gone in the meantime.
    }
  }
}

/** Keeps the last few KB of a peer's stderr, for error messages. */
export function tailOf(child: ChildProcess): () => string {
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
  return () => log
}
