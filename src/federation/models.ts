import type { Backend, ModelVersionQuery, PackageSpec, RegisteredModelQuery } from '../contract/backend.js'
import { APPROVAL_OF_PROMOTION, type ApprovalStatus, type KeyValue, type ModelStage, type ModelVersion, type Promotion, type RegisteredModel, STAGE_OF_PROMOTION, promotionOf } from '../domain.js'
import { badInput, notFound } from '../errors.js'
import type { ModelVersionFilter, RegisteredModelFilter } from '../contract/filter.js'
import type { Loaders } from './loaders.js'
import { type ListArgs, type ListPage, federatedList } from './merged-list.js'
import type { RecordKey } from './record-key.js'
import { compareModelVersions, compareRegisteredModels } from './ordering.js'
import type { Backends } from './backends.js'
import { matchesModelVersionFilter, matchesRegisteredModelFilter } from '../contract/filter-matching.js'
import type { Limits } from '../config.js'
import { DEFAULT_LIMITS, checkListShape } from './query-limits.js'
import { checkAlias, checkModelName, checkTags } from './write-limits.js'
import { AccessGuard, keysOf, modelRecord, withVisible } from './access.js'
import { UNRESTRICTED_ACCESS } from '../auth/permissions.js'
import type { Permission } from '../contract/identity-store.js'
import { type GatewayEvent, events } from './automation/events.js'

export interface RegisteredModelListArgs extends ListArgs {
  filter: RegisteredModelFilter
}

export interface ModelVersionListArgs extends ListArgs {
  /** Versions of these models only; null for every model. */
  models: RecordKey[] | null
  filter: ModelVersionFilter
}

/**
 * The model registries of every backend as one: lookups through the
 * request's loaders, lists merged across backends (models by name, versions
 * by model name then newest first), writes checked once and routed to the
 * owning backend. Knows backends only through the `Backend` contract.
 */
export class ModelFederation {
  private readonly guard: AccessGuard

  constructor(
    private readonly backends: Backends,
    private readonly loaders: Loaders,
    private readonly limits: Limits = DEFAULT_LIMITS,
    /** The request's permission checks (shared with its TrackingFederation); unrestricted by default. */
    guard?: AccessGuard,
  ) {
    this.guard = guard ?? new AccessGuard(UNRESTRICTED_ACCESS, loaders)
  }

  /** The model; null when missing or not the caller's to read. */
  async registeredModel(key: RecordKey): Promise<RegisteredModel | null> {
    this.backends.partOf(key.backendId, 'modelRegistry')
    const model = await this.loaders.registeredModel.load(key)
    return model && (await this.guard.mayRead(modelRecord(key.backendId, key.nativeId))) ? model : null
  }

  /** The version; null when missing or not the caller's to read (READ on its model). */
  async modelVersion(key: RecordKey): Promise<ModelVersion | null> {
    this.backends.partOf(key.backendId, 'modelRegistry')
    const version = await this.loaders.modelVersion.load(key)
    return version && (await this.guard.mayRead(modelRecord(version.backendId, version.modelNativeId))) ? version : null
  }

  /** The newest version in each stage (each approval status on SageMaker); primes the version loader. */
  async latestVersions(key: RecordKey): Promise<ModelVersion[]> {
    await this.guard.requireOnModel(key.backendId, key.nativeId, 'READ')
    const versions = await this.backends.partOf(key.backendId, 'modelRegistry').latestVersions(key.nativeId)
    for (const version of versions) this.loaders.modelVersion.prime({ backendId: version.backendId, nativeId: version.nativeId }, version)
    return versions
  }

  async listRegisteredModels(args: RegisteredModelListArgs): Promise<ListPage<RegisteredModel>> {
    checkListShape(this.limits, args)
    const visible = await this.guard.visibility('registered_model')
    return federatedList(args, {
      identity: { list: 'registeredModels', filter: args.filter },
      backends: this.backends.select(args.backends, 'modelRegistry'),
      compare: compareRegisteredModels,
      source: {
        plan: (backend, filter) => this.readerOf(backend).planModelFilter(withVisible(filter, 'names', visible(backend.id))),
        query: (_, filter): RegisteredModelQuery => ({ filter }),
        list: (backend, query, page) => this.readerOf(backend).listRegisteredModels(query, page),
        count: (backend, query) => this.readerOf(backend).countRegisteredModels(query),
        matches: matchesRegisteredModelFilter,
      },
    })
  }

