import { describe, inject, it } from 'vitest'
import type { ConfigInput } from '../../src/config.js'

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
  if (inject('postgresUrl')) {
    describe(`${name} [postgres]`, suite)
  } else if (process.env.CI) {
    describe(`${name} [postgres]`, () => {
      it('needs a PostgreSQL server', () => {
        throw new Error('CI=true but no PostgreSQL server: install Debian postgresql or set TEST_DATABASE_URL')
      })
    })
  } else {
    console.warn(`\n!!! SKIPPED "${name}" on PostgreSQL: no server found (install postgresql or set TEST_DATABASE_URL)\n`)
    describe.skip(`${name} [postgres]`, suite)
  }
}
