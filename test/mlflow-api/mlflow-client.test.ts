import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateRunDocument,
  ExperimentsDocument,
  MetricHistoryDocument,
  MetricUpdatesDocument,
  ModelVersionDocument,
  RegisteredModelDocument,
  RegisteredModelsDocument,
  RunDocument,
  RunLineageFieldsDocument,
  RunsDocument,
} from '../generated/graphql.js'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from '../peers/mlflow.js'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { waitForWatchers } from '../support/live.js'
import { normalizeAnswers, runScientist } from '../support/scientist.js'
import { collectSubscription } from '../support/subscription.js'

/**
 * Stock MLflow clients log straight into mlgate: the data scientist's script
 * (test/mlflow-api/scientist.py, the real `mlflow` package) runs with
 * MLFLOW_TRACKING_URI at a gateway; the test then reads everything back
 * through GraphQL, and compares the REST answers with a real `mlflow server`'s.
 */
describeEachEngine('the MLflow REST API with the real MLflow client', (engine) => {
  let gw: TestGateway
  let uri: string
  let artifactsDir: string
  const names = { experiment: `sweep-${engine}`, model: `doubler-${engine}` }
  let output: Awaited<ReturnType<typeof runScientist>>

  beforeAll(async () => {
    artifactsDir = mkdtempSync(join(tmpdir(), 'mlgate-artifacts-'))
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], mlflowApi: { artifactsDir } })
    uri = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    output = await runScientist(uri, names)
  })
  afterAll(async () => {
    await gw.close()
    rmSync(artifactsDir, { recursive: true, force: true })
  })

  const runsByName = async () => {
    const experiment = (await gw.data(ExperimentsDocument, { filter: { name: { value: names.experiment } } })).experiments.edges[0].node
    const runs = (await gw.data(RunsDocument, { experimentIds: [experiment.id] })).runs.edges.map((edge) => edge.node)
    return { experiment, runs: new Map(runs.map((run) => [run.name, run])) }
  }

  it('lands the experiment, the parent and child runs, their params, tags and metrics', async () => {
    const { experiment, runs } = await runsByName()
    expect(experiment.tags).toContainEqual({ key: 'team', value: 'vision' })
    expect([...runs.keys()].sort()).toEqual(['child-0', 'child-1', 'parent'])

    const parent = (await gw.data(RunDocument, { id: runs.get('parent')!.id })).run!
    expect(parent.nativeId).toBe(output.parent)
    expect(parent.status).toBe('FINISHED')
    expect(parent.params).toEqual(expect.arrayContaining([{ key: 'optimizer', value: 'adam' }, { key: 'epochs', value: '3' }]))
    expect(parent.tags).toEqual(expect.arrayContaining([{ key: 'stage', value: 'sweep' }, { key: 'mlflow.runName', value: 'parent' }]))
    expect(parent.metrics.map((metric) => metric.key).sort()).toEqual(['final_loss', 'sweep_best_loss'])

    for (const [index, name] of ['child-0', 'child-1'].entries()) {
      const child = (await gw.data(RunDocument, { id: runs.get(name)!.id })).run!
      expect(child.parent?.id).toBe(parent.id)
      expect(child.params).toEqual([{ key: 'lr', value: index === 0 ? '0.1' : '0.01' }])
      const loss = (await gw.data(MetricHistoryDocument, { id: child.id, key: 'loss' })).run!.metricHistory
      expect(loss.points.map((point) => [point.step, point.value])).toEqual([0, 1, 2, 3, 4].map((step) => [step, 1 / (step + 1) + index]))
      const gradNorm = (await gw.data(MetricHistoryDocument, { id: child.id, key: 'grad_norm' })).run!.metricHistory
      expect(gradNorm.points.map((point) => point.value)).toEqual([0, 0.5, 'NaN', 1.5, 2])
    }
  })

  it('lands the dataset input, the artifacts and the logged model', async () => {
    const { runs } = await runsByName()
    const parent = (await gw.data(RunLineageFieldsDocument, { id: runs.get('parent')!.id })).run!
    expect(parent.datasets).toEqual([
      { context: 'training', dataset: expect.objectContaining({ name: 'train', sourceType: 's3', source: '{"uri": "s3://datasets/train.csv"}' }) },
    ])
    const experimentId = output.experiment_id
    const runFiles = join(artifactsDir, experimentId, output.parent, 'artifacts')
    expect(readFileSync(join(runFiles, 'notes.txt'), 'utf8')).toBe('learning rate sweep\n')
    expect(readFileSync(join(runFiles, 'reports', 'notes.txt'), 'utf8')).toBe('learning rate sweep\n')
    // log_model uploaded the model's files under its logged model's location.
    const version = output.answers.version as { body: { model_version: { source: string } } }
    const modelId = version.body.model_version.source.replace('models:/', '')
    expect(existsSync(join(artifactsDir, experimentId, 'models', modelId, 'artifacts', 'MLmodel'))).toBe(true)
  })

  it('registers the model version, with its alias, stage, tag and producing run', async () => {
    const models = (await gw.data(RegisteredModelsDocument, { filter: { name: { value: names.model } } })).registeredModels.edges
    expect(models).toHaveLength(1)
    const model = (await gw.data(RegisteredModelDocument, { id: models[0].node.id })).registeredModel!
    expect(model.aliases.map((alias) => [alias.alias, String(alias.versionNumber)])).toEqual([['champion', '1']])
    const version = (await gw.data(ModelVersionDocument, { id: model.aliases[0].version!.id })).modelVersion!
    expect(version.stage).toBe('STAGING')
    expect(version.tags).toContainEqual({ key: 'validated', value: 'true' })
    expect(version.sourceRun?.name).toBe('parent')
    expect(version.runId).toBe(output.parent)
  })

  it('streams the points of a run the script resumes to a subscription opened before the script', async () => {
    const live = { experiment: `${names.experiment}-live`, model: `${names.model}-live` }
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: live.experiment } })).createExperiment
    // An orchestrator creates the run and hands it to the training code in MLFLOW_RUN_ID.
    const run = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun
    const client = createSseClient({ url: `${uri}/graphql`, retryAttempts: 0 })
    const sub = collectSubscription<{ key: string; points: { step: number; value: number }[] }>(
      client.iterate({ query: print(MetricUpdatesDocument), variables: { runIds: [run.id] } }),
      'metricUpdates',
    )
    await waitForWatchers(gw, 'local', 1)
    await runScientist(uri, live, { MLFLOW_RUN_ID: run.nativeId })
    await sub.until((events) => events.some((event) => event.key === 'final_loss'))
    await sub.stop()
    client.dispose()
    const points = sub.events.map((event) => [event.key, event.points.map((point) => [point.step, point.value])])
    expect(points).toEqual([
      ['sweep_best_loss', [[0, 0.2]]],
      ['sweep_best_loss', [[1, 1.2]]],
      ['final_loss', [[0, 0.25]]],
    ])
  })
})

