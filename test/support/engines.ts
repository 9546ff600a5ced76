import { findChromium } from '../peers/chromium.js'
import { findPrometheus } from '../peers/prometheus.js'
import { findHaproxy } from '../peers/haproxy.js'
import { describe, inject, it } from 'vitest'
import type { ConfigInput } from '../../src/config.js'
import { type PgQueryCounter, startPgQueryCounter } from './pg-query-counter.js'

/**
 * The native store runs on embedded PGlite and on a real PostgreSQL server;
 * suites that cover it run once per engine. Without a PostgreSQL server a
 * developer machine skips that half with a loud line; CI (CI=true) fails.
 */
export type Engine = 'pglite' | 'postgres'

let schemaCounter = 0

/** A native backend config on the given engine, isolated from every other suite. */
export function nativeBackendConfig(engine: Engine, id = 'local'): Extract<NonNullable<ConfigInput['backends']>[number], { kind: 'native' }> {
  if (engine === 'pglite') return { id, kind: 'native', dataDir: 'memory://' }
  const url = inject('postgresUrl')
  if (!url) throw new Error('no PostgreSQL server for this suite')
  schemaCounter += 1
  const schema = `t_${process.pid}_${schemaCounter}_${Math.random().toString(36).slice(2, 8)}`
  return { id, kind: 'native', database: url, schema }
}

export function describeEachEngine(name: string, suite: (engine: Engine) => void): void {
  describe(`${name} [pglite]`, () => suite('pglite'))
  describePostgres(name, () => suite('postgres'))
}

/** A suite that needs the real PostgreSQL server. */
export function describePostgres(name: string, suite: () => void): void {
  describeWithPeer(`${name} [postgres]`, Boolean(inject('postgresUrl')), 'a PostgreSQL server (install Debian postgresql or set TEST_DATABASE_URL)', suite)
}

/** A suite that needs the real MLflow tracking server. */
export function describeMlflow(name: string, suite: (mlflowUrl: string) => void): void {
  const url = inject('mlflowUrl')
  describeWithPeer(`${name} [mlflow]`, Boolean(url), 'an MLflow server (needs python3; or set TEST_MLFLOW_URL)', () => suite(url ?? ''))
}

/** A suite that needs moto's server (emulating SageMaker). */
export function describeMoto(name: string, suite: (motoUrl: string) => void): void {
  const url = inject('motoUrl')
  describeWithPeer(`${name} [moto]`, Boolean(url), "moto's server (needs python3; or set TEST_MOTO_URL)", () => suite(url ?? ''))
}

/** A suite that needs a real Prometheus server (Debian's prometheus). */
export function describePrometheus(name: string, suite: (binary: string) => void): void {
  const path = findPrometheus()
  describeWithPeer(`${name} [prometheus]`, path !== null, 'Prometheus (apt-get install prometheus; or set PROMETHEUS_PATH)', () => suite(path ?? ''))
}

/** A suite that needs a real HAProxy (Debian's haproxy). */
export function describeHaproxy(name: string, suite: (binary: string) => void): void {
  const path = findHaproxy()
  describeWithPeer(`${name} [haproxy]`, path !== null, 'HAProxy (apt-get install haproxy; or set HAPROXY_PATH)', () => suite(path ?? ''))
}

/** A suite that needs a real browser (Debian's Chromium). */
export function describeChromium(name: string, suite: (executablePath: string) => void): void {
  const path = findChromium()
  describeWithPeer(`${name} [chromium]`, path !== null, 'Chromium (apt-get install chromium; or set CHROMIUM_PATH)', () => suite(path ?? ''))
}

/** Runs a suite when its peer is there; otherwise skips loudly, or fails in CI (CI=true). */
function describeWithPeer(name: string, present: boolean, peer: string, suite: () => void): void {
  if (present) {
    describe(name, suite)
  } else if (process.env.CI) {
    describe(name, () => {
      it(`needs ${peer}`, () => {
        throw new Error(`CI=true but no ${peer}`)
      })
    })
  } else {
    console.warn(`\n!!! SKIPPED "${name}": no ${peer}\n`)
    describe.skip(name, suite)
  }
}

/**
 * A native backend on the suite's PostgreSQL whose connections go through
 * a statement counter (pg-query-counter.ts): what a request costs the
 * database, counted at the wire.
 */
export async function countedPostgresBackend(): Promise<{ backend: ReturnType<typeof nativeBackendConfig>; statements: PgQueryCounter }> {
  const server = new URL(inject('postgresUrl') ?? '')
  const statements = await startPgQueryCounter(server.hostname, Number(server.port))
  const native = nativeBackendConfig('postgres')
  const counted = new URL(native.database ?? '')
  counted.port = String(statements.port)
  return { backend: { ...native, database: counted.toString() }, statements }
}
