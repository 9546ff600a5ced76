import { type Kysely, type Selectable, sql } from 'kysely'
import {
  AUTOMATION_CHANGES,
  type AutomationChange,
  type AutomationStore,
  type NewOutboxItem,
  type Outbox,
  type OutboxItem,
  type OutboxState,
  type OutboxTopic,
  type SyncLink,
  type SyncLinkStore,
  type Webhook,
  type WebhookPatch,
  type WebhookStatus,
  type WebhookStore,
} from '../../contract/automation-store.js'
import type { Page, PageRequest } from '../../contract/backend.js'
import { pageFromRows, pageOffset } from './page-token.js'
import { textArray } from './db/array-literal.js'
import type { Database, OutboxTable, RegistrySyncLinkTable, WebhookTable } from './db/schema.js'
import type { NativeDatabase } from './client.js'

/**
 * Webhooks, the outbox and the sync links in the native store's tables
 * (migration 2026-12-01T0000). Queuing and webhook changes NOTIFY a channel
 * of the schema, so other replicas' workers wake instead of polling.
 */
export class NativeAutomationStore implements AutomationStore {
  readonly webhooks: WebhookStore
  readonly outbox: Outbox
  readonly syncLinks: SyncLinkStore

  constructor(
    db: Kysely<Database>,
    backendId: string,
    private readonly database: Pick<NativeDatabase, 'listen'>,
    private readonly channel: string,
  ) {
    const notify = async (change: AutomationChange) => {
      await sql`select pg_notify(${channel}, ${change})`.execute(db)
    }
    this.webhooks = new NativeWebhookStore(db, backendId, notify)
    this.outbox = new NativeOutbox(db, backendId, notify)
    this.syncLinks = new NativeSyncLinks(db)
  }

  onChange(listener: (change: AutomationChange) => void): Promise<() => Promise<void>> {
    return this.database.listen(
      this.channel,
      (payload) => {
        if ((AUTOMATION_CHANGES as readonly string[]).includes(payload)) listener(payload as AutomationChange)
      },
      () => {
        for (const change of AUTOMATION_CHANGES) listener(change)
      },
    )
  }
}

class NativeWebhookStore implements WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
    private readonly notify: (change: AutomationChange) => Promise<void>,
  ) {}

  async create(webhook: Parameters<WebhookStore['create']>[0]): Promise<Webhook> {
    const now = Date.now()
    const row = await this.db
      .insertInto('webhooks')
      .values({
        id: webhook.id,
        name: webhook.name,
        description: webhook.description,
        url: webhook.url,
        events: webhook.events,
        encrypted_secret: webhook.encryptedSecret,
        status: webhook.status,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await this.notify('webhooks')
    return toWebhook(row)
  }

  async get(id: string): Promise<Webhook | null> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toWebhook(row) : null
  }

  async list(page: PageRequest): Promise<Page<Webhook>> {
    const offset = pageOffset(page, this.backendId)
    const rows = await this.db.selectFrom('webhooks').selectAll().orderBy('created_at', 'desc').orderBy('id').offset(offset).limit(page.first + 1).execute()
    return pageFromRows(rows.map(toWebhook), page, offset)
  }

  async update(id: string, patch: WebhookPatch): Promise<Webhook | null> {
    const row = await this.db
      .updateTable('webhooks')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.events !== undefined && { events: patch.events }),
        ...(patch.encryptedSecret !== undefined && { encrypted_secret: patch.encryptedSecret }),
        ...(patch.status !== undefined && { status: patch.status }),
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    if (row) await this.notify('webhooks')
    return row ? toWebhook(row) : null
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('outbox').where('topic', '=', 'webhook').where('ordering_key', '=', id).where('state', '=', 'PENDING').execute()
      const result = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst()
      return result.numDeletedRows > 0n
    })
    if (deleted) await this.notify('webhooks')
    return deleted
  }

  async subscribedTo(event: string): Promise<Webhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where(sql<boolean>`events @> array[${event}]::text[]`)
      .where('status', '=', 'ACTIVE')
      .orderBy('created_at')
      .execute()
    return rows.map(toWebhook)
  }
}

