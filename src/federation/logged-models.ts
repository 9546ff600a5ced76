import type { CreateLoggedModelInput, LoggedModelStore, Page, PageRequest } from '../contract/backend.js'
import type { KeyValue, LoggedModel, LoggedModelStatus, MetricWrite, ModelOutput } from '../domain.js'
import type { RecordKey } from './record-key.js'
import type { Limits } from '../config.js'
import type { LoggedModelFilter } from '../contract/filter.js'
import { matchesLoggedModelFilter } from '../contract/filter-matching.js'
import { DEFAULT_LIMITS, checkListShape } from './query-limits.js'
import type { Backends } from './backends.js'
import { checkMetrics, checkParams, checkTags } from './write-limits.js'

/**
 * MLflow 3's logged models, on the backends that keep them: routed to the
 * owning backend, writes checked once. Only the native store keeps them
 * today (for the MLflow API); a backend without them answers UNSUPPORTED.
 */
export class LoggedModelFederation {
  constructor(
    private readonly backends: Backends,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  /** Whether the backend keeps logged models at all (a version's `models:/m-...` source can then be followed). */
  keptBy(backendId: string): boolean {
    return this.backends.get(backendId).loggedModels !== null
  }

  create(backendId: string, input: CreateLoggedModelInput): Promise<LoggedModel> {
    const tags = checkTags(input.tags)
    checkParams(input.params)
    return this.storeOf(backendId).create({ ...input, tags })
  }

  async loggedModel(key: RecordKey): Promise<LoggedModel | null> {
    const [model] = await this.storeOf(key.backendId).getMany([key.nativeId])
    return model ?? null
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
    return this.storeOf(key.backendId).finalize(key.nativeId, status)
  }

  setTags(key: RecordKey, tags: KeyValue[]): Promise<LoggedModel> {
    return this.storeOf(key.backendId).setTags(key.nativeId, checkTags(tags))
  }

  deleteTag(key: RecordKey, tagKey: string): Promise<LoggedModel> {
    return this.storeOf(key.backendId).deleteTag(key.nativeId, tagKey)
  }

  logParams(key: RecordKey, params: KeyValue[]): Promise<LoggedModel> {
    checkParams(params)
    return this.storeOf(key.backendId).logParams(key.nativeId, params)
  }

  delete(key: RecordKey): Promise<void> {
    return this.storeOf(key.backendId).delete(key.nativeId)
  }

  /** Records models a run produced (MLflow's log-outputs). */
  logOutputs(run: RecordKey, outputs: ModelOutput[]): Promise<void> {
    return this.storeOf(run.backendId).logOutputs(run.nativeId, outputs)
  }

  /** Links metric points a run logged to the model. */
  linkMetrics(model: RecordKey, runId: string, metrics: MetricWrite[]): Promise<void> {
    checkMetrics(metrics)
    return this.storeOf(model.backendId).linkMetrics(model.nativeId, runId, metrics)
  }

  private storeOf(backendId: string): LoggedModelStore {
    return this.backends.partOf(backendId, 'loggedModels')
  }
}
