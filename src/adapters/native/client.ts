import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { NativeBackendConfig } from '../../config.js'
import { GatewayError } from '../../errors.js'
import type { Database } from './db/schema.js'
import { PGliteDialect } from './db/pglite-dialect.js'
import { lockDataDir } from './data-dir-lock.js'
import { cancellablePool } from './cancellable-pool.js'
import type { ConnectionStats } from '../../work-priority.js'
import { migrationProvider } from './migrations/index.js'

/** The native store's connection: Kysely over a `pg` pool, or over embedded PGlite. */
export interface NativeDatabase {
  db: Kysely<Database>
  engine: 'postgres' | 'pglite'
  /**
   * LISTENs on a channel. `onResume` runs after a lost listening connection
   * is back, since notifications sent meanwhile are gone. Returns the stop function.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResume: () => void): Promise<() => Promise<void>>
  /** Connections in use and statements waiting for one (PGlite: its one connection). */
  connections(): ConnectionStats
  close(): Promise<void>
}

const INT8_OID = 20

export async function openNativeDatabase(config: NativeBackendConfig, options: { statementTimeoutMs?: number } = {}): Promise<NativeDatabase> {
  if (config.database) {
    // Every statement of the gateway's sessions is bounded (limits.statementTimeoutMs); migrations lift it (migrateToLatest).
    const timeout = options.statementTimeoutMs ? ` -c statement_timeout=${options.statementTimeoutMs}` : ''
    const pool = new pg.Pool({
      connectionString: config.database,
      max: config.poolSize,
      // Every session sees only mlgate's schema, so one server can host several gateways or test suites.
      // No JIT: mlgate's queries are short, and compiling them (triggered by the estimated cost of
      // correlated subqueries) took longer than running them (14 ms of a 60 ms run search).
      // Random reads cost as SSDs and a warm cache make them (PostgreSQL's default of 4 assumes
      // spinning disks): reading a page's 100 runs by primary key, the default chose a scan of
      // all 10,000 (1.4 ms) over the index (0.4 ms).
      options: `-c search_path=${config.schema} -c jit=off -c random_page_cost=1.1${timeout}`,
      // int8 holds epoch milliseconds and counts, all far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
      },
    })
    // An idle client that loses its server emits 'error'; without a listener that kills the process.
    pool.on('error', () => {})
    const connections = cancellablePool(pool, config.database, config.poolSize)
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: connections }) })
    const listeners = new Set<PostgresListener>()
    return {
      db,
      engine: 'postgres',
      connections: () => connections.stats(),
      listen: async (channel, onPayload, onResume) => {
        const listener = new PostgresListener(config.database as string, channel, onPayload, onResume)
        listeners.add(listener)
        await listener.start()
        return async () => {
          listeners.delete(listener)
          await listener.stop()
        }
      },
      close: async () => {
        await Promise.all([...listeners].map((listener) => listener.stop()))
        await db.destroy()
      },
    }
  }

  let unlock: () => Promise<void> = async () => {}
  if (!config.dataDir.startsWith('memory://')) {
    mkdirSync(config.dataDir, { recursive: true })
    unlock = await lockDataDir(config.dataDir)
  }
  // PGlite returns int8 as a JS number already.
  let pglite: PGlite
  try {
    pglite = await PGlite.create(config.dataDir)
  } catch (error) {
    await unlock()
    throw error
  }
  const dialect = new PGliteDialect(pglite)
  const db = new Kysely<Database>({ dialect })
  if (config.schema !== 'public') {
    await sql`create schema if not exists ${sql.id(config.schema)}`.execute(db)
    await sql`set search_path to ${sql.id(config.schema)}`.execute(db)
  }
  return {
    db,
    engine: 'pglite',
    connections: () => dialect.lock.stats(),
    // One in-process session: nothing to lose, nothing to resume.
    listen: async (channel, onPayload) => {
      const unlisten = await pglite.listen(channel, onPayload)
      return () => unlisten()
    },
    close: async () => {
      await db.destroy()
      await pglite.close()
      await unlock()
    },
  }
}

/**
 * A dedicated connection that LISTENs (a pooled one would be handed to other
 * queries). When the server drops it, it reconnects with backoff and calls
 * `onResume` so the caller can read what it missed from the table.
 */
