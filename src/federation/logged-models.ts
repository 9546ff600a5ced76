import { z } from 'zod'
import type { CreateLoggedModelInput, LoggedModelStore, Page, PageRequest } from '../contract/backend.js'
import type { KeyValue, LoggedModel, LoggedModelStatus, LinkedMetric, ModelOutput } from '../domain.js'
import DataLoader from 'dataloader'
import type { RecordKey } from './record-key.js'
import { batchLoader } from './loaders.js'
import type { Limits } from '../config.js'
import type { LoggedModelFilter } from '../contract/filter.js'
import { matchesLoggedModelFilter } from '../contract/filter-matching.js'
import { DEFAULT_LIMITS, checkListShape } from './query-limits.js'
import type { Backends } from './backends.js'
import { checkMetrics, checkParams, checkTags } from './write-limits.js'
import { type AccessGuard, experimentRecord, keysOf } from './access.js'
import type { Permission } from '../contract/identity-store.js'

/** The logged-model tag MLflow lists the versions registered from a model in. */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions'

const versionListSchema = z.array(z.object({ name: z.string(), version: z.number().int() }))

function parseVersionList(value: string | undefined): z.infer<typeof versionListSchema> {
  if (!value) return []
  try {
    return versionListSchema.parse(JSON.parse(value))
  } catch {
    return [] // a tag someone else wrote: MLflow would fail; mlgate starts the list afresh
  }
}

/**
 * MLflow 3's logged models, on the backends that keep them: routed to the
 * owning backend, writes checked once. Only the native store keeps them
 * today (for the MLflow API); a backend without them answers UNSUPPORTED.
 */
export class LoggedModelFederation {
  private readonly reads: DataLoader<RecordKey, LoggedModel | null, string>

  constructor(
    private readonly backends: Backends,
    private readonly limits: Limits = DEFAULT_LIMITS,
    /** The request's permission checks: a logged model's are its experiment's. */
    private readonly guard?: AccessGuard,
  ) {
    this.reads = batchLoader(backends, 'loggedModel', (backend, ids) => backends.partOf(backend, 'loggedModels').getMany(ids))
  }

  /** Whether the backend keeps logged models at all (a version's `models:/m-...` source can then be followed). */
  keptBy(backendId: string): boolean {
    return this.backends.get(backendId).loggedModels !== null
  }

  async create(backendId: string, input: CreateLoggedModelInput): Promise<LoggedModel> {
    const tags = checkTags(input.tags)
    checkParams(input.params)
    const create = async () => {
      await this.guard?.requireOnExperiment({ backendId, nativeId: input.experimentId }, 'EDIT')
      return this.storeOf(backendId).create({ ...input, tags })
    }
    const event = { operation: 'createLoggedModel', recordType: 'logged_model', backendId, summary: { experiment: input.experimentId, tags: keysOf(tags), params: keysOf(input.params) } }
    return this.guard ? this.guard.audited(event, create, (model) => model.nativeId) : create()
  }

  /** Read once per call whatever asks (a registration reads the model for its source, its run and its tag); writes forget it. */
  async loggedModel(key: RecordKey): Promise<LoggedModel | null> {
    const model = await this.reads.load(key)
    if (!model || !this.guard) return model
    return (await this.guard.mayRead(experimentRecord({ backendId: key.backendId, nativeId: model.experimentNativeId }))) ? model : null
  }

  /** Newest first, in the experiments given (native ids of the backend). */
  list(backendId: string, experimentIds: readonly string[], page: PageRequest): Promise<Page<LoggedModel>> {
    return this.storeOf(backendId).list(experimentIds, page)
  }

  /**
   * Every logged model of the experiments that matches, newest first. Read
   * whole and filtered here: an experiment holds tens of logged models, and
   * MLflow's grammar over them (attributes, tags, params) is evaluated in memory.
   */
  async search(backendId: string, experimentIds: readonly string[], filter: LoggedModelFilter): Promise<LoggedModel[]> {
    checkListShape(this.limits, { filter })
    const readable = this.guard ? await this.guard.readableOnly([...experimentIds], (id) => experimentRecord({ backendId, nativeId: id })) : experimentIds
    experimentIds = readable.filter((id): id is string => id !== null)
    if (experimentIds.length === 0) return []
    const matching: LoggedModel[] = []
    let token: string | null = null
    do {
      const page: Page<LoggedModel> = await this.list(backendId, experimentIds, { first: 1000, token })
      matching.push(...page.items.filter((model) => matchesLoggedModelFilter(model, filter)))
      token = page.nextToken
    } while (token)
    return matching
  }

