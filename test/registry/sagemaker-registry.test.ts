import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
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
import { describeMoto } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/** The SageMaker adapter against moto's server, seeded through the AWS SDK. */
describeMoto('SageMaker model registry', (motoUrl) => {
  const api = sagemakerApi(motoUrl)
  const prefix = `sm-${Math.random().toString(36).slice(2, 8)}`
  const group = (name: string) => `${prefix}-${name}`
  let gw: TestGateway
  let readOnly: TestGateway
  const arns: Record<string, string> = {}

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [sagemakerBackendConfig(motoUrl, 'sm', { readOnly: false })] })
    readOnly = await startTestGateway({ backends: [sagemakerBackendConfig(motoUrl, 'sm')] })
    await api.createGroup(group('fraud'), 'fraud detector')
    await api.createGroup(group('Ads'))
    await api.createGroup(group('many'))
    arns.pending = await api.createPackage(group('fraud'), { properties: { 'mlflow.run_id': 'abc123', team: 'risk' }, commitId: 'c0ffee', description: 'first' })
    arns.approved = await api.createPackage(group('fraud'), { approval: 'Approved', properties: { team: 'risk' } })
    arns.rejected = await api.createPackage(group('fraud'), { approval: 'Rejected' })
    arns.ads = await api.createPackage(group('Ads'), { approval: 'Approved' })
    for (let i = 0; i < 130; i += 1) await api.createPackage(group('many'))
  })
  afterAll(async () => {
    await gw?.close()
    await readOnly?.close()
    api.close()
  })

  const modelId = (name: string) => `RegisteredModel:sm:${group(name)}`
  const versionId = (arn: string) => `ModelVersion:sm:${arn}`

  it('lists model package groups as registered models, by name', async () => {
    const list = await gw.data(RegisteredModelsDocument, { filter: { name: { op: 'LIKE', value: `${prefix}-%` } } })
    expect(list.registeredModels.edges.map((edge) => edge.node.name)).toEqual([group('Ads'), group('fraud'), group('many')])
    expect(list.registeredModels.totalCount).toBeNull()
    const model = (await gw.data(RegisteredModelDocument, { id: modelId('fraud') })).registeredModel!
    expect(model).toMatchObject({ name: group('fraud'), nativeId: group('fraud'), description: 'fraud detector', aliases: [], backend: { id: 'sm', kind: 'SAGEMAKER' } })
    expect(model.latestVersions.map((version) => [version.approvalStatus, version.version])).toEqual([
      ['PENDING_MANUAL_APPROVAL', '1'],
      ['APPROVED', '2'],
      ['REJECTED', '3'],
    ])
  })

  it('reads a package as a model version with its metadata, containers and metric reports', async () => {
    const version = (await gw.data(ModelVersionDocument, { id: versionId(arns.pending) })).modelVersion!
    expect(version).toMatchObject({
      id: versionId(arns.pending),
      nativeId: arns.pending,
      version: '1',
      stage: null,
      approvalStatus: 'PENDING_MANUAL_APPROVAL',
      promotion: 'CANDIDATE',
      status: 'Completed',
      source: `s3://models/${group('fraud')}/model.tar.gz`,
      runId: 'abc123',
      description: 'first',
      aliases: [],
      model: { id: modelId('fraud'), name: group('fraud') },
      sourceRun: null,
    })
    expect(version.tags).toEqual([
      { key: 'mlflow.run_id', value: 'abc123' },
      { key: 'team', value: 'risk' },
    ])
    expect(version.package).toEqual({
      commitId: 'c0ffee',
      repository: 'git@example.com:ml/train.git',
      generatedBy: null,
      projectId: null,
      containers: [{ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', modelDataUrl: `s3://models/${group('fraud')}/model.tar.gz` }],
      modelMetrics: [{ kind: 'ModelQuality.Statistics', contentType: 'application/json', s3Uri: `s3://reports/${group('fraud')}/statistics.json` }],
    })
    // ARNs hold colons: the global id still round-trips through node().
    expect((await gw.data(NodeDocument, { id: versionId(arns.approved) })).node).toMatchObject({ __typename: 'ModelVersion', id: versionId(arns.approved) })
  })

  it('maps approval statuses to promotion and filters by promotion, approval, tag and model name', async () => {
    const list = async (filter: Record<string, unknown>) =>
      (await gw.data(ModelVersionsDocument, { modelIds: [modelId('fraud'), modelId('Ads')], filter })).modelVersions.edges.map(
        (edge) => `${edge.node.model!.name.slice(prefix.length + 1)}/${edge.node.version}:${edge.node.promotion}`,
      )
    expect(await list({})).toEqual(['Ads/1:PRODUCTION', 'fraud/3:RETIRED', 'fraud/2:PRODUCTION', 'fraud/1:CANDIDATE'])
    expect(await list({ promotion: ['PRODUCTION'] })).toEqual(['Ads/1:PRODUCTION', 'fraud/2:PRODUCTION'])
    expect(await list({ promotion: ['CANDIDATE', 'RETIRED'] })).toEqual(['fraud/3:RETIRED', 'fraud/1:CANDIDATE'])
    expect(await list({ promotion: ['NONE'] })).toEqual([])
    expect(await list({ approvalStatus: ['REJECTED'] })).toEqual(['fraud/3:RETIRED'])
    expect(await list({ stage: ['PRODUCTION'] })).toEqual([])
    expect(await list({ tags: [{ key: 'team', value: 'risk' }] })).toEqual(['fraud/2:PRODUCTION', 'fraud/1:CANDIDATE'])
    expect(await list({ modelName: { value: group('Ads') } })).toEqual(['Ads/1:PRODUCTION'])
    expect(await list({ runId: 'abc123' })).toEqual(['fraud/1:CANDIDATE'])
  })

  it('pages past 100 packages of one group, every version once, newest first, at several page sizes', async () => {
    const expected = Array.from({ length: 130 }, (_, i) => String(130 - i))
    for (const first of [1000, 100, 37, 7]) {
      const seen: string[] = []
      let after: string | null = null
      let pages = 0
      do {
        const page: Awaited<ReturnType<typeof versionsPage>> = await versionsPage(first, after)
        seen.push(...page.nodes.map((version) => version.version))
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : null
        pages += 1
      } while (after && pages < 100)
      expect(seen, `page size ${first}`).toEqual(expected)
    }
    async function versionsPage(first: number, after: string | null) {
      return (await gw.data(ModelVersionsOfModelDocument, { id: modelId('many'), first, after })).registeredModel!.versions
    }
  })

  it('changes approval with UpdateModelPackage and keeps the package metadata', async () => {
    const approved = (await gw.data(SetModelVersionApprovalDocument, { id: versionId(arns.pending), status: 'APPROVED', description: 'passed review' }))
      .setModelVersionApproval
    expect(approved).toMatchObject({ approvalStatus: 'APPROVED', promotion: 'PRODUCTION' })
    let atSagemaker = await api.describePackage(arns.pending)
    expect(atSagemaker.ModelApprovalStatus).toBe('Approved')
    expect(atSagemaker.ApprovalDescription).toBe('passed review')
    expect(atSagemaker.CustomerMetadataProperties).toEqual({ 'mlflow.run_id': 'abc123', team: 'risk' })

    // Tags are CustomerMetadataProperties: setting one keeps the others and the approval.
    await gw.data(SetTagsDocument, { id: versionId(arns.pending), tags: [{ key: 'reviewed', value: 'yes' }] })
    atSagemaker = await api.describePackage(arns.pending)
    expect(atSagemaker.CustomerMetadataProperties).toEqual({ 'mlflow.run_id': 'abc123', team: 'risk', reviewed: 'yes' })
    expect(atSagemaker.ModelApprovalStatus).toBe('Approved')

    const rejected = (await gw.data(SetModelVersionApprovalDocument, { id: versionId(arns.pending), status: 'REJECTED' })).setModelVersionApproval
    expect(rejected).toMatchObject({ approvalStatus: 'REJECTED', promotion: 'RETIRED' })
    expect((await api.describePackage(arns.pending)).CustomerMetadataProperties).toEqual({ 'mlflow.run_id': 'abc123', team: 'risk', reviewed: 'yes' })
  })

  it('refuses what SageMaker cannot do as UNSUPPORTED naming the backend', async () => {
    const refusals = [
      await gw.request(TransitionModelVersionDocument, { id: versionId(arns.ads), stage: 'PRODUCTION' }),
      await gw.request(SetModelAliasDocument, { modelId: modelId('Ads'), alias: 'champion', versionId: versionId(arns.ads) }),
      await gw.request(CreateModelVersionDocument, { input: { modelId: modelId('Ads'), source: 's3://x' } }),
      await readOnly.request(SetModelVersionApprovalDocument, { id: versionId(arns.ads), status: 'REJECTED' }),
    ]
    for (const refused of refusals) {
      expect(errorCodes(refused)).toEqual(['UNSUPPORTED'])
      expect(refused.errors?.[0].extensions?.backend).toBe('sm')
    }
    expect((await api.describePackage(arns.ads)).ModelApprovalStatus).toBe('Approved')
  })

  it('creates a model package group', async () => {
    const created = (await gw.data(CreateRegisteredModelDocument, { input: { name: group('new'), backend: 'sm', description: 'made by mlgate' } })).createRegisteredModel
    expect(created).toMatchObject({ id: modelId('new'), description: 'made by mlgate' })
  })

  it('answers null for a missing package or group', async () => {
    expect((await gw.data(RegisteredModelDocument, { id: modelId('missing') })).registeredModel).toBeNull()
    expect((await gw.data(ModelVersionDocument, { id: versionId(`${arns.ads.slice(0, -2)}/99`) })).modelVersion).toBeNull()
  })
})
