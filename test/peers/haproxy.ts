import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../support/free-port.js'
import { stopProcessGroup, tailOf, waitForHttp } from './process.js'

/** Debian's HAProxy (`apt-get install haproxy`); HAPROXY_PATH names another build. */
export function findHaproxy(): string | null {
  const candidates = [process.env.HAPROXY_PATH, '/usr/sbin/haproxy']
  return candidates.find((path): path is string => path !== undefined && existsSync(path)) ?? null
}

export interface HaproxyPeer {
  url: string
  stop(): Promise<void>
}

/**
 * HAProxy on loopback balancing round robin over `servers` (host:port),
 * as a deployment would: health checks on /health every 200 ms (a dead
 * replica leaves the rotation within a check or two), a failed connection
 * retried on another server, long timeouts for SSE streams.
 */
export async function startHaproxy(binary: string, servers: string[]): Promise<HaproxyPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-haproxy-'))
  const port = await freePort()
  const config = join(dir, 'haproxy.cfg')
  writeFileSync(
    config,
    [
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout tunnel 60s',
      '  retries 3',
      '  option redispatch',
      'frontend gateway',
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk',
      // With a Host header: the gateway refuses requests naming no host it serves (DNS rebinding).
      '  http-check send meth GET uri /health ver HTTP/1.1 hdr Host 127.0.0.1',
      '  default-server inter 200ms fall 1 rise 2',
      ...servers.map((server, index) => `  server replica${index + 1} ${server} check`),
      '',
    ].join('\n'),
  )
  const child = spawn(binary, ['-db', '-f', config], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(child, `${url}/health`, 'haproxy', tailOf(child), 30_000)
  return {
    url,
    async stop() {
      await stopProcessGroup(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
