import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { migrationProvider } from '../../src/adapters/native/migrations/index.js'
import { openNativeDatabase, migrateToLatest } from '../../src/adapters/native/client.js'
import { MetricStore } from '../../src/adapters/native/metric-store.js'
import { ROLLUP_WIDTHS } from '../../src/adapters/native/metric-rollups.js'
import { Migrator } from 'kysely'
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

describeEachEngine('the unique-metric-points migration', (engine) => {
  it('removes the copies stored before it, and their counts from the rollups', async () => {
    const backend = parseConfig({ backends: [nativeBackendConfig(engine)] }).backends[0] as NativeBackendConfig
    const database = await openNativeDatabase(backend)
    try {
      const migrator = new Migrator({ db: database.db, provider: migrationProvider, migrationTableSchema: backend.schema })
      const before = await migrator.migrateTo('2026-11-30T0200-model-metric-datasets')
      expect(before.error).toBeUndefined()
      const now = Date.now()
      await sql`insert into runs (id, experiment_id, name, status, start_time, lifecycle_stage, user_id) values ('r-copies', 0, 'copies', 'RUNNING', ${now}, 'active', '')`.execute(database.db)
      const points = Array.from({ length: 300 }, (_, step) => ({ key: 'loss', step, timestamp: new Date(now + step), value: step % 7 === 0 ? Number.NaN : step / 10 }))
      // Before the unique index, a second append stored every point again, and counted it in the rollups of the time (16, 256 and 4,096 steps wide).
      for (const batch of [points, points.slice(0, 100)]) {
        await sql`insert into metrics (run_id, key, step, timestamp, value)
          select 'r-copies', 'loss', step, timestamp, value from unnest(${batch.map((p) => p.step)}::int8[], ${batch.map((p) => p.timestamp.getTime())}::int8[], ${batch.map((p) => p.value)}::float8[]) as t(step, timestamp, value)`.execute(database.db)
      }
      await sql`insert into metric_rollups (run_id, key, width, bucket, count, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)
        select run_id, key, w, step / w, count(*),
          (array_agg(step order by value, step))[1], (array_agg(timestamp order by value, step))[1], (array_agg(value order by value, step))[1],
          (array_agg(step order by value = 'NaN', value desc, step))[1], (array_agg(timestamp order by value = 'NaN', value desc, step))[1], (array_agg(value order by value = 'NaN', value desc, step))[1]
        from metrics cross join (values (16), (256), (4096)) as widths(w) where run_id = 'r-copies' group by run_id, key, w, step / w`.execute(database.db)
      const count = async () => Number((await sql<{ n: string }>`select count(*) as n from metrics where run_id = 'r-copies'`.execute(database.db)).rows[0].n)
      const rolledUp = async (width: number) =>
        Number((await sql<{ n: string }>`select sum(count) as n from metric_rollups where run_id = 'r-copies' and width = ${width}`.execute(database.db)).rows[0].n)
      expect([await count(), await rolledUp(16)]).toEqual([400, 400])

      await migrateToLatest(database.db, backend.schema)
      // The copies are gone, from the points and from every rollup level (now those of metric-rollups.ts, derived from the old ones).
      expect(await count()).toBe(300)
      for (const width of ROLLUP_WIDTHS) expect(await rolledUp(width)).toBe(300)
      expect(await rolledUp(16)).toBe(0)
      const store = new MetricStore(database.db, 'unused', database.engine)
      const [whole, reduced] = await store.histories([
        { runId: 'r-copies', key: 'loss', minStep: null, maxStep: null, maxPoints: 1000 },
        { runId: 'r-copies', key: 'loss', minStep: null, maxStep: null, maxPoints: 10 },
      ])
      expect(whole.totalPoints).toBe(300)
      expect(whole.points.map((point) => point.step)).toEqual(points.map((point) => point.step))
      // Reduced through the derived rollups: the series' lowest and highest numbers survive (NaN is never a maximum while a number exists).
      expect(reduced.sampled).toBe(true)
      const values = reduced.points.map((point) => point.value)
      expect(values).toContain(0.1)
      expect(values).toContain(29.9)
      // And from now on a copy is not stored.
      expect(await store.append('r-copies', points.slice(250))).toEqual({ written: 0, copies: 50, audited: false })
      expect(await count()).toBe(300)
    } finally {
      await database.close()
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
