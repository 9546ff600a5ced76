import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../support/free-port.js'
import { stopProcessGroup, tailOf, waitForHttp } from './process.js'

/** Debian's Prometheus server (`apt-get install prometheus`); PROMETHEUS_PATH names another build. */
export function findPrometheus(): string | null {
  const candidates = [process.env.PROMETHEUS_PATH, '/usr/bin/prometheus']
  return candidates.find((path): path is string => path !== undefined && existsSync(path)) ?? null
}

export interface PrometheusPeer {
  url: string
  /** One instant vector, through Prometheus's HTTP API. */
  query(expression: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>
  stop(): Promise<void>
}

/** A private Prometheus on loopback scraping `targets` (host:port) every second, its data in a temporary directory. */
export async function startPrometheus(binary: string, targets: string[]): Promise<PrometheusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: mlgate\n    static_configs:\n      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]\n`)
  const port = await freePort()
  const child = spawn(binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(child, `${url}/-/ready`, 'prometheus', tailOf(child), 60_000)
  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expression })}`)
      const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      if (body.status !== 'success') throw new Error(`prometheus refused ${expression}: ${JSON.stringify(body)}`)
      return body.data.result
    },
    async stop() {
      await stopProcessGroup(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
