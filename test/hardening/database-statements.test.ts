import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { inputErrorOf, migrateToLatest, openNativeDatabase } from '../../src/adapters/native/client.js'
import { type NativeBackendConfig, parseConfig } from '../../src/config.js'
import { runInRequestScope } from '../../src/request-scope.js'
import { describePostgres, nativeBackendConfig } from '../support/engines.js'

/** Every statement on a PostgreSQL server is bounded, and a request's statements stop when its client leaves. */
describePostgres('database statements', () => {
  let database: Awaited<ReturnType<typeof openNativeDatabase>>
  let config: NativeBackendConfig

  beforeAll(async () => {
    config = parseConfig({ backends: [nativeBackendConfig('postgres')] }).backends[0] as NativeBackendConfig
    database = await openNativeDatabase(config, { statementTimeoutMs: 300 })
    // Migrations run without the timeout (an index build may take minutes), and then it applies again.
    await migrateToLatest(database.db, config.schema)
  })
  afterAll(() => database.close())

  it('cancels a statement past the statement timeout, as QUERY_TOO_COMPLEX', async () => {
    const error = await sql`select pg_sleep(2)`.execute(database.db).then(
      () => null,
      (failure: unknown) => failure,
    )
    expect(inputErrorOf(error, 'local')?.code).toBe('QUERY_TOO_COMPLEX')
    expect((await sql<{ v: string }>`select current_setting('statement_timeout') as v`.execute(database.db)).rows[0].v).toBe('300ms')
  })

  it('cancels a request\'s running statement when its client goes away', async () => {
    const longer = await openNativeDatabase(config, { statementTimeoutMs: 60_000 })
    try {
      const left = new AbortController()
      const running = runInRequestScope(left.signal, 'test-request', () => sql`select pg_sleep(30)`.execute(longer.db)).then(
        () => 'finished',
        (failure: unknown) => (failure as { code?: string }).code,
      )
      await new Promise((resolve) => setTimeout(resolve, 200))
      left.abort()
      // 57014: query_canceled (it would otherwise have finished, after 30 s, as 'finished').
      expect(await running).toBe('57014')
      const sleeping = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(30)%'`.execute(longer.db)
      expect(sleeping.rows[0].n).toBe(0)
    } finally {
      await longer.close()
    }
  })
})
