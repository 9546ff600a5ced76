import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  ModelVersionsDocument,
  RegisteredModelsDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { describeMlflow, describeMoto } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/** One query over the native registry, a real MLflow server and moto's SageMaker. */
describeMlflow('model registry across three backends', (mlflowUrl) => {
  describeMoto('with SageMaker', (motoUrl) => {
    const prefix = `tri-${Math.random().toString(36).slice(2, 8)}`
    const mlflow = mlflowApi(mlflowUrl)
    const sagemaker = sagemakerApi(motoUrl)
    let gw: TestGateway
    let withDeadSagemaker: TestGateway

    beforeAll(async () => {
      gw = await startTestGateway({
        backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }, { id: 'ml', kind: 'mlflow', url: mlflowUrl }, sagemakerBackendConfig(motoUrl, 'sm')],
      })
      const closedPort = await freePort()
      withDeadSagemaker = await startTestGateway({
        backends: [
          { id: 'local', kind: 'native', dataDir: 'memory://' },
          { id: 'ml', kind: 'mlflow', url: mlflowUrl },
          sagemakerBackendConfig(`http://127.0.0.1:${closedPort}`, 'sm', { timeoutMs: 2000 }),
        ],
      })
      for (const target of [gw, withDeadSagemaker]) {
        for (const name of ['churn', 'shared']) {
          const model = (await target.data(CreateRegisteredModelDocument, { input: { name: `${prefix}-${name}` } })).createRegisteredModel
          const version = (await target.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://native' } })).createModelVersion
          await target.data(TransitionModelVersionDocument, { id: version.id, stage: 'PRODUCTION' })
        }
      }
      for (const name of ['ranker', 'shared']) {
        await mlflow.post('registered-models/create', { name: `${prefix}-${name}` })
        await mlflow.post('model-versions/create', { name: `${prefix}-${name}`, source: 's3://bucket/mlflow/model' })
        await mlflow.post('model-versions/create', { name: `${prefix}-${name}`, source: 's3://bucket/mlflow/model' })
        await mlflow.post('model-versions/transition-stage', { name: `${prefix}-${name}`, version: '2', stage: 'Production', archive_existing_versions: false })
      }
      for (const name of ['fraud', 'shared']) {
        await sagemaker.createGroup(`${prefix}-${name}`)
        await sagemaker.createPackage(`${prefix}-${name}`, { approval: 'Approved' })
        await sagemaker.createPackage(`${prefix}-${name}`, { approval: 'PendingManualApproval' })
      }
    })
    afterAll(async () => {
      await gw?.close()
      await withDeadSagemaker?.close()
      sagemaker.close()
    })

    const ours = { name: { op: 'LIKE' as const, value: `${prefix}-%` } }

    it('lists registered models from all three backends in one order, same names side by side by id', async () => {
      const list = await gw.data(RegisteredModelsDocument, { filter: ours })
      expect(list.registeredModels.edges.map((edge) => `${edge.node.backend.id}:${edge.node.name.slice(prefix.length + 1)}`)).toEqual([
        'local:churn',
        'sm:fraud',
        'ml:ranker',
        'local:shared',
        'ml:shared',
        'sm:shared',
      ])
    })

    it('answers "what is in production, everywhere" in one query', async () => {
      const list = await gw.data(ModelVersionsDocument, { filter: { promotion: ['PRODUCTION'], modelName: ours.name } })
      expect(list.modelVersions.edges.map((edge) => `${edge.node.backend.id}:${edge.node.model!.name.slice(prefix.length + 1)}/${edge.node.version}`)).toEqual([
        'local:churn/1',
        'sm:fraud/1',
        'ml:ranker/2',
        'ml:shared/2', // versions of one name sort newest first, whichever backend
        'local:shared/1',
        'sm:shared/1',
      ])
      const candidates = await gw.data(ModelVersionsDocument, { filter: { promotion: ['CANDIDATE'], modelName: ours.name } })
      expect(candidates.modelVersions.edges.map((edge) => `${edge.node.backend.id}:${edge.node.approvalStatus}`)).toEqual([
        'sm:PENDING_MANUAL_APPROVAL',
        'sm:PENDING_MANUAL_APPROVAL',
      ])
    })

    it('pages the merged version list to the end, each version once, at every page size', async () => {
      const everything = await gw.data(ModelVersionsDocument, { filter: { modelName: ours.name }, first: 1000 })
      const expected = everything.modelVersions.edges.map((edge) => edge.node.id)
      expect(expected).toHaveLength(2 + 4 + 4)
      for (const first of [1, 2, 3, 4]) {
        const seen: string[] = []
        let after: string | null = null
        do {
          const page: Awaited<ReturnType<typeof versionsPage>> = await versionsPage(first, after)
          seen.push(...page.edges.map((edge) => edge.node.id))
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : null
        } while (after)
        expect(seen, `page size ${first}`).toEqual(expected)
      }
      async function versionsPage(first: number, after: string | null) {
        return (await gw.data(ModelVersionsDocument, { filter: { modelName: ours.name }, first, after })).modelVersions
      }
    })

    it('a SageMaker endpoint that refuses connections: the others all there, one BACKEND_UNAVAILABLE naming it', async () => {
      const result = await withDeadSagemaker.request(RegisteredModelsDocument, { filter: ours })
      expect(result.data?.registeredModels.edges.map((edge) => `${edge.node.backend.id}:${edge.node.name.slice(prefix.length + 1)}`)).toEqual([
        'local:churn',
        'ml:ranker',
        'local:shared',
        'ml:shared',
      ])
      expect(errorCodes(result)).toEqual(['BACKEND_UNAVAILABLE'])
      expect(result.errors?.[0].extensions?.backend).toBe('sm')
      expect(result.errors?.[0].message).not.toMatch(/testing|127\.0\.0\.1/)
    })
  })
})