class PostgresListener {
  private client: pg.Client | null = null
  private stopped = false
  private retryDelayMs = 100

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onResume: () => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString })
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.onPayload(message.payload)
    })
    client.on('error', () => this.reconnect(client))
    client.on('end', () => this.reconnect(client))
    await client.connect()
    await client.query(`listen ${client.escapeIdentifier(this.channel)}`)
    this.client = client
    this.retryDelayMs = 100
  }

  async stop(): Promise<void> {
    this.stopped = true
    const client = this.client
    this.client = null
    await client?.end().catch(() => {})
  }

  private reconnect(failed: pg.Client): void {
    if (this.stopped || this.client !== failed) return
    this.client = null
    failed.end().catch(() => {})
    const retry = () => {
      if (this.stopped) return
      this.start().then(this.onResume, () => {
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000)
        setTimeout(retry, this.retryDelayMs).unref()
      })
    }
    setTimeout(retry, this.retryDelayMs).unref()
  }
}

/**
 * Brings the schema to the latest migration. Safe to run from several
 * gateways at once: Kysely's Migrator holds a PostgreSQL advisory lock while
 * it migrates, and tolerates losing the race to create its own tables.
 */
export async function migrateToLatest(db: Kysely<Database>, schema: string): Promise<void> {
  // One pinned session, with no statement timeout: building an index on a large table may take minutes.
  await db.connection().execute(async (session) => {
    const engine = (await sql<{ v: string }>`select current_setting('statement_timeout') as v`.execute(session)).rows[0]?.v
    if (engine !== undefined && engine !== '0') await sql`set statement_timeout = 0`.execute(session)
    try {
      await ensureSchema(session, schema)
      const migrator = new Migrator({ db: session, provider: migrationProvider, migrationTableSchema: schema })
      const { error, results } = await migrator.migrateToLatest()
      if (error) {
        const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown'
        throw new Error(`migration ${failed} failed: ${(error as Error).message}`, { cause: error })
      }
    } finally {
      if (engine !== undefined && engine !== '0') await sql`reset statement_timeout`.execute(session)
    }
  })
}

async function ensureSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  } catch (error) {
    // Two servers creating the schema at once: the loser sees a unique violation even with IF NOT EXISTS.
    const { rows } = await sql<{ found: boolean }>`select exists (select 1 from pg_namespace where nspname = ${schema}) as found`.execute(db)
    if (!rows[0]?.found) throw error
  }
}

/** PostgreSQL error codes the store turns into gateway errors. */
export const PG_UNIQUE_VIOLATION = '23505'

export function databaseErrorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code
  return undefined
}

/**
 * Lost connections and a server that is down or restarting mean the backend
 * is unavailable; the message names no host, user or SQL.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = databaseErrorCode(error)
  if (!code) return error instanceof Error && /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(error.message)
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08')
}

/**
 * PostgreSQL errors that the request's input caused: a value the column
 * cannot hold (out of range, not valid text), a pattern it cannot read, a
 * statement past its timeout. They become BAD_USER_INPUT (or
 * QUERY_TOO_COMPLEX) naming the column when PostgreSQL does, never quoting
 * the value or the SQL. Null for any other error.
 */
export function inputErrorOf(error: unknown, backendId: string): GatewayError | null {
  const code = databaseErrorCode(error)
  if (!code) return null
  const column = error && typeof error === 'object' && 'column' in error && typeof error.column === 'string' ? ` (${error.column})` : ''
  if (code === '57014') {
    return new GatewayError('QUERY_TOO_COMPLEX', `the query ran past the statement timeout (limits.statementTimeoutMs) on backend "${backendId}"; narrow it`, { backend: backendId })
  }
  const reason = INPUT_ERRORS[code]
  return reason ? new GatewayError('BAD_USER_INPUT', `${reason}${column}`, { backend: backendId }) : null
}

const INPUT_ERRORS: Record<string, string> = {
  '22001': 'a value is too long for the store',
  '22003': 'a number is out of the range the store holds',
  '22008': 'a time is out of the range the store holds',
  '22021': 'a string holds a character the store cannot hold (such as U+0000)',
  '22P05': 'a string holds a character the store cannot hold',
  '22P02': 'a value is not of the type the store expects',
  '22025': 'a LIKE pattern has an invalid escape',
  '2201B': 'a pattern is not a valid regular expression',
  '54000': 'a value is too large for the store to index',
  '54001': 'the query is too complex for the store',
  '54011': 'the query selects too many columns',
  '54023': 'the query has too many arguments',
}

export function unavailable(backendId: string, cause: unknown): GatewayError {
  return new GatewayError('BACKEND_UNAVAILABLE', `backend "${backendId}" cannot reach its database`, { backend: backendId, cause })
}
