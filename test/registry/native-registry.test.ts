import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  CreateRunDocument,
  DeleteModelAliasDocument,
  LogMetricsDocument,
  ModelVersionDocument,
  ModelVersionsDocument,
  ModelVersionsOfModelDocument,
  NodeDocument,
  RegisteredModelDocument,
  RegisteredModelsDocument,
  SetModelAliasDocument,
  SetModelVersionApprovalDocument,
  SetTagsDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { describeEachEngine } from '../support/engines.js'
import { type TestGateway, errorCodes, startNativeGateway } from '../support/gateway.js'

describeEachEngine('native model registry through GraphQL', (engine) => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startNativeGateway(engine)
  })
  afterAll(() => gw.close())

  const createModel = async (name: string, extra: Record<string, unknown> = {}) =>
    (await gw.data(CreateRegisteredModelDocument, { input: { name, ...extra } })).createRegisteredModel
  const createVersion = async (modelId: string, extra: Record<string, unknown> = {}) =>
    (await gw.data(CreateModelVersionDocument, { input: { modelId, source: 's3://bucket/model', ...extra } })).createModelVersion
  const transition = async (id: string, stage: 'NONE' | 'STAGING' | 'PRODUCTION' | 'ARCHIVED', archiveExisting?: boolean) =>
    (await gw.data(TransitionModelVersionDocument, { id, stage, archiveExisting })).transitionModelVersion
  const stagesOf = async (modelId: string) =>
    Object.fromEntries(
      (await gw.data(ModelVersionsOfModelDocument, { id: modelId })).registeredModel!.versions.nodes.map((version) => [version.version, version.stage]),
    )

  describe('registered models', () => {
    it('creates a model with description and tags and reads it by id, node and list', async () => {
      const model = await createModel('churn', { description: 'churn predictor', tags: [{ key: 'team', value: 'growth' }] })
      expect(model).toMatchObject({ id: 'RegisteredModel:local:churn', nativeId: 'churn', name: 'churn', description: 'churn predictor', aliases: [] })
      expect(model.tags).toEqual([{ key: 'team', value: 'growth' }])
      expect((await gw.data(RegisteredModelDocument, { id: model.id })).registeredModel).toMatchObject({ name: 'churn', latestVersions: [] })
      expect((await gw.data(NodeDocument, { id: model.id })).node).toMatchObject({ __typename: 'RegisteredModel', id: model.id })
      const list = await gw.data(RegisteredModelsDocument, { filter: { name: { value: 'churn' } } })
      expect(list.registeredModels.edges.map((edge) => edge.node.id)).toEqual([model.id])
      expect(list.registeredModels.totalCount).toBe(1)
    })

    it('refuses a duplicate name as CONFLICT and names with "/" or ":" or nothing as BAD_USER_INPUT', async () => {
      await createModel('dup-model')
      const again = await gw.request(CreateRegisteredModelDocument, { input: { name: 'dup-model' } })
      expect(errorCodes(again)).toEqual(['CONFLICT'])
      expect(again.errors?.[0].extensions?.backend).toBe('local')
      for (const name of ['a/b', 'a:b', '   ']) {
        expect(errorCodes(await gw.request(CreateRegisteredModelDocument, { input: { name } }))).toEqual(['BAD_USER_INPUT'])
      }
    })

    it('lists models by name in code-point order and pages through them exactly once', async () => {
      const names = ['pg-b', 'pg-A', 'pg-a', 'pg-_', 'pg-0', 'pg-Z', 'pg-ab']
      for (const name of names) await createModel(name)
      const expected = [...names].sort((a, b) => (a < b ? -1 : 1))
      for (const first of [1, 2, 3, 7]) {
        const seen: string[] = []
        let after: string | null = null
        do {
          const page: Awaited<ReturnType<typeof listPage>> = await listPage(first, after)
          seen.push(...page.edges.map((edge) => edge.node.name))
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : null
        } while (after)
        expect(seen).toEqual(expected)
      }
      async function listPage(first: number, after: string | null) {
        return (await gw.data(RegisteredModelsDocument, { filter: { name: { op: 'LIKE', value: 'pg-%' } }, first, after })).registeredModels
      }
    })

    it('filters models by tag and by case-insensitive pattern', async () => {
      await createModel('Tagged-One', { tags: [{ key: 'domain', value: 'fraud' }] })
      await createModel('tagged-two', { tags: [{ key: 'domain', value: 'ads' }] })
      const byTag = await gw.data(RegisteredModelsDocument, { filter: { tags: [{ key: 'domain', value: 'fraud' }] } })
      expect(byTag.registeredModels.edges.map((edge) => edge.node.name)).toEqual(['Tagged-One'])
      const ilike = await gw.data(RegisteredModelsDocument, { filter: { name: { op: 'ILIKE', value: 'tagged-%' } } })
      expect(ilike.registeredModels.edges.map((edge) => edge.node.name)).toEqual(['Tagged-One', 'tagged-two'])
    })
  })

  describe('model versions', () => {
    it('numbers versions from 1 per model and links the source run and its metrics', async () => {
      const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'registry-exp' } })).createExperiment
      const run = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id, name: 'trainer' } })).createRun
      await gw.data(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'auc', value: 0.91, step: 3 }] })
      const model = await createModel('numbered')
      const other = await createModel('numbered-other')
      const v1 = await createVersion(model.id, { runId: run.id, description: 'first', tags: [{ key: 'git', value: 'abc' }] })
      const v2 = await createVersion(model.id, { runId: run.nativeId })
      const o1 = await createVersion(other.id)
      expect([v1.version, v2.version, o1.version]).toEqual(['1', '2', '1'])
      expect(v1).toMatchObject({
        id: 'ModelVersion:local:numbered/1',
        stage: 'NONE',
        approvalStatus: null,
        promotion: 'NONE',
        status: 'READY',
        runId: run.nativeId,
        description: 'first',
        model: { id: model.id, name: 'numbered' },
        backend: { id: 'local', kind: 'NATIVE' },
      })
      expect(v1.tags).toEqual([{ key: 'git', value: 'abc' }])
      const read = (await gw.data(ModelVersionDocument, { id: v1.id })).modelVersion!
      expect(read.sourceRun).toEqual({ id: run.id, name: 'trainer' })
      expect(read.metrics).toEqual([{ key: 'auc', value: 0.91 }])
      expect(read.package).toBeNull()
      expect((await gw.data(NodeDocument, { id: v2.id })).node).toMatchObject({ __typename: 'ModelVersion', id: v2.id })
    })

    it('gives concurrent registrations distinct consecutive numbers', async () => {
      const model = await createModel('concurrent')
      const versions = await Promise.all(Array.from({ length: 12 }, () => createVersion(model.id)))
      expect(versions.map((version) => Number(version.version)).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    })

    it('refuses a version of a missing model as NOT_FOUND and an empty source as BAD_USER_INPUT', async () => {
      expect(errorCodes(await gw.request(CreateModelVersionDocument, { input: { modelId: 'RegisteredModel:local:missing', source: 'x' } }))).toEqual([
        'NOT_FOUND',
      ])
      const model = await createModel('no-source')
      expect(errorCodes(await gw.request(CreateModelVersionDocument, { input: { modelId: model.id, source: ' ' } }))).toEqual(['BAD_USER_INPUT'])
    })

    it('maps stages to promotion and filters by promotion, stage, run id and tag', async () => {
      const model = await createModel('promo')
      const [v1, v2, v3, v4] = [await createVersion(model.id), await createVersion(model.id, { runId: 'r-42' }), await createVersion(model.id), await createVersion(model.id, { tags: [{ key: 'k', value: 'v' }] })]
      expect((await transition(v1.id, 'ARCHIVED')).promotion).toBe('RETIRED')
      expect((await transition(v2.id, 'STAGING')).promotion).toBe('CANDIDATE')
      expect((await transition(v3.id, 'PRODUCTION')).promotion).toBe('PRODUCTION')
      expect(v4.promotion).toBe('NONE')
      const versionsWhere = async (filter: Record<string, unknown>) =>
        (await gw.data(ModelVersionsDocument, { modelIds: [model.id], filter })).modelVersions.edges.map((edge) => edge.node.version)
      expect(await versionsWhere({ promotion: ['PRODUCTION'] })).toEqual(['3'])
      expect(await versionsWhere({ promotion: ['CANDIDATE', 'RETIRED'] })).toEqual(['2', '1'])
      expect(await versionsWhere({ stage: ['NONE'] })).toEqual(['4'])
      expect(await versionsWhere({ approvalStatus: ['APPROVED'] })).toEqual([])
      expect(await versionsWhere({ runId: 'r-42' })).toEqual(['2'])
      expect(await versionsWhere({ tags: [{ key: 'k', value: 'v' }] })).toEqual(['4'])
      expect(await versionsWhere({})).toEqual(['4', '3', '2', '1'])
      const everywhere = await gw.data(ModelVersionsDocument, { filter: { promotion: ['PRODUCTION'], modelName: { value: 'promo' } } })
      expect(everywhere.modelVersions.totalCount).toBe(1)
      const latest = (await gw.data(RegisteredModelDocument, { id: model.id })).registeredModel!.latestVersions
      expect(latest.map((version) => [version.stage, version.version])).toEqual([
        ['NONE', '4'],
        ['STAGING', '2'],
        ['PRODUCTION', '3'],
        ['ARCHIVED', '1'],
      ])
    })

    it('archives the other versions in the stage with archiveExisting, and only then', async () => {
      const model = await createModel('archiving')
      const [v1, v2, v3] = [await createVersion(model.id), await createVersion(model.id), await createVersion(model.id)]
      await transition(v1.id, 'PRODUCTION')
      await transition(v2.id, 'PRODUCTION')
      expect(await stagesOf(model.id)).toEqual({ '1': 'PRODUCTION', '2': 'PRODUCTION', '3': 'NONE' })
      const promoted = await transition(v3.id, 'PRODUCTION', true)
      expect(promoted.stage).toBe('PRODUCTION')
      expect(await stagesOf(model.id)).toEqual({ '1': 'ARCHIVED', '2': 'ARCHIVED', '3': 'PRODUCTION' })
    })

    it('leaves exactly one version in production when two archiving promotions race', async () => {
      const model = await createModel('racing')
      const versions = await Promise.all([createVersion(model.id), createVersion(model.id), createVersion(model.id), createVersion(model.id)])
      await Promise.all(versions.map((version) => transition(version.id, 'PRODUCTION', true)))
      const stages = Object.values(await stagesOf(model.id))
      expect(stages.filter((stage) => stage === 'PRODUCTION')).toHaveLength(1)
      expect(stages.filter((stage) => stage === 'ARCHIVED')).toHaveLength(3)
    })

    it('refuses an approval on the native registry as UNSUPPORTED naming the backend, changing nothing', async () => {
      const model = await createModel('no-approval')
      const version = await createVersion(model.id)
      const refused = await gw.request(SetModelVersionApprovalDocument, { id: version.id, status: 'APPROVED' })
      expect(errorCodes(refused)).toEqual(['UNSUPPORTED'])
      expect(refused.errors?.[0].extensions?.backend).toBe('local')
      expect((await gw.data(ModelVersionDocument, { id: version.id })).modelVersion).toMatchObject({ approvalStatus: null, promotion: 'NONE' })
    })

    it('sets tags on models and versions through setTags', async () => {
      const model = await createModel('tag-me')
      const version = await createVersion(model.id)
      await gw.data(SetTagsDocument, { id: model.id, tags: [{ key: 'owner', value: 'ml' }] })
      await gw.data(SetTagsDocument, { id: version.id, tags: [{ key: 'validated', value: 'yes' }] })
      expect((await gw.data(RegisteredModelDocument, { id: model.id })).registeredModel!.tags).toEqual([{ key: 'owner', value: 'ml' }])
      expect((await gw.data(ModelVersionDocument, { id: version.id })).modelVersion!.tags).toEqual([{ key: 'validated', value: 'yes' }])
    })
  })

  describe('aliases', () => {
    it('sets, moves and deletes an alias, visible on the model and the version', async () => {
      const model = await createModel('aliased')
      const [v1, v2] = [await createVersion(model.id), await createVersion(model.id)]
      const set = (await gw.data(SetModelAliasDocument, { modelId: model.id, alias: 'champion', versionId: v1.id })).setModelAlias
      expect(set.aliases).toEqual([{ alias: 'champion', versionNumber: '1', version: { id: v1.id } }])
      expect((await gw.data(ModelVersionDocument, { id: v1.id })).modelVersion!.aliases).toEqual(['champion'])
      const moved = (await gw.data(SetModelAliasDocument, { modelId: model.id, alias: 'champion', versionId: v2.id })).setModelAlias
      expect(moved.aliases).toEqual([{ alias: 'champion', versionNumber: '2', version: { id: v2.id } }])
      expect((await gw.data(ModelVersionDocument, { id: v1.id })).modelVersion!.aliases).toEqual([])
      const deleted = (await gw.data(DeleteModelAliasDocument, { modelId: model.id, alias: 'champion' })).deleteModelAlias
      expect(deleted.aliases).toEqual([])
      expect(errorCodes(await gw.request(DeleteModelAliasDocument, { modelId: model.id, alias: 'champion' }))).toEqual(['NOT_FOUND'])
    })

    it("enforces MLflow's alias rules before touching the store", async () => {
      const model = await createModel('alias-rules')
      const version = await createVersion(model.id)
      for (const alias of ['latest', 'LATEST', 'v1', 'V12', 'has space', 'dot.ted', '', 'x'.repeat(256)]) {
        const refused = await gw.request(SetModelAliasDocument, { modelId: model.id, alias, versionId: version.id })
        expect(errorCodes(refused), alias).toEqual(['BAD_USER_INPUT'])
      }
      for (const alias of ['v1beta', 'prod-2', 'x'.repeat(255), 'ünïcode']) {
        await gw.data(SetModelAliasDocument, { modelId: model.id, alias, versionId: version.id })
      }
      expect((await gw.data(RegisteredModelDocument, { id: model.id })).registeredModel!.aliases.map((alias) => alias.alias)).toHaveLength(4)
    })

    it("refuses an alias to another model's version, and to a missing version", async () => {
      const model = await createModel('alias-owner')
      const other = await createModel('alias-other')
      const foreign = await createVersion(other.id)
      expect(errorCodes(await gw.request(SetModelAliasDocument, { modelId: model.id, alias: 'a', versionId: foreign.id }))).toEqual(['BAD_USER_INPUT'])
      expect(errorCodes(await gw.request(SetModelAliasDocument, { modelId: model.id, alias: 'a', versionId: 'ModelVersion:local:alias-owner/9' }))).toEqual([
        'NOT_FOUND',
      ])
    })
  })
})
