import { afterAll, beforeAll, expect, it } from 'vitest'
import { LineageDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/**
 * A lineage level wider than one MLflow request line holds: 400 runs of an
 * experiment, each the source of a registered version. Asking the registry
 * for the versions of all 400 runs in one `run_id IN (...)` made MLflow's
 * server refuse the URL (HTTP 431); the gateway filters such a list itself.
 */
describeMlflow('a wide lineage level on MLflow', (mlflowUrl) => {
  const RUNS = 400
  const suffix = Math.random().toString(36).slice(2, 8)
  const mlflow = mlflowApi(mlflowUrl)
  let gw: TestGateway
  let experimentId: string

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ id: 'ml', kind: 'mlflow', url: mlflowUrl, readOnly: false }] })
    experimentId = await mlflow.createExperiment(`wide-${suffix}`)
    const model = `wide-${suffix}`
    await mlflow.post('registered-models/create', { name: model })
    for (let i = 0; i < RUNS; i++) {
      const runId = await mlflow.createRun(experimentId, { name: `run-${i}` })
      await mlflow.post('model-versions/create', { name: model, source: `s3://bucket/wide/${i}`, run_id: runId })
    }
  }, 300_000)
  afterAll(() => gw?.close())

  it('finds the versions every run of the level produced', async () => {
    const result = await gw.request(LineageDocument, { id: `Experiment:ml:${experimentId}`, depth: 2, direction: 'DOWNSTREAM', maxNodes: 5000 })
    expect(result.errors).toBeUndefined()
    const nodes = result.data?.lineage.nodes ?? []
    expect(nodes.filter((node) => node.__typename === 'Run')).toHaveLength(RUNS)
    expect(nodes.filter((node) => node.__typename === 'ModelVersion')).toHaveLength(RUNS)
    expect(result.data?.lineage.edges.filter((edge) => edge.kind === 'PRODUCED_BY')).toHaveLength(RUNS)
  })
})