class NativeOutbox implements Outbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
    private readonly notify: (change: AutomationChange) => Promise<void>,
  ) {}

  async enqueue(items: readonly NewOutboxItem[]): Promise<number> {
    if (items.length === 0) return 0
    const now = Date.now()
    const inserted = await this.db
      .insertInto('outbox')
      .values(items.map((item) => ({ topic: item.topic, ordering_key: item.orderingKey, dedupe_key: item.dedupeKey, payload: JSON.stringify(item.payload), next_attempt_at: now, created_at: now })))
      .onConflict((conflict) => conflict.columns(['topic', 'ordering_key', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
      .executeTakeFirst()
    const added = Number(inserted.numInsertedOrUpdatedRows ?? 0n)
    if (added > 0) for (const topic of new Set(items.map((item) => item.topic))) await this.notify(topic)
    return added
  }

  /**
   * One statement: the candidate row is locked (`for update skip locked`, so
   * a replica racing for it takes another) and leased. Only the head of an
   * ordering key qualifies: nothing older of that key is still pending.
   */
  async claim(topic: OutboxTopic, leaseMs: number): Promise<OutboxItem | null> {
    const now = Date.now()
    const result = await sql<Selectable<OutboxTable>>`
      update outbox set leased_until = ${now + leaseMs}::int8
      where id = (
        select head.id from outbox head
        where head.topic = ${topic} and head.state = 'PENDING'
          and head.next_attempt_at <= ${now}::int8
          and (head.leased_until is null or head.leased_until <= ${now}::int8)
          and not exists (
            select 1 from outbox older
            where older.topic = head.topic and older.ordering_key = head.ordering_key
              and older.state = 'PENDING' and older.id < head.id
          )
        order by head.next_attempt_at, head.id
        limit 1
        for update skip locked
      )
      returning *`.execute(this.db)
    const row = result.rows[0]
    return row ? toOutboxItem(row) : null
  }

  async nextDue(topic: OutboxTopic): Promise<Date | null> {
    const result = await sql<{ due: number | null }>`
      select min(greatest(head.next_attempt_at, coalesce(head.leased_until, 0))) as due from outbox head
      where head.topic = ${topic} and head.state = 'PENDING'
        and not exists (
          select 1 from outbox older
          where older.topic = head.topic and older.ordering_key = head.ordering_key
            and older.state = 'PENDING' and older.id < head.id
        )`.execute(this.db)
    const due = result.rows[0]?.due
    return due === null || due === undefined ? null : new Date(Number(due))
  }

  async release(id: string): Promise<void> {
    await this.db.updateTable('outbox').set({ leased_until: null }).where('id', '=', rowId(id)).where('state', '=', 'PENDING').execute()
  }

  async complete(id: string, lastStatus: number | null): Promise<void> {
    await this.db.updateTable('outbox').set({ state: 'DONE', attempts: sql`attempts + 1`, last_status: lastStatus, last_error: null, leased_until: null, finished_at: Date.now() }).where('id', '=', rowId(id)).execute()
  }

  async retryAt(id: string, at: Date, failure: { status: number | null; error: string }): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ attempts: sql`attempts + 1`, last_status: failure.status, last_error: failure.error, leased_until: null, next_attempt_at: at.getTime() })
      .where('id', '=', rowId(id))
      .where('state', '=', 'PENDING')
      .execute()
  }

  async fail(id: string, failure: { status: number | null; error: string }): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ state: 'FAILED', attempts: sql`attempts + 1`, last_status: failure.status, last_error: failure.error, leased_until: null, finished_at: Date.now() })
      .where('id', '=', rowId(id))
      .execute()
  }

  async requeue(id: string): Promise<OutboxItem | null> {
    const row = await this.db
      .updateTable('outbox')
      .set({ state: 'PENDING', next_attempt_at: Date.now(), leased_until: null, finished_at: null })
      .where('id', '=', rowId(id))
      .returningAll()
      .executeTakeFirst()
    if (row) await this.notify(row.topic as OutboxTopic)
    return row ? toOutboxItem(row) : null
  }

  async get(id: string): Promise<OutboxItem | null> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', rowId(id)).executeTakeFirst()
    return row ? toOutboxItem(row) : null
  }

  async list(topic: OutboxTopic, orderingKey: string, page: PageRequest): Promise<Page<OutboxItem>> {
    const offset = pageOffset(page, this.backendId)
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', topic)
      .where('ordering_key', '=', orderingKey)
      .orderBy('id', 'desc')
      .offset(offset)
      .limit(page.first + 1)
      .execute()
    return pageFromRows(rows.map(toOutboxItem), page, offset)
  }

  /** One statement for every prefix (the status and /metrics ask for all rules at once). */
  async pending(topic: OutboxTopic, prefixes: readonly string[]): Promise<{ count: number; lastError: string | null }[]> {
    const result = await sql<{ count: number; last_error: string | null }>`
      select count(o.id) as count,
        (array_agg(o.last_error order by o.id desc) filter (where o.last_error is not null))[1] as last_error
      from unnest(${textArray(prefixes)}::text[]) with ordinality as p(prefix, position)
      left join outbox o on o.topic = ${topic} and o.state = 'PENDING' and starts_with(o.ordering_key, p.prefix)
      group by p.position order by p.position`.execute(this.db)
    return result.rows.map((row) => ({ count: Number(row.count), lastError: row.last_error }))
  }

}

