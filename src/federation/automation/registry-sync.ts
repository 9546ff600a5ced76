import { z } from 'zod'
import type { RegistrySyncRuleConfig } from '../../config.js'
import type { AutomationStore, OutboxItem, SyncLink } from '../../contract/automation-store.js'
import { APPROVAL_OF_PROMOTION, type ModelAlias, type ModelVersion, type Promotion, SAGEMAKER_PACKAGE_TAG, promotionOf } from '../../domain.js'
import { GatewayError, isBackendFailure } from '../../errors.js'
import { logUnexpected } from '../../log.js'
import type { Backends } from '../backends.js'
import type { MergedPage } from '../merge.js'
import { ModelFederation } from '../models.js'
import type { RecordKey } from '../record-key.js'
import { TrackingFederation } from '../tracking.js'
import { type EventSink, events } from './events.js'
import { OutboxWorker, type WorkOutcome, nextAttemptAt } from './outbox-worker.js'

/** Metadata a mirrored package carries (SageMaker CustomerMetadataProperties), and how the sync finds it again. */
export const SOURCE_RUN_PROPERTY = 'mlflow.run_id'
export const SOURCE_VERSION_PROPERTY = 'mlflow.model_version'
export const SOURCE_BACKEND_PROPERTY = 'mlflow.source_backend'

/** Failures other than a backend's (a refused input) are tried this many times before the step is given up. */
const MAX_REFUSED_ATTEMPTS = 5
const BACKOFF = { initialBackoffMs: 2_000, maxBackoffMs: 300_000 }
const LEASE_MS = 30_000
const PAGE = 100

const stepSchema = z.object({
  kind: z.enum(['register', 'promote']),
  rule: z.string(),
  version: z.string(),
})
type SyncStep = z.infer<typeof stepSchema>

export interface RuleStatus {
  rule: string
  from: string
  to: string
  models: string
  /** Steps queued and not yet done (a version to mirror, a promotion to carry over). */
  pending: number
  lastError: string | null
  lastSyncedAt: Date | null
  conflicts: number
}

/**
 * Mirrors versions of a native or MLflow registry into SageMaker Model
 * Registry, and keeps promotions in step both ways (rules: `registrySync`).
 *
 * Every replica scans the source every `pollMs` and queues what it finds
 * (a version with no link yet; a version whose promotion, or whose
 * package's, moved since the link's last sync) in the shared outbox, keyed
 * so that replicas noticing the same thing queue it once. Whichever
 * replica takes an item's row lock does the step. Each step is idempotent:
 * registering looks for the package by its source metadata before creating
 * one, so a step cut short (a crash between creating the package and
 * tagging the source, a SageMaker outage) is simply done again.
 */
export class RegistrySync {
  private readonly rules: Map<string, RegistrySyncRuleConfig>
  private readonly worker: OutboxWorker
  private readonly timers: NodeJS.Timeout[] = []
  /** The scan in progress per rule: a slow source is not scanned twice at once. */
  private readonly scanning = new Map<string, Promise<void>>()

  constructor(
    rules: readonly RegistrySyncRuleConfig[],
    private readonly backends: Backends,
    private readonly store: AutomationStore,
    private readonly events: EventSink,
  ) {
    this.rules = new Map(rules.map((rule) => [rule.name, rule]))
    this.worker = new OutboxWorker(store.outbox, 'registry-sync', (item) => this.work(item), { leaseMs: LEASE_MS, idleMs: 30_000, concurrency: 2 })
  }

