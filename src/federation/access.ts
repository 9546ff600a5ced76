import { type CallerAccess, type CallerPermissions, type ProtectedRecord, RANK, type Visibility } from '../auth/permissions.js'
import { type AuditDraft, runAudited } from '../auth/audit.js'
import type { Permission } from '../contract/identity-store.js'
import type { SetOp } from '../contract/filter.js'
import { GatewayError, notFound } from '../errors.js'
import { LRUCache } from 'lru-cache'
import { isExperiment, isModelVersion, isRegisteredModel, isRun } from '../domain.js'
import type { NodeRecord } from '../ids.js'
import type { Loaders } from './loaders.js'
import type { RecordKey } from './record-key.js'

/** The distinct keys of written entries, for an audit summary (never their values). */
export const keysOf = (entries: readonly { key: string }[]) => [...new Set(entries.map((entry) => entry.key))].sort()

export const experimentRecord = (key: RecordKey): ProtectedRecord => ({ type: 'experiment', backendId: key.backendId, id: key.nativeId })
export const modelRecord = (backendId: string, name: string): ProtectedRecord => ({ type: 'registered_model', backendId, id: name })

/**
 * The federation door's permission checks for one request: every read and
 * write of a caller passes here (src/auth/permissions.ts says what each
 * level allows). A record the caller may not read is answered as missing
 * (NOT_FOUND, null, left out of lists), so a refusal never says whether it
 * exists; one they may read but not change is FORBIDDEN. With auth off
 * nothing is loaded or checked.
 */
export class AccessGuard {
  private resolved: Promise<CallerPermissions> | null = null

  constructor(
    private readonly access: CallerAccess,
    private readonly loaders: Loaders,
  ) {}

  /** The caller's permissions, read once per request. */
  permissions(): Promise<CallerPermissions> {
    this.resolved ??= this.access.permissions()
    return this.resolved
  }

  /** Runs a write (its permission check included) and appends it to the audit trail as the caller's (src/auth/audit.ts). */
  audited<T>(event: AuditDraft, write: () => Promise<T>, recordIdOf?: (result: T) => string): Promise<T> {
    return runAudited({ append: (ended) => this.access.record(ended), offer: (ended) => this.access.offerRecord(ended) }, event, write, recordIdOf)
  }

  /** A renamed record's grants follow it (with auth off there are none). */
  moveGrants(record: ProtectedRecord, newId: string): Promise<void> {
    return this.access.moveGrants(record, newId)
  }

  /** A deleted record's grants go (with auth off there are none). */
  forgetDeleted(record: ProtectedRecord): Promise<void> {
    return this.access.forgetDeleted(record)
  }

  /** The creator of a record may manage it (MLflow's auth app grants it at creation, to admins too: the grant outlives their admin flag). */
  async ownCreated(record: ProtectedRecord): Promise<void> {
    const permissions = await this.permissions()
    if (permissions.identity !== null) await this.access.ownCreated(record)
  }

  async mayRead(record: ProtectedRecord): Promise<boolean> {
    const permissions = await this.permissions()
    return permissions.unrestricted || permissions.allows(record, 'READ')
  }

  /** Whether the caller may read a lineage node: a run by its experiment, a version by its model; datasets and unresolved references are anyone's. */
  async mayReadNode(node: NodeRecord): Promise<boolean> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return true
    if (isRun(node)) return permissions.allows(experimentRecord({ backendId: node.backendId, nativeId: node.experimentNativeId }), 'READ')
    if (isExperiment(node)) return permissions.allows(experimentRecord(node), 'READ')
    if (isRegisteredModel(node)) return permissions.allows(modelRecord(node.backendId, node.nativeId), 'READ')
    if (isModelVersion(node)) return permissions.allows(modelRecord(node.backendId, node.modelNativeId), 'READ')
    return true
  }

  /** `items` with those the caller may not read replaced by null. */
  async readableOnly<T>(items: readonly (T | null)[], recordOf: (item: T) => ProtectedRecord): Promise<(T | null)[]> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return [...items]
    return items.map((item) => (item !== null && permissions.allows(recordOf(item), 'READ') ? item : null))
  }

  /** Per backend, which records of `type` the caller may read (for a list's pushed-down clause). */
  async visibility(type: ProtectedRecord['type']): Promise<(backendId: string) => Visibility> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return () => ({ kind: 'all' })
    return (backendId) => permissions.readable(type, backendId)
  }

  async requireOnBackend(backendId: string, needed: Permission): Promise<void> {
    const permissions = await this.permissions()
    if (RANK[permissions.levelOnBackend(backendId)] < RANK[needed]) throw forbidden()
  }

  async requireOnExperiment(key: RecordKey, needed: Permission): Promise<void> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return
    this.require(permissions, experimentRecord(key), needed, () => notFound(`experiment ${key.nativeId}`, key.backendId))
  }

  /** A run's permissions are its experiment's; a missing run is left for the backend to report. */
  async requireOnRun(key: RecordKey, needed: Permission): Promise<void> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return
    const experimentId = await this.experimentOfRun(key)
    if (experimentId === null) return
    this.require(permissions, experimentRecord({ backendId: key.backendId, nativeId: experimentId }), needed, () => notFound(`run ${key.nativeId}`, key.backendId))
  }

  /** Whether the caller may read the run (its experiment's READ), without reading the run once its experiment is known. */
  async mayReadRun(key: RecordKey): Promise<boolean> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return true
    const experimentId = await this.experimentOfRun(key)
    return experimentId !== null && permissions.allows(experimentRecord({ backendId: key.backendId, nativeId: experimentId }), 'READ')
  }

  /** A run never moves to another experiment: which one it is in is read once per replica (a training loop checks the same run every batch). */
  private async experimentOfRun(key: RecordKey): Promise<string | null> {
    const cacheKey = `${key.backendId}\u0000${key.nativeId}`
    const known = RUN_EXPERIMENTS.get(cacheKey)
    if (known !== undefined) return known
    const run = await this.loaders.run.load(key)
    if (!run) return null
    RUN_EXPERIMENTS.set(cacheKey, run.experimentNativeId)
    return run.experimentNativeId
  }

  async requireOnModel(backendId: string, name: string, needed: Permission): Promise<void> {
    const permissions = await this.permissions()
    if (permissions.unrestricted) return
    this.require(permissions, { type: 'registered_model', backendId, id: name }, needed, () => notFound(`registered model "${name}"`, backendId))
  }

  private require(permissions: CallerPermissions, record: ProtectedRecord, needed: Permission, missing: () => GatewayError): void {
    const level = permissions.level(record)
    if (RANK[level] < RANK.READ) throw missing()
    if (RANK[level] < RANK[needed]) throw forbidden()
  }
}

/** Runs' experiments, for every request of this process (see experimentOfRun). */
const RUN_EXPERIMENTS = new LRUCache<string, string>({ max: 100_000 })

const forbidden = () => new GatewayError('FORBIDDEN', 'Permission denied')

/**
 * The list's filter with the caller's visibility as one more set clause on
 * `field` (the native ids, or names, the caller may or may not read).
 */
export function withVisible<P, F extends string>(filter: { all: P[] }, field: F, visible: Visibility): { all: (P | { field: F; op: SetOp; values: string[] })[] } {
  if (visible.kind === 'all') return filter
  return { all: [...filter.all, { field, op: visible.kind === 'only' ? 'IN' : 'NOT_IN', values: visible.ids }] }
}

