import type { KeyValue, ModelVersion, RegisteredModel } from '../../domain.js'
import { GatewayError, unsupported } from '../../errors.js'
import type { ModelRegistryReader, ModelRegistryWriter, ModelVersionQuery, Page, PageRequest, RegisteredModelQuery } from '../../contract/backend.js'
import { modelVersionId, parseModelVersionId } from '../../contract/model-version-id.js'
import type { MlflowClient } from './client.js'
import { compileModelVersionFilter, compileRegisteredModelFilter, nameInClause } from './filter.js'
import { toModelVersion, toRegisteredModel } from './map.js'
import {
  getModelVersionResponse,
  getRegisteredModelResponse,
  searchModelVersionsResponse,
  searchRegisteredModelsResponse,
} from '../../mlflow-protocol/records.js'
import { WIRE_STAGES } from '../../mlflow-protocol/values.js'

/** What `model-versions/search` answers: versions without their aliases (the resolver reads them from the model). */
const SEARCHED = { aliasesFrom: 'unknown' } as const

/** MLflow's page ceilings for the registry searches, and how many names one `name IN (...)` carries. */
const LIMITS = { modelsPage: 1000, versionsPage: 10_000, namesPerSearch: 100 } as const

/**
 * An MLflow server's model registry through REST API 2.0: searches in the
 * gateway's order (models by name; versions by name, newest first), batch
 * lookups as one search, writes passed through.
 */
export class MlflowModelRegistry implements ModelRegistryReader {
  constructor(
    private readonly backendId: string,
    private readonly client: MlflowClient,
  ) {}

  planModelFilter: ModelRegistryReader['planModelFilter'] = (filter) => compileRegisteredModelFilter(filter)
  planVersionFilter: ModelRegistryReader['planVersionFilter'] = (filter) => compileModelVersionFilter(filter)

  async listRegisteredModels(query: RegisteredModelQuery, page: PageRequest): Promise<Page<RegisteredModel>> {
    const response = searchRegisteredModelsResponse.parse(
      await this.client.get('registered-models/search', {
        filter: compileRegisteredModelFilter(query.filter).text || undefined,
        max_results: Math.min(Math.max(page.first, 1), LIMITS.modelsPage),
        order_by: 'name ASC',
        page_token: page.token ?? undefined,
      }),
    )
    return { items: response.registered_models.map((wire) => toRegisteredModel(this.backendId, wire)), nextToken: response.next_page_token || null }
  }

  async countRegisteredModels(): Promise<null> {
    return null // MLflow has no count: counting would mean paging through everything
  }

  async getRegisteredModels(names: readonly string[]): Promise<(RegisteredModel | null)[]> {
    if (names.length === 1) return [await this.getRegisteredModel(names[0])]
    const found = new Map<string, RegisteredModel>()
    for (const chunk of chunks([...new Set(names)], LIMITS.namesPerSearch)) {
      const filter = nameInClause(chunk)
      if (filter === null) {
        for (const name of chunk) {
          const model = await this.getRegisteredModel(name)
          if (model) found.set(name, model)
        }
        continue
      }
      const response = searchRegisteredModelsResponse.parse(await this.client.get('registered-models/search', { filter, max_results: LIMITS.modelsPage }))
      for (const wire of response.registered_models) found.set(wire.name, toRegisteredModel(this.backendId, wire))
    }
    return names.map((name) => found.get(name) ?? null)
  }

  async listModelVersions(query: ModelVersionQuery, page: PageRequest): Promise<Page<ModelVersion>> {
    const clauses = [compileModelVersionFilter(query.filter).text]
    if (query.modelIds) {
      if (query.modelIds.length === 0) return { items: [], nextToken: null }
      const names = nameInClause(query.modelIds)
      if (names === null) throw new GatewayError('UNSUPPORTED', `backend "${this.backendId}" cannot search models whose names hold both quote characters`, { backend: this.backendId })
      clauses.push(names)
    }
    const response = searchModelVersionsResponse.parse(
      await this.client.get('model-versions/search', {
        filter: clauses.filter(Boolean).join(' AND ') || undefined,
        max_results: Math.min(Math.max(page.first, 1), LIMITS.versionsPage),
        order_by: ['name ASC', 'version_number DESC'],
        page_token: page.token ?? undefined,
      }),
    )
    return { items: response.model_versions.map((wire) => toModelVersion(this.backendId, wire, SEARCHED)), nextToken: response.next_page_token || null }
  }

