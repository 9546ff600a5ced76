import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { migrationProvider } from '../../src/adapters/native/migrations/index.js'
import { openNativeDatabase, migrateToLatest } from '../../src/adapters/native/client.js'
import { parseConfig, type NativeBackendConfig } from '../../src/config.js'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, RunDocument } from '../generated/graphql.js'
import { describeEachEngine, describePostgres, nativeBackendConfig } from '../support/engines.js'
import { startTestGateway } from '../support/gateway.js'

describe('PGlite data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-pglite-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps experiments, runs and metrics across a restart (and migrates twice without harm)', async () => {
    const config = { backends: [{ id: 'local', kind: 'native' as const, dataDir: dir }] }
    const first = await startTestGateway(config)
    const experiment = (await first.data(CreateExperimentDocument, { input: { name: 'survivor' } })).createExperiment
    const run = (await first.data(CreateRunDocument, { input: { experimentId: experiment.id, params: [{ key: 'lr', value: '0.1' }] } })).createRun
    await first.data(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'acc', value: 0.9, step: 3 }] })
    await first.close()

    const second = await startTestGateway(config)
    try {
      const reread = (await second.data(RunDocument, { id: run.id })).run
      expect(reread).toMatchObject({
        id: run.id,
        experiment: { id: experiment.id, name: 'survivor' },
        params: [{ key: 'lr', value: '0.1' }],
        metrics: [{ key: 'acc', value: 0.9, step: 3 }],
      })
    } finally {
      await second.close()
    }
  })
})

describeEachEngine('migrations', (engine) => {
  it('migrate concurrently and repeatedly on one database without colliding', async () => {
    const backend = parseConfig({ backends: [nativeBackendConfig(engine)] }).backends[0] as NativeBackendConfig
    const databases = await Promise.all([openNativeDatabase(backend), ...(engine === 'postgres' ? [openNativeDatabase(backend)] : [])])
    try {
      // Two migrators at once (on PostgreSQL, two pools, as two gateways would be), then once more.
      await Promise.all(databases.map((database) => migrateToLatest(database.db, backend.schema)))
      await migrateToLatest(databases[0].db, backend.schema)
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(databases[0].db)
      // Each migration recorded once, in order, none missing.
      expect(rows.map((row) => row.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort())
      expect(rows.length).toBeGreaterThanOrEqual(7)
      const experiments = await databases[0].db.selectFrom('experiments').select(['id', 'name']).execute()
      expect(experiments).toEqual([{ id: 0, name: 'Default' }])
    } finally {
      await Promise.all(databases.map((database) => database.close()))
    }
  })
})

describePostgres('two gateways on one database', () => {
  it('start at once and both serve it', async () => {
    const backend = nativeBackendConfig('postgres')
    const [a, b] = await Promise.all([startTestGateway({ backends: [backend] }), startTestGateway({ backends: [backend] })])
    try {
      const experiment = (await a.data(CreateExperimentDocument, { input: { name: 'shared' } })).createExperiment
      const run = (await b.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun
      expect((await a.data(RunDocument, { id: run.id })).run?.experiment?.name).toBe('shared')
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