  async listModelVersions(args: ModelVersionListArgs): Promise<ListPage<ModelVersion>> {
    checkListShape(this.limits, args)
    const visible = await this.guard.visibility('registered_model')
    const { backends, scopeOf } = this.backends.selectScoped(args.backends, 'modelRegistry', args.models)
    return federatedList(args, {
      identity: { list: 'modelVersions', models: args.models, filter: args.filter },
      backends,
      compare: compareModelVersions,
      source: {
        plan: (backend, filter) => this.readerOf(backend).planVersionFilter(withVisible(filter, 'modelNames', visible(backend.id))),
        query: (backend, filter): ModelVersionQuery => ({ modelIds: scopeOf(backend), filter }),
        list: (backend, query, page) => this.readerOf(backend).listModelVersions(query, page),
        count: (backend, query) => this.readerOf(backend).countModelVersions(query),
        matches: matchesModelVersionFilter,
      },
    })
  }

  // Writes: checked here, so every backend refuses the same input the same way.

  async createRegisteredModel(input: { backendId: string | null; name: string; description: string | null; tags: KeyValue[] }): Promise<RegisteredModel> {
    const name = checkModelName(input.name)
    const tags = checkTags(input.tags)
    const backend = input.backendId ? this.backends.get(input.backendId) : this.backends.defaultWriteTarget('modelRegistryWriter')
    const created = await this.guard.audited(
      { operation: 'createRegisteredModel', recordType: 'registered_model', backendId: backend.id, summary: { name, tags: keysOf(tags) } },
      async () => {
        await this.guard.requireOnBackend(backend.id, 'USE')
        const model = await this.writerOf(backend).createRegisteredModel({ name, description: input.description, tags })
        await this.guard.ownCreated(modelRecord(backend.id, model.nativeId))
        return model
      },
      (model) => model.nativeId,
    )
    await this.backends.events.publish([events.registeredModelCreated(created)])
    return created
  }

  async createModelVersion(input: {
    model: RecordKey
    source: string
    runId: string | null
    description: string | null
    tags: KeyValue[]
    package?: PackageSpec
  }): Promise<ModelVersion> {
    if (input.source.trim().length === 0) throw badInput('source must not be empty')
    const tags = checkTags(input.tags)
    const event = { operation: 'createModelVersion', recordType: 'model_version', backendId: input.model.backendId, summary: { model: input.model.nativeId, run: input.runId, tags: keysOf(tags) } }
    const version = await this.guard.audited(
      event,
      async () => {
        await this.guard.requireOnModel(input.model.backendId, input.model.nativeId, 'EDIT')
        return this.writerFor(input.model).createModelVersion({ modelId: input.model.nativeId, source: input.source, runId: input.runId, description: input.description, tags, package: input.package })
      },
      (created) => created.nativeId,
    )
    this.forgetRegistryReads()
    await this.backends.events.publish([events.modelVersionCreated(version)])
    return version
  }

  /** Promotion to Production needs MANAGE on the model; other stages EDIT. */
  transitionModelVersion(key: RecordKey, stage: ModelStage, archiveExisting: boolean): Promise<ModelVersion> {
    return this.published(
      this.afterVersionWrite(key, stage === 'PRODUCTION' ? 'MANAGE' : 'EDIT', 'transitionModelVersion', { stage, archiveExisting }, () => this.writerFor(key).transitionModelVersion(key.nativeId, stage, archiveExisting)),
      (version) => [events.modelVersionPromoted(version)],
    )
  }

  /**
   * One write for every registry: the version's own vocabulary decides (a
   * stage where it has one, an approval status where it has that). With
   * `archiveExisting`, the model's other versions at `to` become RETIRED
   * (atomically where the backend archives by stage; one by one on approvals).
   */
  async promoteModelVersion(key: RecordKey, to: Promotion, archiveExisting: boolean): Promise<ModelVersion> {
    const current = await this.modelVersion(key)
    if (!current) throw notFound(`model version ${key.nativeId}`, key.backendId)
    if (current.approvalStatus === null) return this.transitionModelVersion(key, STAGE_OF_PROMOTION[to], archiveExisting)
    const status = APPROVAL_OF_PROMOTION[to]
    if (status === null) throw badInput(`backend "${key.backendId}" keeps an approval status on every version: promote to CANDIDATE, PRODUCTION or RETIRED`, key.backendId)
    const promoted = await this.setModelVersionApproval(key, status, null)
    if (archiveExisting && to !== 'RETIRED') {
      for (const other of await this.versionsAt(key.backendId, current.modelNativeId, to)) {
        if (other.nativeId !== key.nativeId) await this.setModelVersionApproval({ backendId: key.backendId, nativeId: other.nativeId }, 'REJECTED', null)
      }
    }
    return promoted
  }

