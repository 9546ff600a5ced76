import { type Kysely, sql } from 'kysely'
import { GatewayError } from '../../errors.js'
import { type LiveMetrics, type MetricBatch, RUN_EVENT_KINDS, type RunEvent, type RunEventKind } from '../../contract/backend.js'
import { type NativeDatabase, isConnectionFailure, unavailable } from './client.js'
import type { Database } from './db/schema.js'
import { toMetricPoint } from './map.js'
import { logUnexpected } from '../../log.js'
import { detachedFromRequest } from '../../request-scope.js'

/**
 * Live points from the native store. The metrics table is the log: every
 * row has a sequence, and every logMetrics commit rings one NOTIFY with its
 * run and sequence range (see `metric-store.ts`). This replica LISTENs once,
 * and for each notification about a watched run reads that commit's rows
 * once, however many subscribers watch it. Appends to one run are serialized
 * (a row lock), so a run's sequence order is its commit order and a
 * position (the last sequence delivered) resumes with no gap and no repeat.
 */
export class NativeLiveMetrics implements LiveMetrics {
  private readonly watchers = new Map<string, Set<(batches: MetricBatch[]) => void>>()
  /** The last sequence handed to each watched run's listeners, to catch up after a lost connection. */
  private readonly delivered = new Map<string, number>()
  private stopListening: Promise<() => Promise<void>> | null = null
  /** Watchers (of runs or experiments) whose channel is listened to. */
  private listening = 0
  private readonly runWatchers = new Map<string, Set<(event: RunEvent) => void>>()
  private stopListeningRuns: Promise<() => Promise<void>> | null = null
  /** Notifications are handled one at a time, so a run's batches stay in order. */
  private queue: Promise<void> = Promise.resolve()

  private readonly channel: string

  constructor(
    private readonly backendId: string,
    private readonly database: NativeDatabase,
    private readonly channels: { metrics: string; runs: string },
  ) {
    this.channel = channels.metrics
  }

  /** Run changes: each commit that creates or changes a run NOTIFYs `<experiment>:<run>:<kind>`. */
  watchRuns(experimentId: string, listener: (event: RunEvent) => void): () => void {
    this.stopListeningRuns ??= this.startListening(this.channels.runs, (payload) => this.onRunNotify(payload), () => {}, () => {
      this.stopListeningRuns = null
    })
    let listeners = this.runWatchers.get(experimentId)
    if (!listeners) {
      listeners = new Set()
      this.runWatchers.set(experimentId, listeners)
    }
    listeners.add(listener)
    const watched = listeners
    const active = this.countWhenListening(this.stopListeningRuns)
    return () => {
      active.stop()
      watched.delete(listener)
      if (watched.size === 0 && this.runWatchers.get(experimentId) === watched) this.runWatchers.delete(experimentId)
    }
  }

  private onRunNotify(payload: string): void {
    const [experimentId, runId, kind] = payload.split(':')
    if (!RUN_EVENT_KINDS.includes(kind as RunEventKind)) return
    for (const listener of this.runWatchers.get(experimentId) ?? []) listener({ runId, kind: kind as RunEventKind })
  }

  watch(runId: string, listener: (batches: MetricBatch[]) => void): () => void {
    this.stopListening ??= this.startListening(this.channel, (payload) => this.onNotify(payload), () => this.onResume(), () => {
      this.stopListening = null
    })
    let listeners = this.watchers.get(runId)
    if (!listeners) {
      listeners = new Set()
      this.watchers.set(runId, listeners)
    }
    listeners.add(listener)
    const watched = listeners
    const active = this.countWhenListening(this.stopListening, async () => {
      if (!this.delivered.has(runId)) this.delivered.set(runId, await this.lastSeq(runId))
    })
    return () => {
      active.stop()
      watched.delete(listener)
      if (watched.size === 0 && this.watchers.get(runId) === watched) {
        this.watchers.delete(runId)
        this.delivered.delete(runId)
      }
    }
  }

  /** Watchers whose LISTEN is in place: from then on nothing committed is missed. */
  watcherCount(): number {
    return this.listening
  }

  /**
   * LISTENs on a channel. A failed LISTEN (the database is down) is
   * forgotten by `forget`, so the next subscription tries again instead of
   * inheriting the failure; its callers see BACKEND_UNAVAILABLE from `ready()`.
   */
  private startListening(channel: string, onPayload: (payload: string) => void, onResume: () => void, forget: () => void): Promise<() => Promise<void>> {
    // The LISTEN connection serves every subscriber: it belongs to no one request.
    return detachedFromRequest(() => this.database.listen(channel, onPayload, onResume)).catch((error: unknown) => {
      forget()
      throw isConnectionFailure(error) ? unavailable(this.backendId, error) : error
    })
  }

  /** Counts a watcher once its channel is listened to (and `prepare` is done); returns how to uncount it. */
  private countWhenListening(listen: Promise<unknown>, prepare: () => Promise<void> = async () => {}): { stop(): void } {
    let state: 'pending' | 'counted' | 'stopped' = 'pending'
    // A failure here is the subscriber's to report (it awaits `ready()`); this only keeps the count.
    listen.then(prepare).then(
      () => {
        if (state !== 'pending') return
        state = 'counted'
        this.listening += 1
      },
      () => {},
    )
    return {
      stop: () => {
        if (state === 'counted') this.listening -= 1
        state = 'stopped'
      },
    }
  }

