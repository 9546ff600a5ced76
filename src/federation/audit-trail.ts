import type { AuditEvent, AuditLog, AuditQuery } from '../contract/audit-log.js'
import { GatewayError, badInput } from '../errors.js'
import type { AccessGuard } from './access.js'
import type { ListPage } from './merged-list.js'
import type { RecordKey } from './record-key.js'

export const AUDIT_PAGE = { default: 50, max: 500 } as const

/**
 * Reading the audit trail, for one request: the whole trail for admins
 * (filtered by actor, record, operations and time), one record's events
 * for whoever may read that record. Pages newest first; a cursor is an
 * event id.
 */
export class AuditTrail {
  constructor(
    private readonly log: AuditLog,
    private readonly guard: AccessGuard,
  ) {}

  async events(query: AuditQuery & { operations?: readonly string[] }, page: { first: number | null; after: string | null }): Promise<ListPage<AuditEvent>> {
    const permissions = await this.guard.permissions()
    if (!permissions.identity?.isAdmin) throw new GatewayError('FORBIDDEN', 'the audit trail is for admins; a record you may read shows its own events')
    return this.page(query, page)
  }

  /** A run's or a model version's events (MLflow's READ on its experiment or model is enough). */
  async eventsOf(recordType: 'run' | 'model_version', key: RecordKey, page: { first: number | null; after: string | null }): Promise<ListPage<AuditEvent>> {
    return this.page({ recordType, backendId: key.backendId, recordId: key.nativeId }, page)
  }

  private async page(query: AuditQuery & { operations?: readonly string[] }, page: { first: number | null; after: string | null }): Promise<ListPage<AuditEvent>> {
    const first = page.first ?? AUDIT_PAGE.default
    if (!Number.isInteger(first) || first < 0 || first > AUDIT_PAGE.max) throw badInput(`first must be between 0 and ${AUDIT_PAGE.max}`)
    if (page.after !== null && !/^\d{1,15}$/.test(page.after)) throw badInput('after: not a cursor of this list')
    const operations = query.operations ?? [null]
    // One read per operation asked for (a promotion history asks for two), merged newest first.
    const lists = await Promise.all(
      operations.map((operation) => this.log.list({ ...query, ...(operation !== null && { operation }) }, { first: first + 1, after: page.after === null ? null : Number(page.after) })),
    )
    const merged = lists.flat().sort((a, b) => b.id - a.id)
    const items = merged.slice(0, first)
    return {
      edges: items.map((event) => ({ node: event, cursor: String(event.id) })),
      hasNextPage: merged.length > first,
      failures: [],
      totalCount: async () => null,
    }
  }
}