describe('the MLflow REST API against a real mlflow server', () => {
  let gw: TestGateway
  let artifactsDir: string
  let mlflow: MlflowPeer

  beforeAll(async () => {
    artifactsDir = mkdtempSync(join(tmpdir(), 'mlgate-artifacts-'))
    gw = await startTestGateway({ backends: [nativeBackendConfig('pglite')], mlflowApi: { artifactsDir } })
    // An `mlflow server` as teams run it: artifacts proxied through the server (mlflow-artifacts:/ URIs).
    const venv = pythonPeersVenv()
    if (!venv) throw new Error('python3 is needed for a real mlflow server')
    mlflow = await startMlflow(venv, await freePort(), { proxiedArtifacts: true })
  })
  afterAll(async () => {
    await Promise.all([gw.close(), mlflow?.stop()])
    rmSync(artifactsDir, { recursive: true, force: true })
  })

  it('answers the script as MLflow does: searches, histories, registry and errors (ids and times aside)', async () => {
    const mlflowUrl = mlflow.url
    const names = { experiment: `differential-${Date.now()}`, model: `differential-${Date.now()}` }
    const uri = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    const [fromMlflow, fromMlgate] = await Promise.all([runScientist(mlflowUrl, names), runScientist(uri, names)])
    const expected = normalizeAnswers(fromMlflow.answers) as Record<string, unknown>
    const actual = normalizeAnswers(fromMlgate.answers) as Record<string, unknown>
    expect(Object.keys(actual)).toEqual(Object.keys(expected))
    for (const name of Object.keys(expected)) expect({ [name]: actual[name] }).toEqual({ [name]: expected[name] })
  })
})