  /** Resolves once LISTEN is in place, so nothing committed after it is missed. */
  async ready(): Promise<void> {
    await Promise.all([this.stopListening, this.stopListeningRuns])
  }

  async replay(runId: string, keys: readonly string[] | null, position: string): Promise<MetricBatch[]> {
    const resume = parsePosition(position)
    let query = this.rows(this.database.db, runId).where('seq', '>', resume.after)
    if (keys) query = keys.length === 0 ? query.where(sql.lit(false)) : query.where('key', 'in', [...keys])
    const rows = (await query.execute()).filter(
      (row) => !resume.partial || row.seq > resume.partial.last || row.key > resume.partial.key,
    )
    // The backlog is delivered as one chunk: one batch per key.
    return rows.length === 0 ? [] : toBatches(runId, rows, rows[0].seq, rows[rows.length - 1].seq)
  }

  async currentPosition(runId: string): Promise<string> {
    return `s${await this.lastSeq(runId)}`
  }

  private async lastSeq(runId: string): Promise<number> {
    const row = await this.database.db
      .selectFrom('metrics')
      .select((eb) => eb.fn.max('seq').as('last'))
      .where('run_id', '=', runId)
      .executeTakeFirst()
    return Number(row?.last ?? 0)
  }

  async close(): Promise<void> {
    const stops = await Promise.all([this.stopListening?.catch(() => null), this.stopListeningRuns?.catch(() => null)])
    this.stopListening = null
    this.stopListeningRuns = null
    await Promise.all(stops.map((stop) => stop?.()))
  }

  private onNotify(payload: string): void {
    const [runId, first, last] = payload.split(':')
    if (!runId || !this.watchers.has(runId)) return
    this.enqueue(async () => {
      const rows = await this.rows(this.database.db, runId).where('seq', '>=', Number(first)).where('seq', '<=', Number(last)).execute()
      this.deliver(runId, toBatches(runId, rows, Number(first), Number(last)))
    })
  }

  /** After a lost LISTEN connection: read each watched run's rows after what was delivered. */
  private onResume(): void {
    for (const runId of this.watchers.keys()) {
      this.enqueue(async () => {
        const rows = await this.rows(this.database.db, runId).where('seq', '>', this.delivered.get(runId) ?? 0).execute()
        if (rows.length > 0) this.deliver(runId, toBatches(runId, rows, rows[0].seq, rows[rows.length - 1].seq))
      })
    }
  }

  private deliver(runId: string, batches: MetricBatch[]): void {
    const fresh = batches.filter((batch) => batch.order > (this.delivered.get(runId) ?? 0))
    if (fresh.length === 0) return
    this.delivered.set(runId, Math.max(...fresh.map((batch) => batch.order)))
    for (const listener of this.watchers.get(runId) ?? []) listener(fresh)
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(() => detachedFromRequest(task)).catch((error: unknown) => {
      logUnexpected('reading new metric points failed', error)
    })
  }

  private rows(db: Kysely<Database>, runId: string) {
    return db.selectFrom('metrics').select(['seq', 'key', 'step', 'timestamp', 'value']).where('run_id', '=', runId).orderBy('seq')
  }
}

/**
 * One commit's rows (or a backlog read as one chunk), sequences `first` to
 * `last` → one batch per key, in key order. Positions: after the last batch,
 * "everything up to `last`" (`s<last>`); after an earlier one, "everything
 * before `first`, and keys up to this one of `first`..`last`"
 * (`c<first>-<last>k<key>`), so a subscriber cut off mid-commit resumes
 * without a gap or a repeat. (A run's rows in that range are all this
 * commit's: appends to one run are serialized.)
 */
function toBatches(
  runId: string,
  rows: { seq: number; key: string; step: number; timestamp: number; value: number }[],
  first: number,
  last: number,
): MetricBatch[] {
  const byKey = new Map<string, MetricBatch>()
  for (const row of rows) {
    const batch = byKey.get(row.key)
    if (batch) batch.points.push(toMetricPoint(row))
    else byKey.set(row.key, { runId, key: row.key, points: [toMetricPoint(row)], order: last, position: '' })
  }
  const batches = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  batches.forEach((batch, index) => {
    batch.position = index === batches.length - 1 ? `s${last}` : `c${first}-${last}k${batch.key}`
  })
  return batches
}

interface ResumePoint {
  /** Every row up to this sequence was delivered. */
  after: number
  /** And, of the rows in first..last, those with keys up to `key`. */
  partial: { last: number; key: string } | null
}

function parsePosition(position: string): ResumePoint {
  const whole = /^s(\d+)$/.exec(position)
  if (whole) return { after: Number(whole[1]), partial: null }
  const partial = /^c(\d+)-(\d+)k(.*)$/s.exec(position)
  if (partial) return { after: Number(partial[1]) - 1, partial: { last: Number(partial[2]), key: partial[3] } }
  throw new GatewayError('BAD_USER_INPUT', '`since` is not a cursor this gateway issued')
}