  start(): void {
    this.worker.start()
    for (const [name, rule] of this.rules) {
      const scan = () => {
        if (this.scanning.has(name)) return
        const running: Promise<void> = this.scan(name, rule)
          .catch((error: unknown) => {
            if (!isBackendFailure(error)) logUnexpected(`registry sync rule ${name}: scanning failed`, error)
          })
          .finally(() => this.scanning.delete(name))
        this.scanning.set(name, running)
      }
      scan()
      this.timers.push(setInterval(scan, rule.pollMs))
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    await Promise.all([...this.scanning.values()])
    await this.worker.close()
  }

  /** Steps were queued (by any replica): work them now. */
  wake(): void {
    this.worker.wake()
  }

  /** Scans every rule now and waits for the steps it queued to be worked (tests; `registrySyncStatus` shows the rest). */
  async scanNow(): Promise<void> {
    await Promise.all([...this.rules].map(([name, rule]) => this.scan(name, rule)))
    this.worker.wake()
  }

  async status(): Promise<RuleStatus[]> {
    const names = [...this.rules.keys()]
    const [pending, summaries] = await Promise.all([this.store.outbox.pending('registry-sync', names.map((name) => `${name}|`)), this.store.syncLinks.summary(names)])
    return names.map((name, index) => {
      const rule = this.rules.get(name) as RegistrySyncRuleConfig
      return { rule: name, from: rule.from, to: rule.to, models: rule.models, pending: pending[index].count, lastError: pending[index].lastError, ...summaries[index] }
    })
  }

  /** Queues a step for each source version that needs one. */
  private async scan(name: string, rule: RegistrySyncRuleConfig): Promise<void> {
    const models = this.federation()
    const matching = globMatcher(rule.models)
    const modelKeys: RecordKey[] = []
    const aliasesOf = new Map<string, ModelAlias[]>()
    for await (const model of pages((after) => models.listRegisteredModels({ backends: [rule.from], filter: { all: [] }, first: PAGE, after }))) {
      if (!matching(model.name)) continue
      modelKeys.push({ backendId: rule.from, nativeId: model.nativeId })
      aliasesOf.set(model.nativeId, model.aliases)
    }
    if (modelKeys.length === 0) return
    const links = new Map((await this.store.syncLinks.list(name)).filter((link) => link.sourceBackend === rule.from).map((link) => [link.sourceVersion, link]))
    const sources: ModelVersion[] = []
    for await (const version of pages((after) => models.listModelVersions({ backends: [rule.from], models: modelKeys, filter: { all: [] }, first: PAGE, after }))) sources.push(version)
    const linked = sources.filter((version) => links.has(version.nativeId))
    const packages = await Promise.all(linked.map((version) => models.modelVersion({ backendId: rule.to, nativeId: (links.get(version.nativeId) as SyncLink).targetVersion })))
    const packageOf = new Map(linked.map((version, index) => [version.nativeId, packages[index]]))
    const steps = sources.flatMap((version): { kind: SyncStep['kind']; version: ModelVersion; dedupe: string }[] => {
      const link = links.get(version.nativeId)
      if (!link) return [{ kind: 'register', version, dedupe: `register:${version.createdAt.getTime()}` }]
      const target = packageOf.get(version.nativeId)
      if (!target) return []
      const moved = sourcePromotionOf(rule, version, aliasesOf.get(version.modelNativeId) ?? []) !== link.sourcePromotion || promotionOf(target) !== link.targetPromotion
      return moved ? [{ kind: 'promote', version, dedupe: `promote:${version.updatedAt.getTime()}:${target.updatedAt.getTime()}:${link.syncedAt.getTime()}` }] : []
    })
    if (steps.length === 0) return
    await this.store.outbox.enqueue(
      steps.map((step) => ({
        topic: 'registry-sync' as const,
        orderingKey: `${name}|${rule.from}|${step.version.nativeId}`,
        dedupeKey: step.dedupe,
        payload: { kind: step.kind, rule: name, version: step.version.nativeId } satisfies SyncStep,
      })),
    )
    this.worker.wake()
  }

  private async work(item: OutboxItem): Promise<WorkOutcome> {
    const step = stepSchema.parse(item.payload)
    const rule = this.rules.get(step.rule)
    if (!rule) return { kind: 'failed', status: null, error: `rule ${step.rule} is no longer configured` }
    try {
      if (step.kind === 'register') await this.register(step.rule, rule, step.version)
      else await this.promote(step.rule, rule, step.version)
      return { kind: 'done', status: null }
    } catch (error) {
      const message = error instanceof GatewayError ? error.message : 'failed unexpectedly (see the gateway log)'
      if (!(error instanceof GatewayError)) logUnexpected(`registry sync rule ${step.rule}: a step failed`, error)
      // A backend that is down or slow is waited out however long it takes; a refusal is tried a few times, then shown.
      if (!isBackendFailure(error) && item.attempts + 1 >= MAX_REFUSED_ATTEMPTS) return { kind: 'failed', status: null, error: message }
      return { kind: 'retry', at: nextAttemptAt(item.attempts, BACKOFF, null), status: null, error: message }
    }
  }

  /** Mirrors one source version as a package (found again if an earlier attempt made it), tags the source, links the two. */
  private async register(name: string, rule: RegistrySyncRuleConfig, versionId: string): Promise<void> {
    const models = this.federation()
    const source = await models.modelVersion({ backendId: rule.from, nativeId: versionId })
    if (!source) return
    if (await this.store.syncLinks.get(name, rule.from, versionId)) return
    const promotion = sourcePromotionOf(rule, source, await this.aliasesOf(models, rule, source))
    const target = (await this.taggedPackage(models, rule, source)) ?? (await this.foundPackage(models, rule, source)) ?? (await this.createPackage(models, rule, source, promotion))
    if (source.tags[SAGEMAKER_PACKAGE_TAG] !== target.nativeId) {
      await models.setModelVersionTags({ backendId: rule.from, nativeId: source.nativeId }, [{ key: SAGEMAKER_PACKAGE_TAG, value: target.nativeId }])
    }
    await this.store.syncLinks.put(linkOf(name, rule, source, promotion, target))
  }

  /** Carries a promotion over to the side that did not move; both moved to different promotions is a conflict, reported, not overwritten. */
  private async promote(name: string, rule: RegistrySyncRuleConfig, versionId: string): Promise<void> {
    const models = this.federation()
    const link = await this.store.syncLinks.get(name, rule.from, versionId)
    const source = await models.modelVersion({ backendId: rule.from, nativeId: versionId })
    if (!link || !source) return
    const targetKey = { backendId: rule.to, nativeId: link.targetVersion }
    let target = await models.modelVersion(targetKey)
    if (!target) return
    const aliases = await this.aliasesOf(models, rule, source)
    const sourceNow = sourcePromotionOf(rule, source, aliases)
    const targetNow = promotionOf(target)
    const sourceMoved = sourceNow !== link.sourcePromotion
    const targetMoved = targetNow !== link.targetPromotion
    if (sourceMoved && targetMoved && sourceNow !== targetNow) {
      const conflict = `source is ${sourceNow}, package is ${targetNow}`
      if (link.conflict !== conflict) {
        void this.events.publish([events.syncConflict(name, { backend: rule.from, version: versionId, promotion: sourceNow }, { backend: rule.to, version: link.targetVersion, promotion: targetNow })])
      }
      await this.store.syncLinks.put({ ...link, conflict, syncedAt: new Date() })
      return
    }
    let synced = sourceNow
    // A source back at NONE (its alias moved to another version) makes the package pending again: a package has no "none".
    if (sourceMoved && !targetMoved) target = await models.promoteModelVersion(targetKey, sourceNow === 'NONE' ? 'CANDIDATE' : sourceNow, false)
    if (targetMoved && !sourceMoved) synced = await this.promoteSource(models, rule, source, aliases, targetNow)
    await this.store.syncLinks.put(linkOf(name, rule, source, synced, target))
  }

  /**
   * Writes a promotion on the source: by moving the rule's alias for it
   * where it names one, else by stage (and then the rule's aliases this
   * version holds are taken off it, or they would still say otherwise).
   */
  private async promoteSource(models: ModelFederation, rule: RegistrySyncRuleConfig, source: ModelVersion, aliases: readonly ModelAlias[], to: Promotion): Promise<Promotion> {
    const model = { backendId: rule.from, nativeId: source.modelNativeId }
    const version = { backendId: rule.from, nativeId: source.nativeId }
    const alias = aliasFor(rule, to)
    if (alias) {
      await models.setModelAlias(model, alias, version)
      return to
    }
    await models.promoteModelVersion(version, to, false)
    for (const held of aliases.filter((entry) => entry.versionNativeId === source.nativeId && aliasPromotion(rule, entry.alias) !== null)) {
      await models.deleteModelAlias(model, held.alias)
    }
    return to
  }

  /** The aliases of the source version's model (a version read from MLflow's search has none of its own). */
  private async aliasesOf(models: ModelFederation, rule: RegistrySyncRuleConfig, source: ModelVersion): Promise<ModelAlias[]> {
    if (Object.keys(rule.aliases).length === 0) return []
    return (await models.registeredModel({ backendId: rule.from, nativeId: source.modelNativeId }))?.aliases ?? []
  }

  /** The package the source's tag names, when it is in the rule's target. */
  private async taggedPackage(models: ModelFederation, rule: RegistrySyncRuleConfig, source: ModelVersion): Promise<ModelVersion | null> {
    const arn = source.tags[SAGEMAKER_PACKAGE_TAG]
    return arn ? models.modelVersion({ backendId: rule.to, nativeId: arn }) : null
  }

  /** A package of the model's group made from this source version (an earlier attempt that did not get to tag the source). */
  private async foundPackage(models: ModelFederation, rule: RegistrySyncRuleConfig, source: ModelVersion): Promise<ModelVersion | null> {
    const group = { backendId: rule.to, nativeId: source.modelNativeId }
    if (!(await models.registeredModel(group))) return null
    for await (const version of pages((after) => models.listModelVersions({ backends: [rule.to], models: [group], filter: { all: [] }, first: PAGE, after }))) {
      if (version.tags[SOURCE_BACKEND_PROPERTY] === rule.from && version.tags[SOURCE_VERSION_PROPERTY] === String(source.version)) return version
    }
    return null
  }

  private async createPackage(models: ModelFederation, rule: RegistrySyncRuleConfig, source: ModelVersion, promotion: Promotion): Promise<ModelVersion> {
    const group = { backendId: rule.to, nativeId: source.modelNativeId }
    if (!(await models.registeredModel(group))) {
      await models.createRegisteredModel({ backendId: rule.to, name: source.modelNativeId, description: `Mirrored from ${rule.from} by mlgate`, tags: [] })
    }
    return models.createModelVersion({
      model: group,
      source: source.source ?? '',
      runId: source.runId,
      description: source.description,
      tags: [
        { key: SOURCE_BACKEND_PROPERTY, value: rule.from },
        { key: SOURCE_VERSION_PROPERTY, value: String(source.version) },
        ...(source.runId ? [{ key: SOURCE_RUN_PROPERTY, value: source.runId }] : []),
      ],
      package: {
        image: rule.container.image,
        environment: rule.container.environment,
        framework: rule.container.framework ?? null,
        modelDataUrl: source.source?.startsWith('s3://') ? source.source : null,
        approval: APPROVAL_OF_PROMOTION[promotion] ?? 'PENDING_MANUAL_APPROVAL',
      },
    })
  }

  /** The federation layer as the gateway itself (no caller's permissions), with fresh loaders. */
  private federation(): ModelFederation {
    const tracking = new TrackingFederation(this.backends)
    return new ModelFederation(this.backends, tracking.loaders, undefined, tracking.guard)
  }
}

/** A source version's promotion: the one a rule alias pointing at it says, else its stage's. */
export function sourcePromotionOf(rule: Pick<RegistrySyncRuleConfig, 'aliases'>, version: ModelVersion, aliases: readonly ModelAlias[]): Promotion {
  for (const entry of aliases) {
    const promotion = entry.versionNativeId === version.nativeId ? aliasPromotion(rule, entry.alias) : null
    if (promotion) return promotion
  }
  return promotionOf(version)
}

function aliasFor(rule: Pick<RegistrySyncRuleConfig, 'aliases'>, promotion: Promotion): string | null {
  return promotion === 'NONE' ? null : (rule.aliases[promotion] ?? null)
}

function aliasPromotion(rule: Pick<RegistrySyncRuleConfig, 'aliases'>, alias: string): Promotion | null {
  return (['PRODUCTION', 'CANDIDATE', 'RETIRED'] as const).find((promotion) => rule.aliases[promotion] === alias) ?? null
}

function linkOf(name: string, rule: RegistrySyncRuleConfig, source: ModelVersion, sourcePromotion: Promotion, target: ModelVersion): SyncLink {
  return {
    rule: name,
    sourceBackend: rule.from,
    sourceVersion: source.nativeId,
    targetBackend: rule.to,
    targetVersion: target.nativeId,
    sourcePromotion,
    targetPromotion: promotionOf(target),
    conflict: null,
    syncedAt: new Date(),
  }
}

/** `*` any run of characters, `?` one; everything else literal. */
export function globMatcher(glob: string): (name: string) => boolean {
  const pattern = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's')
  return (name) => pattern.test(name)
}

/** Every item of a federated list, page after page; a backend's failure fails the walk (a partial list would look like missing versions). */
async function* pages<T>(page: (after: string | null) => Promise<MergedPage<T>>): AsyncGenerator<T> {
  let after: string | null = null
  do {
    const found: MergedPage<T> = await page(after)
    if (found.failures.length > 0) throw found.failures[0]
    yield* found.edges.map((edge) => edge.node)
    after = found.hasNextPage ? (found.edges.at(-1)?.cursor ?? null) : null
  } while (after)
}
