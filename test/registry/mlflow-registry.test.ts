import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  DeleteModelAliasDocument,
  ModelVersionDocument,
  ModelVersionsByIdsDocument,
  ModelVersionsDocument,
  RegisteredModelDocument,
  RegisteredModelsDocument,
  SetModelAliasDocument,
  SetModelVersionApprovalDocument,
  SetTagsDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { mlflowApi } from '../support/mlflow-api.js'

/** The MLflow adapter's registry against a real `mlflow server`, seeded through MLflow's own REST API. */
describeMlflow('MLflow model registry', (mlflowUrl) => {
  const api = mlflowApi(mlflowUrl)
  const prefix = `reg-${Math.random().toString(36).slice(2, 8)}`
  let gw: TestGateway
  let proxy: HttpProxy
  let runId: string

  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({ backends: [{ id: 'ml', kind: 'mlflow', url: proxy.url, readOnly: false }] })
    const experimentId = await api.createExperiment(`${prefix}-exp`)
    runId = await api.createRun(experimentId, { name: 'trainer' })
    await api.logBatch(runId, { metrics: [{ key: 'rmse', value: 0.25, step: 1 }] })
    for (const [name, tags] of [
      [`${prefix}-alpha`, { domain: 'fraud' }],
      [`${prefix}-beta`, { domain: 'ads' }],
      [`${prefix}-Gamma`, {}],
    ] as const) {
      await api.post('registered-models/create', { name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) })
    }
    for (let i = 0; i < 4; i += 1) await api.post('model-versions/create', { name: `${prefix}-alpha`, source: `s3://models/alpha/${i}`, run_id: runId })
    await api.post('model-versions/create', { name: `${prefix}-beta`, source: 's3://models/beta/0', tags: [{ key: 'validated', value: 'yes' }] })
    await api.post('model-versions/transition-stage', { name: `${prefix}-alpha`, version: '2', stage: 'Staging', archive_existing_versions: false })
    await api.post('model-versions/transition-stage', { name: `${prefix}-alpha`, version: '3', stage: 'Production', archive_existing_versions: false })
    await api.post('model-versions/transition-stage', { name: `${prefix}-alpha`, version: '1', stage: 'Archived', archive_existing_versions: false })
    await api.post('registered-models/alias', { name: `${prefix}-alpha`, alias: 'champion', version: '3' })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

  const modelId = (name: string) => `RegisteredModel:ml:${prefix}-${name}`
  const versionId = (name: string, version: number) => `ModelVersion:ml:${prefix}-${name}/${version}`

  it('lists registered models by name in code-point order, paging through MLflow page tokens', async () => {
    const seen: string[] = []
    let after: string | null = null
    do {
      const page: Awaited<ReturnType<typeof listPage>> = await listPage(after)
      seen.push(...page.edges.map((edge) => edge.node.name))
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : null
    } while (after)
    expect(seen).toEqual([`${prefix}-Gamma`, `${prefix}-alpha`, `${prefix}-beta`])
    async function listPage(cursor: string | null) {
      return (await gw.data(RegisteredModelsDocument, { filter: { name: { op: 'LIKE', value: `${prefix}-%` } }, first: 1, after: cursor })).registeredModels
    }
  })

  it('reads a model with tags, aliases and the latest version per stage', async () => {
    const model = (await gw.data(RegisteredModelDocument, { id: modelId('alpha') })).registeredModel!
    expect(model).toMatchObject({ name: `${prefix}-alpha`, backend: { id: 'ml', kind: 'MLFLOW' } })
    expect(model.aliases).toEqual([{ alias: 'champion', versionNumber: '3', version: { id: versionId('alpha', 3) } }])
    expect(model.latestVersions.map((version) => [version.stage, version.version]).sort()).toEqual([
      ['ARCHIVED', '1'],
      ['NONE', '4'],
      ['PRODUCTION', '3'],
      ['STAGING', '2'],
    ])
    const byTag = await gw.data(RegisteredModelsDocument, { filter: { tags: [{ key: 'domain', value: 'ads' }], name: { op: 'LIKE', value: `${prefix}-%` } } })
    expect(byTag.registeredModels.edges.map((edge) => edge.node.name)).toEqual([`${prefix}-beta`])
  })

  it('maps MLflow stages to promotion, filtering stages in the gateway and the rest at MLflow', async () => {
    const list = async (filter: Record<string, unknown>) =>
      (await gw.data(ModelVersionsDocument, { filter: { modelName: { op: 'LIKE', value: `${prefix}-%` }, ...filter } })).modelVersions.edges.map(
        (edge) => `${edge.node.model!.name.slice(prefix.length + 1)}/${edge.node.version}:${edge.node.promotion}`,
      )
    expect(await list({})).toEqual(['alpha/4:NONE', 'alpha/3:PRODUCTION', 'alpha/2:CANDIDATE', 'alpha/1:RETIRED', 'beta/1:NONE'])
    expect(await list({ promotion: ['PRODUCTION', 'CANDIDATE'] })).toEqual(['alpha/3:PRODUCTION', 'alpha/2:CANDIDATE'])
    expect(await list({ stage: ['ARCHIVED'] })).toEqual(['alpha/1:RETIRED'])
    expect(await list({ tags: [{ key: 'validated', value: 'yes' }] })).toEqual(['beta/1:NONE'])
    expect(await list({ runId })).toEqual(['alpha/4:NONE', 'alpha/3:PRODUCTION', 'alpha/2:CANDIDATE', 'alpha/1:RETIRED'])
    expect(await list({ approvalStatus: ['APPROVED'] })).toEqual([])
  })

  it('reads a version with its aliases, source run and the run metrics', async () => {
    const version = (await gw.data(ModelVersionDocument, { id: versionId('alpha', 3) })).modelVersion!
    expect(version).toMatchObject({ stage: 'PRODUCTION', promotion: 'PRODUCTION', status: 'READY', source: 's3://models/alpha/2', runId, aliases: ['champion'] })
    expect(version.sourceRun).toEqual({ id: `Run:ml:${runId}`, name: 'trainer' })
    expect(version.metrics).toEqual([{ key: 'rmse', value: 0.25 }])
  })

  it('batches several versions by id into one model-versions/search', async () => {
    proxy.requests.length = 0
    const ids = [versionId('alpha', 1), versionId('alpha', 3), versionId('beta', 1), versionId('alpha', 99)]
    const { nodes } = await gw.data(ModelVersionsByIdsDocument, { ids })
    expect(nodes.map((node) => node && 'version' in node && node.version)).toEqual(['1', '3', '1', null])
    expect(nodes[1]).toMatchObject({ aliases: ['champion'], model: { name: `${prefix}-alpha` } })
    expect(proxy.requests.filter((request) => request.endsWith('/model-versions/search'))).toHaveLength(1)
    expect(proxy.requests.filter((request) => request.endsWith('/model-versions/get'))).toHaveLength(0)
  })

  it('creates, transitions with archiving, aliases and tags through mlgate, visible at MLflow', async () => {
    const model = (await gw.data(CreateRegisteredModelDocument, { input: { name: `${prefix}-written`, backend: 'ml', description: 'via mlgate' } })).createRegisteredModel
    expect(model).toMatchObject({ id: modelId('written'), description: 'via mlgate' })
    const v1 = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://w/1', runId: `Run:ml:${runId}` } })).createModelVersion
    const v2 = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://w/2' } })).createModelVersion
    expect([v1.version, v2.version, v1.runId]).toEqual(['1', '2', runId])
    await gw.data(TransitionModelVersionDocument, { id: v1.id, stage: 'PRODUCTION' })
    const promoted = (await gw.data(TransitionModelVersionDocument, { id: v2.id, stage: 'PRODUCTION', archiveExisting: true })).transitionModelVersion
    expect(promoted.stage).toBe('PRODUCTION')
    const atMlflow = await api.get<{ model_version: { current_stage: string } }>('model-versions/get', { name: `${prefix}-written`, version: 1 })
    expect(atMlflow.model_version.current_stage).toBe('Archived')

    const aliased = (await gw.data(SetModelAliasDocument, { modelId: model.id, alias: 'prod', versionId: v2.id })).setModelAlias
    expect(aliased.aliases).toEqual([{ alias: 'prod', versionNumber: '2', version: { id: v2.id } }])
    for (const alias of ['latest', 'v3', 'bad alias']) {
      expect(errorCodes(await gw.request(SetModelAliasDocument, { modelId: model.id, alias, versionId: v2.id })), alias).toEqual(['BAD_USER_INPUT'])
    }
    expect((await gw.data(DeleteModelAliasDocument, { modelId: model.id, alias: 'prod' })).deleteModelAlias.aliases).toEqual([])
    expect(errorCodes(await gw.request(DeleteModelAliasDocument, { modelId: model.id, alias: 'prod' }))).toEqual(['NOT_FOUND'])

    await gw.data(SetTagsDocument, { id: v2.id, tags: [{ key: 'approved-by', value: 'qa' }] })
    const tagged = await api.get<{ model_version: { tags: { key: string; value: string }[] } }>('model-versions/get', { name: `${prefix}-written`, version: 2 })
    expect(tagged.model_version.tags).toEqual([{ key: 'approved-by', value: 'qa' }])
  })

  it('refuses an approval as UNSUPPORTED naming the backend, and a duplicate model as CONFLICT', async () => {
    const refused = await gw.request(SetModelVersionApprovalDocument, { id: versionId('alpha', 4), status: 'APPROVED' })
    expect(errorCodes(refused)).toEqual(['UNSUPPORTED'])
    expect(refused.errors?.[0].extensions?.backend).toBe('ml')
    expect(errorCodes(await gw.request(CreateRegisteredModelDocument, { input: { name: `${prefix}-alpha`, backend: 'ml' } }))).toEqual(['CONFLICT'])
  })

  it('answers null for a missing model or version', async () => {
    expect((await gw.data(RegisteredModelDocument, { id: modelId('missing') })).registeredModel).toBeNull()
    expect((await gw.data(ModelVersionDocument, { id: versionId('alpha', 42) })).modelVersion).toBeNull()
  })
})
