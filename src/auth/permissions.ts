import type { Permission, RolePermissionRecord } from '../contract/identity-store.js'
import type { Identity } from './identity.js'
import type { AuditEnded } from './audit.js'
import type { PendingAuditEvent } from '../contract/audit-log.js'

/**
 * MLflow 3.17's permission model (mlflow/server/auth/permissions.py), over
 * mlgate's backends. Levels READ < USE < EDIT < MANAGE, NO_PERMISSIONS
 * below them, and an explicit DENY that wins over every grant. A caller's
 * level on a record: admins may do everything; else a DENY on it (or on
 * all of its type, or its backend) refuses; else the highest of the
 * matching rows of their roles; else `defaultPermission`.
 *
 * Grants name records as `<backend id>:<native id>` (an experiment's id, a
 * registered model's name), `*` for every record of the type, or, with
 * resource type `backend`, a backend id (or `*`): everything in it.
 */
export const RANK: Record<Permission, number> = { DENY: -1, NO_PERMISSIONS: 0, READ: 1, USE: 2, EDIT: 3, MANAGE: 4 }

/** The kinds of record a grant names; `backend` covers everything in one. */
export const RESOURCE_TYPES = ['experiment', 'registered_model', 'backend'] as const
export type ResourceType = (typeof RESOURCE_TYPES)[number]

/** A record permissions are asked about. */
export interface ProtectedRecord {
  type: 'experiment' | 'registered_model'
  backendId: string
  /** The experiment's native id, the registered model's name. */
  id: string
}

/** How a grant names one record. */
export const recordPattern = (backendId: string, id: string) => `${backendId}:${id}`

/**
 * Which records of a type on one backend a caller may read, in a form a
 * list query can take: every one, every one but some, or only some.
 */
export type Visibility = { kind: 'all' } | { kind: 'allExcept'; ids: string[] } | { kind: 'only'; ids: string[] }

/** What one caller may do: resolved from their permission rows once per request. */
export class CallerPermissions {
  constructor(
    /** Null: auth is off, and everyone may do everything. */
    readonly identity: Identity | null,
    private readonly rows: readonly RolePermissionRecord[],
    private readonly defaultPermission: Permission,
  ) {}

  /** Everyone, when auth is off. */
  static unrestricted(): CallerPermissions {
    return new CallerPermissions(null, [], 'MANAGE')
  }

  get unrestricted(): boolean {
    return this.identity === null || this.identity.isAdmin
  }

  level(record: ProtectedRecord): Permission {
    if (this.unrestricted) return 'MANAGE'
    const pattern = recordPattern(record.backendId, record.id)
    const matching = this.rows.filter(
      (row) => (row.resourceType === record.type && (row.resourcePattern === '*' || row.resourcePattern === pattern)) || this.coversBackend(row, record.backendId),
    )
    return strongest(matching, this.defaultPermission)
  }

  allows(record: ProtectedRecord, needed: Permission): boolean {
    return RANK[this.level(record)] >= RANK[needed]
  }

  /** A level on a backend as a whole (creating records in it: USE). */
  levelOnBackend(backendId: string): Permission {
    if (this.unrestricted) return 'MANAGE'
    return strongest(
      this.rows.filter((row) => this.coversBackend(row, backendId)),
      this.defaultPermission,
    )
  }

  /** Which records of `type` on `backendId` the caller may read (READ or more). */
  readable(type: ProtectedRecord['type'], backendId: string): Visibility {
    if (this.unrestricted) return { kind: 'all' }
    const broad = this.rows.filter((row) => (row.resourceType === type && row.resourcePattern === '*') || this.coversBackend(row, backendId))
    const base = strongest(broad, this.defaultPermission)
    if (base === 'DENY') return { kind: 'only', ids: [] }
    const prefix = `${backendId}:`
    const specific = new Map<string, RolePermissionRecord[]>()
    for (const row of this.rows) {
      if (row.resourceType !== type || !row.resourcePattern.startsWith(prefix)) continue
      const id = row.resourcePattern.slice(prefix.length)
      specific.set(id, [...(specific.get(id) ?? []), row])
    }
    if (RANK[base] >= RANK.READ) {
      // Grants on one record only raise a readable base; a DENY takes it away.
      const denied = [...specific].filter(([, rows]) => rows.some((row) => row.permission === 'DENY')).map(([id]) => id)
      return denied.length === 0 ? { kind: 'all' } : { kind: 'allExcept', ids: denied.sort() }
    }
    const granted = [...specific].filter(([, rows]) => RANK[strongest(rows, base)] >= RANK.READ).map(([id]) => id)
    return { kind: 'only', ids: granted.sort() }
  }

  private coversBackend(row: RolePermissionRecord, backendId: string): boolean {
    return row.resourceType === 'backend' && (row.resourcePattern === '*' || row.resourcePattern === backendId)
  }
}

/** What the federation door needs of auth for one caller. */
export interface CallerAccess {
  permissions(): Promise<CallerPermissions>
  /** Makes the caller MANAGE a record they just created, as MLflow's auth app does (admins and auth off: nothing to do). */
  ownCreated(record: ProtectedRecord): Promise<void>
  /** Drops every grant on a deleted record whose id (a model's name) may be taken again. */
  forgetDeleted(record: ProtectedRecord): Promise<void>
  /** Moves the grants of a record whose id changed (a renamed model): a DENY must not fall off with the old name. */
  moveGrants(record: ProtectedRecord, newId: string): Promise<void>
  /** Appends a write to the audit trail as the caller's (auth off: there is no one to name, and no trail). */
  record(event: AuditEnded): Promise<void>
  /** The same, as an event the trail's store commits with the write when the write is there (auth off: none). */
  offerRecord(event: AuditEnded): PendingAuditEvent | null
  /** Throws UNAUTHENTICATED once the caller's credentials no longer hold (a revoked or expired token, a deleted user): long-lived streams ask before each event. */
  checkStillValid(): Promise<void>
}

export const UNRESTRICTED_ACCESS: CallerAccess = {
  permissions: async () => CallerPermissions.unrestricted(),
  ownCreated: async () => {},
  forgetDeleted: async () => {},
  moveGrants: async () => {},
  record: async () => {},
  offerRecord: () => null,
  checkStillValid: async () => {},
}

/** DENY if any row denies; else the highest row; else the default. */
function strongest(rows: readonly RolePermissionRecord[], fallback: Permission): Permission {
  if (rows.length === 0) return fallback
  if (rows.some((row) => row.permission === 'DENY')) return 'DENY'
  return rows.reduce<Permission>((best, row) => (RANK[row.permission] > RANK[best] ? row.permission : best), 'NO_PERMISSIONS')
}