  /** An approval decides what is deployed: MANAGE on the model. */
  setModelVersionApproval(key: RecordKey, status: ApprovalStatus, description: string | null): Promise<ModelVersion> {
    return this.published(
      this.afterVersionWrite(key, 'MANAGE', 'setModelVersionApproval', { status }, () => this.writerFor(key).setModelVersionApproval(key.nativeId, status, description)),
      (version) => [events.modelVersionPromoted(version)],
    )
  }

  async setModelAlias(model: RecordKey, alias: string, version: RecordKey): Promise<RegisteredModel> {
    checkAlias(alias)
    if (version.backendId !== model.backendId) {
      throw badInput(`model version ${version.nativeId} is on backend "${version.backendId}", not on the model's backend "${model.backendId}"`)
    }
    return this.published(
      this.afterModelWrite(model, 'EDIT', 'setModelAlias', { alias, version: version.nativeId }, () => this.writerFor(model).setModelAlias(model.nativeId, alias, version.nativeId)),
      (written) => written.aliases.filter((entry) => entry.alias === alias).map((entry) => events.aliasCreated(written, alias, entry.version)),
    )
  }

  deleteModelAlias(model: RecordKey, alias: string): Promise<RegisteredModel> {
    // MLflow's auth app asks "can delete" of removing an alias or a version's tag (MANAGE), "can update" of setting them.
    return this.published(
      this.afterModelWrite(model, 'MANAGE', 'deleteModelAlias', { alias }, () => this.writerFor(model).deleteModelAlias(model.nativeId, alias)),
      (written) => [events.aliasDeleted(written, alias)],
    )
  }

  setRegisteredModelTags(key: RecordKey, tags: KeyValue[]): Promise<RegisteredModel> {
    const checked = checkTags(tags)
    return this.afterModelWrite(key, 'EDIT', 'setRegisteredModelTags', { tags: keysOf(checked) }, () => this.writerFor(key).setRegisteredModelTags(key.nativeId, checked))
  }

  setModelVersionTags(key: RecordKey, tags: KeyValue[]): Promise<ModelVersion> {
    const checked = checkTags(tags)
    return this.published(
      this.afterVersionWrite(key, 'EDIT', 'setModelVersionTags', { tags: keysOf(checked) }, () => this.writerFor(key).setModelVersionTags(key.nativeId, checked)),
      (version) => checked.map((tag) => events.modelVersionTagSet(version, tag.key, tag.value)),
    )
  }

  updateRegisteredModel(key: RecordKey, patch: { description: string | null }): Promise<RegisteredModel> {
    return this.afterModelWrite(key, 'EDIT', 'updateRegisteredModel', { fields: Object.keys(patch).sort() }, () => this.writerFor(key).updateRegisteredModel(key.nativeId, patch))
  }

  /** Renames the model; its versions and aliases follow (their ids change with it). */
  async renameRegisteredModel(key: RecordKey, newName: string): Promise<RegisteredModel> {
    const name = checkModelName(newName)
    const model = await this.guard.audited({ operation: 'renameRegisteredModel', recordType: 'registered_model', backendId: key.backendId, recordId: key.nativeId, summary: { to: name } }, async () => {
      await this.guard.requireOnModel(key.backendId, key.nativeId, 'EDIT')
      const renamed = await this.writerFor(key).renameRegisteredModel(key.nativeId, name)
      await this.guard.moveGrants(modelRecord(key.backendId, key.nativeId), renamed.nativeId)
      return renamed
    })
    this.forgetRegistryReads()
    return model
  }

  deleteRegisteredModelTag(key: RecordKey, tagKey: string): Promise<RegisteredModel> {
    return this.afterModelWrite(key, 'EDIT', 'deleteRegisteredModelTag', { tag: tagKey }, () => this.writerFor(key).deleteRegisteredModelTag(key.nativeId, tagKey))
  }

  /** Deletes the model with its versions, tags and aliases. */
  async deleteRegisteredModel(key: RecordKey): Promise<void> {
    await this.guard.audited({ operation: 'deleteRegisteredModel', recordType: 'registered_model', backendId: key.backendId, recordId: key.nativeId, summary: {} }, async () => {
      await this.guard.requireOnModel(key.backendId, key.nativeId, 'MANAGE')
      await this.writerFor(key).deleteRegisteredModel(key.nativeId)
    })
    this.forgetRegistryReads()
    await this.guard.forgetDeleted(modelRecord(key.backendId, key.nativeId))
  }

