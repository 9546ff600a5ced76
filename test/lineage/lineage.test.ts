import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  CreateRunDocument,
  LineageDocument,
  LogInputsDocument,
  ModelVersionDocument,
  RunLineageFieldsDocument,
} from '../generated/graphql.js'
import { describeMlflow, describeMoto } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/**
 * Lineage across platforms, seeded through each peer's own API: an MLflow
 * parent and child training run with a dataset input and a registered
 * version tagged with a SageMaker package ARN; that package in moto naming
 * the run in its metadata; a native run and version for a second model.
 */
describeMlflow('cross-platform lineage', (mlflowUrl) => {
  describeMoto('with SageMaker', (motoUrl) => {
    const suffix = Math.random().toString(36).slice(2, 8)
    const mlflow = mlflowApi(mlflowUrl)
    const sagemaker = sagemakerApi(motoUrl)
    let gw: TestGateway
    let mlflowDown: TestGateway
    const ids: Record<string, string> = {}

    beforeAll(async () => {
      gw = await startTestGateway({
        backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }, { id: 'ml', kind: 'mlflow', url: mlflowUrl }, sagemakerBackendConfig(motoUrl, 'sm')],
      })
      mlflowDown = await startTestGateway({
        backends: [{ id: 'ml', kind: 'mlflow', url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 }, sagemakerBackendConfig(motoUrl, 'sm')],
      })
      const experimentId = await mlflow.createExperiment(`lineage-${suffix}`)
      const parent = await mlflow.createRun(experimentId, { name: 'sweep' })
      const child = await mlflow.createRun(experimentId, { name: 'train', tags: { 'mlflow.parentRunId': parent } })
      await mlflow.post('runs/log-inputs', {
        run_id: child,
        datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'churn-2026', digest: 'd1g3st', source_type: 's3', source: '{"uri": "s3://data/churn.parquet"}' } }],
      })
      const childRun = await mlflow.get<{ run: { info: { artifact_uri: string } } }>('runs/get', { run_id: child })
      const group = `lineage-${suffix}`
      await sagemaker.createGroup(group)
      const pkg = await sagemaker.createPackage(group, { approval: 'Approved', properties: { 'mlflow.run_id': child } })
      const dangling = await sagemaker.createPackage(group, { properties: { 'mlflow.run_id': 'f'.repeat(32) } })
      const byArtifacts = await sagemaker.createPackage(group, { modelDataUrl: `${childRun.run.info.artifact_uri}/model/model.tar.gz` })
      const modelName = `churn-${suffix}`
      await mlflow.post('registered-models/create', { name: modelName })
      await mlflow.post('model-versions/create', {
        name: modelName,
        source: `${childRun.run.info.artifact_uri}/model`,
        run_id: child,
        tags: [{ key: 'sagemaker.model_package_arn', value: pkg }],
      })
      Object.assign(ids, {
        experiment: `Experiment:ml:${experimentId}`,
        parent: `Run:ml:${parent}`,
        child: `Run:ml:${child}`,
        package: `ModelVersion:sm:${pkg}`,
        dangling: `ModelVersion:sm:${dangling}`,
        byArtifacts: `ModelVersion:sm:${byArtifacts}`,
        group: `RegisteredModel:sm:${group}`,
        mlflowVersion: `ModelVersion:ml:${modelName}/1`,
        mlflowModel: `RegisteredModel:ml:${modelName}`,
        dataset: 'Dataset:ml:d1g3st/churn-2026',
      })

      const nativeExperiment = (await gw.data(CreateExperimentDocument, { input: { name: `native-${suffix}` } })).createExperiment
      const nativeRun = (await gw.data(CreateRunDocument, { input: { experimentId: nativeExperiment.id, name: 'native-train' } })).createRun
      await gw.data(LogInputsDocument, { runId: nativeRun.id, datasets: [{ name: 'clicks', digest: 'c0ffee', source: 's3://data/clicks', context: 'evaluation' }] })
      const nativeModel = (await gw.data(CreateRegisteredModelDocument, { input: { name: `ranker-${suffix}` } })).createRegisteredModel
      const nativeVersion = (await gw.data(CreateModelVersionDocument, { input: { modelId: nativeModel.id, source: 's3://models/ranker', runId: nativeRun.id } })).createModelVersion
      Object.assign(ids, { nativeExperiment: nativeExperiment.id, nativeRun: nativeRun.id, nativeModel: nativeModel.id, nativeVersion: nativeVersion.id })
    })
    afterAll(async () => {
      await gw?.close()
      await mlflowDown?.close()
      sagemaker.close()
    })

    const edgeList = (edges: { from: string; to: string; kind: string; evidence: string }[]) => edges.map((edge) => `${edge.from} ${edge.kind} ${edge.to} [${edge.evidence}]`)

    it('from the SageMaker package: the MLflow run, its parent, experiment and dataset, and the MLflow version', async () => {
      const { lineage } = await gw.data(LineageDocument, { id: ids.package })
      expect(lineage.root.id).toBe(ids.package)
      expect(lineage.truncated).toBe(false)
      expect(lineage.nodes.map((node) => node.id)).toEqual(
        expect.arrayContaining([ids.package, ids.child, ids.parent, ids.experiment, ids.dataset, ids.mlflowVersion, ids.group, ids.mlflowModel]),
      )
      expect(edgeList(lineage.edges)).toEqual(
        expect.arrayContaining([
          `${ids.package} PRODUCED_BY ${ids.child} [CustomerMetadataProperties mlflow.run_id]`,
          `${ids.package} VERSION_OF ${ids.group} [ModelPackageGroupName]`,
          `${ids.mlflowVersion} SAME_MODEL ${ids.package} [tag sagemaker.model_package_arn]`,
          `${ids.child} CHILD_OF ${ids.parent} [tag mlflow.parentRunId]`,
          `${ids.child} IN_EXPERIMENT ${ids.experiment} [experiment_id]`,
          `${ids.child} USED_DATASET ${ids.dataset} [dataset input (context training)]`,
          `${ids.mlflowVersion} PRODUCED_BY ${ids.child} [field run_id]`,
        ]),
      )
      const dataset = lineage.nodes.find((node) => node.id === ids.dataset)
      expect(dataset).toMatchObject({ __typename: 'Dataset', name: 'churn-2026', digest: 'd1g3st', source: '{"uri": "s3://data/churn.parquet"}' })
    })

    it('from the MLflow version: the same links, reaching the SageMaker package', async () => {
      const { lineage } = await gw.data(LineageDocument, { id: ids.mlflowVersion, direction: 'UPSTREAM' })
      expect(edgeList(lineage.edges)).toEqual(
        expect.arrayContaining([
          `${ids.mlflowVersion} SAME_MODEL ${ids.package} [tag sagemaker.model_package_arn]`,
          `${ids.mlflowVersion} PRODUCED_BY ${ids.child} [field run_id]`,
          `${ids.child} CHILD_OF ${ids.parent} [tag mlflow.parentRunId]`,
          `${ids.child} USED_DATASET ${ids.dataset} [dataset input (context training)]`,
        ]),
      )
      // Upstream never walks from the run down to other versions or children.
      expect(lineage.nodes.map((node) => node.id)).not.toContain(ids.dangling)
    })

    it('a dangling mlflow.run_id is an UnresolvedRef, not an error', async () => {
      const result = await gw.request(LineageDocument, { id: ids.dangling, depth: 1 })
      expect(result.errors).toBeUndefined()
      const unresolved = result.data!.lineage.nodes.find((node) => node.__typename === 'UnresolvedRef')
      expect(unresolved).toMatchObject({ uri: `runs:/${'f'.repeat(32)}` })
      expect(edgeList(result.data!.lineage.edges)).toContain(`${ids.dangling} PRODUCED_BY ${unresolved!.id} [CustomerMetadataProperties mlflow.run_id]`)
    })

    it("links a package to the run whose artifact URI holds its ModelDataUrl", async () => {
      const { lineage } = await gw.data(LineageDocument, { id: ids.byArtifacts, depth: 1 })
      expect(edgeList(lineage.edges)).toContain(`${ids.byArtifacts} PRODUCED_BY ${ids.child} [ModelDataUrl under the run's artifact URI]`)
    })

    it('sourceRun and Run.modelVersions cross backends by the same links', async () => {
      expect((await gw.data(ModelVersionDocument, { id: ids.package })).modelVersion!.sourceRun).toMatchObject({ id: ids.child, name: 'train' })
      expect((await gw.data(RunLineageFieldsDocument, { id: ids.child })).run!.modelVersions.map((version) => version.id)).toEqual([ids.mlflowVersion])
    })

    it('native runs, versions and datasets: upstream and downstream', async () => {
      const up = (await gw.data(LineageDocument, { id: ids.nativeVersion, direction: 'UPSTREAM' })).lineage
      expect(edgeList(up.edges).sort()).toEqual(
        [
          `${ids.nativeVersion} PRODUCED_BY ${ids.nativeRun} [field run_id]`,
          `${ids.nativeVersion} VERSION_OF ${ids.nativeModel} [model name]`,
          `${ids.nativeRun} IN_EXPERIMENT ${ids.nativeExperiment} [experiment_id]`,
          `${ids.nativeRun} USED_DATASET Dataset:local:c0ffee/clicks [dataset input (context evaluation)]`,
        ].sort(),
      )
      const down = (await gw.data(LineageDocument, { id: ids.nativeRun, direction: 'DOWNSTREAM' })).lineage
      expect(edgeList(down.edges)).toEqual([`${ids.nativeVersion} PRODUCED_BY ${ids.nativeRun} [field run_id]`])
      const fields = (await gw.data(RunLineageFieldsDocument, { id: ids.nativeRun })).run!
      expect(fields.datasets).toEqual([
        { context: 'evaluation', dataset: { id: 'Dataset:local:c0ffee/clicks', name: 'clicks', digest: 'c0ffee', sourceType: null, source: 's3://data/clicks' } },
      ])
    })

    it('from a registered model: its versions, then what produced them', async () => {
      const { lineage } = await gw.data(LineageDocument, { id: ids.mlflowModel, depth: 2 })
      expect(edgeList(lineage.edges)).toEqual(
        expect.arrayContaining([`${ids.mlflowVersion} VERSION_OF ${ids.mlflowModel} [model name]`, `${ids.mlflowVersion} PRODUCED_BY ${ids.child} [field run_id]`]),
      )
    })

    it('from an experiment: its runs, then what they produced and used', async () => {
      const { lineage } = await gw.data(LineageDocument, { id: ids.experiment, depth: 2 })
      expect(edgeList(lineage.edges)).toEqual(
        expect.arrayContaining([
          `${ids.child} IN_EXPERIMENT ${ids.experiment} [experiment_id]`,
          `${ids.parent} IN_EXPERIMENT ${ids.experiment} [experiment_id]`,
          `${ids.mlflowVersion} PRODUCED_BY ${ids.child} [field run_id]`,
          `${ids.child} USED_DATASET ${ids.dataset} [dataset input (context training)]`,
        ]),
      )
    })

    it('limits depth, and says when maxNodes cut the walk', async () => {
      expect(errorCodes(await gw.request(LineageDocument, { id: ids.package, depth: 11 }))).toEqual(['BAD_USER_INPUT'])
      const cut = (await gw.data(LineageDocument, { id: ids.package, maxNodes: 3 })).lineage
      expect(cut.truncated).toBe(true)
      expect(cut.nodes).toHaveLength(3)
      expect(cut.edges.every((edge) => cut.nodes.some((node) => node.id === edge.to) && cut.nodes.some((node) => node.id === edge.from))).toBe(true)
      expect((await gw.data(LineageDocument, { id: ids.package, depth: 0 })).lineage.nodes.map((node) => node.id)).toEqual([ids.package])
    })

    it('an MLflow server that is down: an UnresolvedRef and one BACKEND_UNAVAILABLE naming it; the rest of the graph is there', async () => {
      const result = await mlflowDown.request(LineageDocument, { id: ids.package, depth: 1 })
      expect(result.data?.lineage.nodes.map((node) => node.id)).toEqual(expect.arrayContaining([ids.package, ids.group]))
      const unresolved = result.data?.lineage.nodes.find((node) => node.__typename === 'UnresolvedRef')
      expect(unresolved).toMatchObject({ uri: `runs:/${ids.child.slice('Run:ml:'.length)}` })
      expect(unresolved && 'reason' in unresolved && unresolved.reason).toContain('ml failed')
      expect(errorCodes(result)).toEqual(['BACKEND_UNAVAILABLE'])
      expect(result.errors?.[0].extensions?.backend).toBe('ml')
    })
  })
})
