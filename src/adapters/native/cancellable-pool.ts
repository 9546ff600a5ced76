import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import pg from 'pg'
import { currentRequestSignal } from '../../request-scope.js'
import { type ConnectionStats, PrioritySemaphore } from '../../work-priority.js'

/**
 * The pg pool as Kysely sees it, with two additions. A statement issued for
 * an HTTP request is cancelled (PostgreSQL's pg_cancel_backend, sent on a
 * separate short-lived connection) when that request's client goes away.
 * Without it, a client that left a heavy search kept a pool connection
 * and a server process busy until the statement finished. Connections go
 * to light work first, and heavy work holds at most half of them. And a client
 * whose server goes away while it is checked out does not end the process.
 */
export function cancellablePool(pool: pg.Pool, connectionString: string, poolSize: number): PostgresPool & { stats(): ConnectionStats } {
  // One wrapper per pg client, as Kysely keys its connections by the client object.
  const wrappers = new WeakMap<pg.PoolClient, { client: PostgresPoolClient; state: { cancelled: boolean; releaseTurn?: () => void } }>()
  const turns = new PrioritySemaphore(poolSize, Math.max(1, Math.floor(poolSize / 2)))
  return {
    connect: async () => {
      // Light work's statements go first, and heavy work holds at most half the connections (work-priority.ts).
      const releaseTurn = await turns.acquire()
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (error) {
        releaseTurn()
        throw error
      }
      let wrapper = wrappers.get(client)
      if (!wrapper) {
        // A checked-out client whose server goes away emits 'error' (pg-pool listens only while it
        // is idle); unheard, that ends the process. Its queries fail on their own, so this only listens.
        client.on('error', () => {})
        // A connection whose statement was cancelled is closed, not pooled: a cancel still in
        // flight must not reach the next statement on it.
        const state: { cancelled: boolean; releaseTurn?: () => void } = { cancelled: false }
        const wrapped = {
          query(sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) {
            if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never)
            return queryCancellable(client, connectionString, sqlOrCursor, parameters ?? [], state)
          },
          release: () => {
            client.release(state.cancelled)
            state.releaseTurn?.()
            state.releaseTurn = undefined
          },
        }
        wrapper = { client: wrapped as PostgresPoolClient, state }
        wrappers.set(client, wrapper)
      }
      wrapper.state.releaseTurn = releaseTurn
      return wrapper.client
    },
    end: () => pool.end(),
    stats: () => turns.stats(),
  }
}

async function queryCancellable<R>(
  client: pg.PoolClient,
  connectionString: string,
  text: string,
  parameters: ReadonlyArray<unknown>,
  state: { cancelled: boolean },
): Promise<PostgresQueryResult<R>> {
  const signal = currentRequestSignal()
  if (!signal) return client.query(text, [...parameters]) as unknown as Promise<PostgresQueryResult<R>>
  if (signal.aborted) throw new Error('the client went away before the statement ran')
  const pid = (client as unknown as { processID: number | null }).processID
  const cancel = () => {
    state.cancelled = true
    if (pid !== null) void cancelBackend(connectionString, pid)
  }
  signal.addEventListener('abort', cancel, { once: true })
  try {
    return (await client.query(text, [...parameters])) as unknown as PostgresQueryResult<R>
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}

async function cancelBackend(connectionString: string, pid: number): Promise<void> {
  const canceller = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 })
  canceller.on('error', () => {})
  try {
    await canceller.connect()
    await canceller.query('select pg_cancel_backend($1)', [pid])
  } catch {
    // Best effort: the statement timeout still bounds it.
  } finally {
    await canceller.end().catch(() => {})
  }
}
