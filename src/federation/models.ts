import type { Backend, ModelVersionQuery, RegisteredModelQuery } from '../contract/backend.js'
import type { ApprovalStatus, KeyValue, ModelStage, ModelVersion, RegisteredModel } from '../domain.js'
import { badInput } from '../errors.js'
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
  constructor(
    private readonly backends: Backends,
    private readonly loaders: Loaders,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  registeredModel(key: RecordKey): Promise<RegisteredModel | null> {
    this.backends.partOf(key.backendId, 'modelRegistry')
    return this.loaders.registeredModel.load(key)
  }

  modelVersion(key: RecordKey): Promise<ModelVersion | null> {
    this.backends.partOf(key.backendId, 'modelRegistry')
    return this.loaders.modelVersion.load(key)
  }

  /** The newest version in each stage (each approval status on SageMaker); primes the version loader. */
  async latestVersions(key: RecordKey): Promise<ModelVersion[]> {
    const versions = await this.backends.partOf(key.backendId, 'modelRegistry').latestVersions(key.nativeId)
    for (const version of versions) this.loaders.modelVersion.prime({ backendId: version.backendId, nativeId: version.nativeId }, version)
    return versions
  }

  listRegisteredModels(args: RegisteredModelListArgs): Promise<ListPage<RegisteredModel>> {
    checkListShape(this.limits, args)
    return federatedList(args, {
      identity: { list: 'registeredModels', filter: args.filter },
      backends: this.backends.select(args.backends, 'modelRegistry'),
      compare: compareRegisteredModels,
      source: {
        plan: (backend, filter) => this.readerOf(backend).planModelFilter(filter),
        query: (_, filter): RegisteredModelQuery => ({ filter }),
        list: (backend, query, page) => this.readerOf(backend).listRegisteredModels(query, page),
        count: (backend, query) => this.readerOf(backend).countRegisteredModels(query),
        matches: matchesRegisteredModelFilter,
      },
    })
  }

  listModelVersions(args: ModelVersionListArgs): Promise<ListPage<ModelVersion>> {
    checkListShape(this.limits, args)
    const { backends, scopeOf } = this.backends.selectScoped(args.backends, 'modelRegistry', args.models)
    return federatedList(args, {
      identity: { list: 'modelVersions', models: args.models, filter: args.filter },
      backends,
      compare: compareModelVersions,
      source: {
        plan: (backend, filter) => this.readerOf(backend).planVersionFilter(filter),
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
    return this.writerOf(backend).createRegisteredModel({ name, description: input.description, tags })
  }

  async createModelVersion(input: {
    model: RecordKey
    source: string
    runId: string | null
    description: string | null
    tags: KeyValue[]
  }): Promise<ModelVersion> {
    if (input.source.trim().length === 0) throw badInput('source must not be empty')
    const tags = checkTags(input.tags)
    const version = await this.writerFor(input.model).createModelVersion({
      modelId: input.model.nativeId,
      source: input.source,
      runId: input.runId,
      description: input.description,
      tags,
    })
    this.forgetRegistryReads()
    return version
  }

  transitionModelVersion(key: RecordKey, stage: ModelStage, archiveExisting: boolean): Promise<ModelVersion> {
    return this.afterVersionWrite(key, this.writerFor(key).transitionModelVersion(key.nativeId, stage, archiveExisting))
  }

  setModelVersionApproval(key: RecordKey, status: ApprovalStatus, description: string | null): Promise<ModelVersion> {
    return this.afterVersionWrite(key, this.writerFor(key).setModelVersionApproval(key.nativeId, status, description))
  }

  async setModelAlias(model: RecordKey, alias: string, version: RecordKey): Promise<RegisteredModel> {
    checkAlias(alias)
    if (version.backendId !== model.backendId) {
      throw badInput(`model version ${version.nativeId} is on backend "${version.backendId}", not on the model's backend "${model.backendId}"`)
    }
    return this.afterModelWrite(model, this.writerFor(model).setModelAlias(model.nativeId, alias, version.nativeId))
  }

  deleteModelAlias(model: RecordKey, alias: string): Promise<RegisteredModel> {
    return this.afterModelWrite(model, this.writerFor(model).deleteModelAlias(model.nativeId, alias))
  }

  setRegisteredModelTags(key: RecordKey, tags: KeyValue[]): Promise<RegisteredModel> {
    return this.afterModelWrite(key, this.writerFor(key).setRegisteredModelTags(key.nativeId, checkTags(tags)))
  }

  setModelVersionTags(key: RecordKey, tags: KeyValue[]): Promise<ModelVersion> {
    return this.afterVersionWrite(key, this.writerFor(key).setModelVersionTags(key.nativeId, checkTags(tags)))
  }

  updateRegisteredModel(key: RecordKey, patch: { description: string | null }): Promise<RegisteredModel> {
    return this.afterModelWrite(key, this.writerFor(key).updateRegisteredModel(key.nativeId, patch))
  }

  /** Renames the model; its versions and aliases follow (their ids change with it). */
  async renameRegisteredModel(key: RecordKey, newName: string): Promise<RegisteredModel> {
    const model = await this.writerFor(key).renameRegisteredModel(key.nativeId, checkModelName(newName))
    this.forgetRegistryReads()
    return model
  }

  deleteRegisteredModelTag(key: RecordKey, tagKey: string): Promise<RegisteredModel> {
    return this.afterModelWrite(key, this.writerFor(key).deleteRegisteredModelTag(key.nativeId, tagKey))
  }

  /** Deletes the model with its versions, tags and aliases. */
  async deleteRegisteredModel(key: RecordKey): Promise<void> {
    await this.writerFor(key).deleteRegisteredModel(key.nativeId)
    this.forgetRegistryReads()
  }

  updateModelVersion(key: RecordKey, patch: { description: string | null }): Promise<ModelVersion> {
    return this.afterVersionWrite(key, this.writerFor(key).updateModelVersion(key.nativeId, patch))
  }

  deleteModelVersionTag(key: RecordKey, tagKey: string): Promise<ModelVersion> {
    return this.afterVersionWrite(key, this.writerFor(key).deleteModelVersionTag(key.nativeId, tagKey))
  }

  async deleteModelVersion(key: RecordKey): Promise<void> {
    await this.writerFor(key).deleteModelVersion(key.nativeId)
    this.forgetRegistryReads()
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
  private async afterVersionWrite(key: RecordKey, write: Promise<ModelVersion>): Promise<ModelVersion> {
    const version = await write
    this.forgetRegistryReads()
    this.loaders.modelVersion.prime(key, version)
    return version
  }

  private async afterModelWrite(key: RecordKey, write: Promise<RegisteredModel>): Promise<RegisteredModel> {
    const model = await write
    this.forgetRegistryReads()
    this.loaders.registeredModel.prime(key, model)
    return model
  }

  private forgetRegistryReads(): void {
    this.loaders.registeredModel.clearAll()
    this.loaders.modelVersion.clearAll()
  }
}
