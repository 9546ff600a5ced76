import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, LineageDocument } from '../generated/graphql.js'
import { describeMlflow, describeMoto, describePostgres, countedPostgresBackend } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { mlflowApi } from '../support/mlflow-api.js'
import type { PgQueryCounter } from '../support/pg-query-counter.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/**
 * What a lineage walk costs each backend, counted at the peers: an MLflow
 * model with 50 versions, produced by 25 MLflow runs and 25 native runs,
 * each tied to a SageMaker package that names the same run. Walking three
 * levels asks each backend at most 4 calls per level, whatever the fan-out.
 */
describeMlflow('lineage cost per level', (mlflowUrl) => {
  describeMoto('with SageMaker', (motoUrl) => {
    describePostgres('with native on PostgreSQL', () => {
      const suffix = Math.random().toString(36).slice(2, 8)
      const mlflow = mlflowApi(mlflowUrl)
      const sagemaker = sagemakerApi(motoUrl)
      let gw: TestGateway
      let mlflowProxy: HttpProxy
      let motoProxy: HttpProxy
      let postgres: PgQueryCounter
      let modelId: string

      beforeAll(async () => {
        const counted = await countedPostgresBackend()
        postgres = counted.statements
        mlflowProxy = await startHttpProxy(mlflowUrl)
        motoProxy = await startHttpProxy(motoUrl)
        gw = await startTestGateway({
          backends: [counted.backend, { id: 'ml', kind: 'mlflow', url: mlflowProxy.url }, sagemakerBackendConfig(motoProxy.url, 'sm')],
        })

        const nativeExperiment = (await gw.data(CreateExperimentDocument, { input: { name: `cost-${suffix}` } })).createExperiment
        const nativeRuns: string[] = []
        for (let i = 0; i < 25; i += 1) {
          nativeRuns.push((await gw.data(CreateRunDocument, { input: { experimentId: nativeExperiment.id } })).createRun.nativeId)
        }
        const experimentId = await mlflow.createExperiment(`cost-${suffix}`)
        const parent = await mlflow.createRun(experimentId, { name: 'sweep' })
        const mlflowRuns: string[] = []
        for (let i = 0; i < 25; i += 1) mlflowRuns.push(await mlflow.createRun(experimentId, { tags: { 'mlflow.parentRunId': parent } }))
        const group = `cost-${suffix}`
        await sagemaker.createGroup(group)
        const model = `cost-${suffix}`
        await mlflow.post('registered-models/create', { name: model })
        for (const runId of [...mlflowRuns, ...nativeRuns]) {
          const arn = await sagemaker.createPackage(group, { approval: 'Approved', properties: { 'mlflow.run_id': runId } })
          await mlflow.post('model-versions/create', { name: model, source: 's3://bucket/models/cost', run_id: runId, tags: [{ key: 'sagemaker.model_package_arn', value: arn }] })
        }
        modelId = `RegisteredModel:ml:${model}`
      }, 300_000)
      afterAll(async () => {
        await gw?.close()
        await mlflowProxy?.close()
        await motoProxy?.close()
        await postgres?.close()
        sagemaker.close()
      })

      async function callsAt(depth: number) {
        const before = { ml: mlflowProxy.requests.length, sm: motoProxy.requests.length, local: postgres.queries }
        const result = await gw.request(LineageDocument, { id: modelId, depth })
        expect(result.errors).toBeUndefined()
        return {
          graph: result.data!.lineage,
          calls: { ml: mlflowProxy.requests.length - before.ml, sm: motoProxy.requests.length - before.sm, local: postgres.queries - before.local },
        }
      }

      it('walks 3 levels with at most 4 calls per backend per level', async () => {
        await callsAt(3) // warm the pool: connections opened now are not the walk's cost
        const costs = [await callsAt(0), await callsAt(1), await callsAt(2), await callsAt(3)]
        const full = costs[3].graph
        // 1 model, 50 versions, 50 runs, 50 packages, 1 group, 2 experiments, the parent run.
        expect(full.nodes.filter((node) => node.__typename === 'ModelVersion')).toHaveLength(100)
        expect(full.nodes.filter((node) => node.__typename === 'Run')).toHaveLength(51)
        expect(full.nodes.filter((node) => node.__typename === 'Experiment')).toHaveLength(2)
        expect(full.edges.filter((edge) => edge.kind === 'SAME_MODEL')).toHaveLength(50)
        expect(full.edges.filter((edge) => edge.kind === 'PRODUCED_BY')).toHaveLength(100)
        for (let level = 1; level <= 3; level += 1) {
          for (const backend of ['ml', 'sm', 'local'] as const) {
            const calls = costs[level].calls[backend] - costs[level - 1].calls[backend]
            expect(calls, `level ${level}, backend ${backend}: ${JSON.stringify(costs.map((cost) => cost.calls))}`).toBeLessThanOrEqual(4)
          }
        }
      })
    })
  })
})