  finalize(key: RecordKey, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.afterWrite(key, 'EDIT', 'finalizeLoggedModel', () => this.storeOf(key.backendId).finalize(key.nativeId, status))
  }

  setTags(key: RecordKey, tags: KeyValue[]): Promise<LoggedModel> {
    const checked = checkTags(tags)
    return this.afterWrite(key, 'EDIT', 'setLoggedModelTags', () => this.storeOf(key.backendId).setTags(key.nativeId, checked))
  }

  deleteTag(key: RecordKey, tagKey: string): Promise<LoggedModel> {
    // As MLflow's auth app: removing a logged model's tag is "can delete" (MANAGE).
    return this.afterWrite(key, 'MANAGE', 'deleteLoggedModelTag', () => this.storeOf(key.backendId).deleteTag(key.nativeId, tagKey))
  }

  logParams(key: RecordKey, params: KeyValue[]): Promise<LoggedModel> {
    checkParams(params)
    return this.afterWrite(key, 'EDIT', 'logLoggedModelParams', () => this.storeOf(key.backendId).logParams(key.nativeId, params))
  }

  delete(key: RecordKey): Promise<void> {
    return this.afterWrite(key, 'MANAGE', 'deleteLoggedModel', () => this.storeOf(key.backendId).delete(key.nativeId))
  }

  /**
   * Adds a registered version to the model's `mlflow.modelVersions` tag, a
   * JSON list of {name, version} as MLflow's tracking store keeps it
   * (Python's json.dumps spacing, a version already listed not twice).
   */
  async recordModelVersion(key: RecordKey, modelName: string, version: number): Promise<void> {
    const model = await this.loggedModel(key)
    if (!model) return
    const entry = { name: modelName, version }
    const listed = parseVersionList(model.tags[MODEL_VERSIONS_TAG])
    const versions = listed.some((known) => known.name === entry.name && known.version === entry.version) ? listed : [...listed, entry]
    const value = `[${versions.map((known) => `{"name": ${JSON.stringify(known.name)}, "version": ${known.version}}`).join(', ')}]`
    await this.afterWrite(key, 'EDIT', 'recordModelVersion', () => this.storeOf(key.backendId).setTags(key.nativeId, [{ key: MODEL_VERSIONS_TAG, value }]))
  }

  /** Records models a run produced (MLflow's log-outputs). */
  async logOutputs(run: RecordKey, outputs: ModelOutput[]): Promise<void> {
    await this.guard?.requireOnRun(run, 'EDIT')
    return this.storeOf(run.backendId).logOutputs(run.nativeId, outputs)
  }

  /** Links metric points a run logged to the model. */
  linkMetrics(model: RecordKey, runId: string, metrics: LinkedMetric[]): Promise<void> {
    checkMetrics(metrics)
    return this.afterWrite(model, 'EDIT', 'linkLoggedModelMetrics', () => this.storeOf(model.backendId).linkMetrics(model.nativeId, runId, metrics))
  }

  /** Checks the caller's level on the model's experiment, then writes. */
  private async afterWrite<T>(key: RecordKey, needed: Permission, operation: string, write: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      if (this.guard && !(await this.guard.permissions()).unrestricted) {
        const model = await this.reads.load(key)
        if (model) await this.guard.requireOnExperiment({ backendId: key.backendId, nativeId: model.experimentNativeId }, needed)
      }
      return write()
    }
    const event = { operation, recordType: 'logged_model', backendId: key.backendId, recordId: key.nativeId, summary: {} }
    const result = await (this.guard ? this.guard.audited(event, guarded) : guarded())
    this.reads.clear(key)
    return result
  }

  private storeOf(backendId: string): LoggedModelStore {
    return this.backends.partOf(backendId, 'loggedModels')
  }
}