class NativeSyncLinks implements SyncLinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(rule: string, sourceBackend: string, sourceVersion: string): Promise<SyncLink | null> {
    const row = await this.db
      .selectFrom('registry_sync_links')
      .selectAll()
      .where('rule', '=', rule)
      .where('source_backend', '=', sourceBackend)
      .where('source_version', '=', sourceVersion)
      .executeTakeFirst()
    return row ? toSyncLink(row) : null
  }

  async put(link: SyncLink): Promise<void> {
    const row = {
      rule: link.rule,
      source_backend: link.sourceBackend,
      source_version: link.sourceVersion,
      target_backend: link.targetBackend,
      target_version: link.targetVersion,
      source_promotion: link.sourcePromotion,
      target_promotion: link.targetPromotion,
      conflict: link.conflict,
      synced_at: link.syncedAt.getTime(),
    }
    await this.db
      .insertInto('registry_sync_links')
      .values(row)
      .onConflict((conflict) => conflict.columns(['rule', 'source_backend', 'source_version']).doUpdateSet(row))
      .execute()
  }

  async list(rule: string): Promise<SyncLink[]> {
    return (await this.db.selectFrom('registry_sync_links').selectAll().where('rule', '=', rule).orderBy('source_version').execute()).map(toSyncLink)
  }

  async summary(rules: readonly string[]): Promise<{ lastSyncedAt: Date | null; conflicts: number }[]> {
    const result = await sql<{ last: number | null; conflicts: number }>`
      select max(l.synced_at) as last, count(l.rule) filter (where l.conflict is not null) as conflicts
      from unnest(${textArray(rules)}::text[]) with ordinality as r(rule, position)
      left join registry_sync_links l on l.rule = r.rule
      group by r.position order by r.position`.execute(this.db)
    return result.rows.map((row) => ({ lastSyncedAt: row.last === null ? null : new Date(Number(row.last)), conflicts: Number(row.conflicts) }))
  }

}

/** An outbox id as a client may send it: anything that is not one matches no row. */
function rowId(id: string): number {
  return /^\d{1,15}$/.test(id) ? Number(id) : -1
}

function toWebhook(row: Selectable<WebhookTable>): Webhook {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    url: row.url,
    events: row.events,
    encryptedSecret: row.encrypted_secret,
    status: row.status as WebhookStatus,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

function toOutboxItem(row: Selectable<OutboxTable>): OutboxItem {
  return {
    id: String(row.id),
    topic: row.topic as OutboxTopic,
    orderingKey: row.ordering_key,
    payload: row.payload,
    state: row.state as OutboxState,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: new Date(Number(row.created_at)),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)),
    nextAttemptAt: new Date(Number(row.next_attempt_at)),
  }
}

function toSyncLink(row: Selectable<RegistrySyncLinkTable>): SyncLink {
  return {
    rule: row.rule,
    sourceBackend: row.source_backend,
    sourceVersion: row.source_version,
    targetBackend: row.target_backend,
    targetVersion: row.target_version,
    sourcePromotion: row.source_promotion,
    targetPromotion: row.target_promotion,
    conflict: row.conflict,
    syncedAt: new Date(Number(row.synced_at)),
  }
}