  async countModelVersions(): Promise<null> {
    return null
  }

  /**
   * One version: `model-versions/get`. Several: one `model-versions/search`
   * per 100 model names, narrowed to the span of version numbers asked for.
   */
  async getModelVersions(ids: readonly string[]): Promise<(ModelVersion | null)[]> {
    if (ids.length === 1) return [await this.getModelVersion(ids[0])]
    const keys = ids.map(parseModelVersionId).filter((key) => key !== null)
    const wanted = new Set(keys.map((key) => modelVersionId(key.modelName, key.version)))
    const found = new Map<string, ModelVersion>()
    for (const chunk of chunks([...new Set(keys.map((key) => key.modelName))], LIMITS.namesPerSearch)) {
      const numbers = keys.filter((key) => chunk.includes(key.modelName)).map((key) => key.version)
      const names = nameInClause(chunk)
      if (names === null) {
        for (const key of keys.filter((candidate) => chunk.includes(candidate.modelName))) {
          const version = await this.getModelVersion(modelVersionId(key.modelName, key.version))
          if (version) found.set(version.nativeId, version)
        }
        continue
      }
      let token: string | undefined
      do {
        const response = searchModelVersionsResponse.parse(
          await this.client.get('model-versions/search', {
            filter: `${names} AND version_number >= ${Math.min(...numbers)} AND version_number <= ${Math.max(...numbers)}`,
            max_results: LIMITS.versionsPage,
            page_token: token,
          }),
        )
        for (const version of response.model_versions.map((wire) => toModelVersion(this.backendId, wire, SEARCHED))) {
          if (wanted.has(version.nativeId)) found.set(version.nativeId, version)
        }
        token = response.next_page_token || undefined
      } while (token)
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  async latestVersions(name: string): Promise<ModelVersion[]> {
    const wire = getRegisteredModelResponse.parse(await this.client.get('registered-models/get', { name })).registered_model
    const model = toRegisteredModel(this.backendId, wire)
    return wire.latest_versions.map((version) => toModelVersion(this.backendId, version, { aliasesFrom: model.aliases }))
  }

  writer(): ModelRegistryWriter {
    const versionKey = (id: string) => {
      const key = parseModelVersionId(id)
      if (!key) throw new GatewayError('NOT_FOUND', `model version ${id} does not exist`, { backend: this.backendId })
      return { name: key.modelName, version: String(key.version) }
    }
    return {
      createRegisteredModel: async (input) =>
        toRegisteredModel(
          this.backendId,
          getRegisteredModelResponse.parse(
            await this.client.post('registered-models/create', { name: input.name, description: input.description ?? undefined, tags: input.tags }),
          ).registered_model,
        ),
      createModelVersion: async (input) =>
        toModelVersion(
          this.backendId,
          getModelVersionResponse.parse(
            await this.client.post('model-versions/create', {
              name: input.modelId,
              source: input.source,
              run_id: input.runId ?? undefined,
              description: input.description ?? undefined,
              tags: input.tags,
            }),
          ).model_version,
          { aliasesFrom: 'version' }, // a new version has none yet, and the answer says so
        ),
      transitionModelVersion: async (id, stage, archiveExisting) => {
        await this.client.post('model-versions/transition-stage', { ...versionKey(id), stage: WIRE_STAGES[stage], archive_existing_versions: archiveExisting })
        return this.requireModelVersion(id)
      },
      setModelVersionApproval: () => Promise.reject(unsupported(`backend "${this.backendId}" promotes versions by stage, not by approval`, this.backendId)),
      setModelAlias: async (name, alias, versionId) => {
        const key = versionKey(versionId)
        if (key.name !== name) {
          throw new GatewayError('BAD_USER_INPUT', `model version ${versionId} is not a version of registered model "${name}"`, { backend: this.backendId })
        }
        await this.client.post('registered-models/alias', { name, alias, version: key.version })
        return this.requireRegisteredModel(name)
      },
      deleteModelAlias: async (name, alias) => {
        // MLflow answers {} for an alias that is not there; the gateway says NOT_FOUND, as the native registry does.
        const model = await this.requireRegisteredModel(name)
        if (!model.aliases.some((existing) => existing.alias === alias)) {
          throw new GatewayError('NOT_FOUND', `alias "${alias}" of registered model "${name}" does not exist`, { backend: this.backendId })
        }
        await this.client.delete('registered-models/alias', { name, alias })
        return this.requireRegisteredModel(name)
      },
      // MLflow sets one tag per call: a failure part-way leaves the earlier tags set.
      setRegisteredModelTags: async (name, tags) => {
        await this.requireRegisteredModel(name)
        await setEach(tags, (tag) => this.client.post('registered-models/set-tag', { name, key: tag.key, value: tag.value }))
        return this.requireRegisteredModel(name)
      },
      setModelVersionTags: async (id, tags) => {
        await this.requireModelVersion(id)
        await setEach(tags, (tag) => this.client.post('model-versions/set-tag', { ...versionKey(id), key: tag.key, value: tag.value }))
        return this.requireModelVersion(id)
      },
      deleteRegisteredModelTag: async (name, key) => {
        await this.client.delete('registered-models/delete-tag', { name, key })
        return this.requireRegisteredModel(name)
      },
      deleteModelVersionTag: async (id, key) => {
        await this.client.delete('model-versions/delete-tag', { ...versionKey(id), key })
        return this.requireModelVersion(id)
      },
      updateRegisteredModel: async (name, patch) => {
        await this.client.patch('registered-models/update', { name, description: patch.description ?? '' })
        return this.requireRegisteredModel(name)
      },
      updateModelVersion: async (id, patch) => {
        await this.client.patch('model-versions/update', { ...versionKey(id), description: patch.description ?? '' })
        return this.requireModelVersion(id)
      },
      renameRegisteredModel: async (name, newName) => {
        await this.client.post('registered-models/rename', { name, new_name: newName })
        return this.requireRegisteredModel(newName)
      },
      deleteRegisteredModel: async (name) => {
        await this.client.delete('registered-models/delete', { name })
      },
      deleteModelVersion: async (id) => {
        await this.client.delete('model-versions/delete', versionKey(id))
      },
    }
  }

  private async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
    return nullWhenMissing(async () =>
      toRegisteredModel(this.backendId, getRegisteredModelResponse.parse(await this.client.get('registered-models/get', { name })).registered_model),
    )
  }

  private async getModelVersion(id: string): Promise<ModelVersion | null> {
    const key = parseModelVersionId(id)
    if (!key) return null
    return nullWhenMissing(async () =>
      toModelVersion(
        this.backendId,
        getModelVersionResponse.parse(await this.client.get('model-versions/get', { name: key.modelName, version: key.version })).model_version,
        { aliasesFrom: 'version' },
      ),
    )
  }

  private async requireRegisteredModel(name: string): Promise<RegisteredModel> {
    const model = await this.getRegisteredModel(name)
    if (!model) throw new GatewayError('NOT_FOUND', `registered model "${name}" does not exist`, { backend: this.backendId })
    return model
  }

  private async requireModelVersion(id: string): Promise<ModelVersion> {
    const version = await this.getModelVersion(id)
    if (!version) throw new GatewayError('NOT_FOUND', `model version ${id} does not exist`, { backend: this.backendId })
    return version
  }
}

async function nullWhenMissing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'BAD_USER_INPUT')) return null
    throw error
  }
}

async function setEach(tags: KeyValue[], set: (tag: KeyValue) => Promise<unknown>): Promise<void> {
  for (const tag of tags) await set(tag)
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}