  updateModelVersion(key: RecordKey, patch: { description: string | null }): Promise<ModelVersion> {
    return this.afterVersionWrite(key, 'EDIT', 'updateModelVersion', { fields: Object.keys(patch).sort() }, () => this.writerFor(key).updateModelVersion(key.nativeId, patch))
  }

  deleteModelVersionTag(key: RecordKey, tagKey: string): Promise<ModelVersion> {
    return this.published(
      this.afterVersionWrite(key, 'MANAGE', 'deleteModelVersionTag', { tag: tagKey }, () => this.writerFor(key).deleteModelVersionTag(key.nativeId, tagKey)),
      (version) => [events.modelVersionTagDeleted(version, tagKey)],
    )
  }

  async deleteModelVersion(key: RecordKey): Promise<void> {
    await this.guard.audited({ operation: 'deleteModelVersion', recordType: 'model_version', backendId: key.backendId, recordId: key.nativeId, summary: {} }, async () => {
      await this.requireOnVersion(key, 'MANAGE')
      await this.writerFor(key).deleteModelVersion(key.nativeId)
    })
    this.forgetRegistryReads()
  }

  /** Every version of one model at one promotion (a few: a model's versions at one promotion). */
  private async versionsAt(backendId: string, modelId: string, promotion: Promotion): Promise<ModelVersion[]> {
    const reader = this.readerOf(this.backends.get(backendId))
    const found: ModelVersion[] = []
    let token: string | null = null
    do {
      const page: Awaited<ReturnType<typeof reader.listModelVersions>> = await reader.listModelVersions({ modelIds: [modelId], filter: { all: [{ field: 'promotion', values: [promotion] }] } }, { first: 100, token })
      found.push(...page.items.filter((version) => promotionOf(version) === promotion))
      token = page.nextToken
    } while (token)
    return found
  }

  /** The write's result, once what it did is told to the event sink (webhooks). */
  private async published<T>(write: Promise<T>, eventsOf: (written: T) => GatewayEvent[]): Promise<T> {
    const written = await write
    await this.backends.events.publish(eventsOf(written))
    return written
  }

  private readerOf(backend: Backend) {
    return this.backends.partOf(backend, 'modelRegistry')
  }

  private writerOf(backend: Backend) {
    return this.backends.partOf(backend, 'modelRegistryWriter')
  }

  private writerFor(key: RecordKey) {
    return this.writerOf(this.backends.get(key.backendId))
  }

  /**
   * After a write the request's cached copies are stale, and not only the
   * written one (an archiving transition or a moved alias touches others):
   * forget them all, keep what the write returned.
   */
  private async afterVersionWrite(key: RecordKey, needed: Permission, operation: string, summary: Record<string, unknown>, write: () => Promise<ModelVersion>): Promise<ModelVersion> {
    const version = await this.guard.audited({ operation, recordType: 'model_version', backendId: key.backendId, recordId: key.nativeId, summary }, async () => {
      await this.requireOnVersion(key, needed)
      return write()
    })
    this.forgetRegistryReads()
    this.loaders.modelVersion.prime(key, version)
    return version
  }

  private async afterModelWrite(key: RecordKey, needed: Permission, operation: string, summary: Record<string, unknown>, write: () => Promise<RegisteredModel>): Promise<RegisteredModel> {
    const model = await this.guard.audited({ operation, recordType: 'registered_model', backendId: key.backendId, recordId: key.nativeId, summary }, async () => {
      await this.guard.requireOnModel(key.backendId, key.nativeId, needed)
      return write()
    })
    this.forgetRegistryReads()
    this.loaders.registeredModel.prime(key, model)
    return model
  }

  /** A version's permissions are its model's; a missing version is left for the backend to report. */
  private async requireOnVersion(key: RecordKey, needed: Permission): Promise<void> {
    if ((await this.guard.permissions()).unrestricted) return
    const version = await this.loaders.modelVersion.load(key)
    if (version) await this.guard.requireOnModel(version.backendId, version.modelNativeId, needed)
  }

  private forgetRegistryReads(): void {
    this.loaders.registeredModel.clearAll()
    this.loaders.modelVersion.clearAll()
  }
}
