import { DescribeModelPackageCommand, ListModelPackagesCommand, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { ConfigInput } from '../../src/config.js'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  LineageDocument,
  ModelVersionDocument,
  PromoteModelVersionDocument,
  RegistrySyncStatusDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { describeMlflow, describeMoto } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1'
const eventually = { timeout: 30_000, interval: 100 }

/** Registry sync from a real MLflow server and the native store into moto's SageMaker Model Registry. */
describeMlflow('registry sync', (mlflowUrl) => {
  describeMoto('into SageMaker', (motoUrl) => {
    const prefix = `sync-${Math.random().toString(36).slice(2, 8)}`
    const mlflow = mlflowApi(mlflowUrl)
    const sagemaker = sagemakerApi(motoUrl)
    let gw: TestGateway
    let experimentId: string

    const config = (sagemakerUrl = motoUrl): ConfigInput => ({
      backends: [
        { id: 'local', kind: 'native', dataDir: 'memory://' },
        { id: 'ml', kind: 'mlflow', url: mlflowUrl, timeoutMs: 30_000, readOnly: false },
        sagemakerBackendConfig(sagemakerUrl, 'sm', { readOnly: false, timeoutMs: 5_000 }),
      ],
      webhooks: { allowedTargets: ['127.0.0.1'] },
      // Scans are started by the tests (scanNow), so each step below is deterministic; the timer is the same scan.
      registrySync: [
        // The MLflow side promotes to production by alias, as MLflow 3 does.
        { name: 'mlflow-to-sm', from: 'ml', to: 'sm', models: `${prefix}-ml-*`, container: { image: IMAGE, environment: { SERVE: 'yes' } }, aliases: { PRODUCTION: 'champion' }, pollMs: 3_600_000 },
        { name: 'native-to-sm', from: 'local', to: 'sm', models: `${prefix}-nat-*`, container: { image: IMAGE }, pollMs: 3_600_000 },
      ],
    })
    const sync = (target = gw) => target.gateway.automation!.sync!
    const settled = async (target = gw) => {
      await sync(target).scanNow()
      await vi.waitFor(async () => {
        const status = (await target.data(RegistrySyncStatusDocument)).registrySyncStatus
        expect(status.map((rule) => rule.pending)).toEqual([0, 0])
      }, eventually)
    }
    const packagesOf = async (group: string) =>
      (await sagemaker.client.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, ModelPackageType: 'Versioned' }))).ModelPackageSummaryList ?? []
    const describe = (arn: string) => sagemaker.client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }))
    const mlflowVersion = async (name: string, version: string) =>
      (await mlflow.get<{ model_version: { current_stage: string; tags?: { key: string; value: string }[] } }>('model-versions/get', { name, version })).model_version

    beforeAll(async () => {
      experimentId = await mlflow.createExperiment(`${prefix}-exp`)
      gw = await startTestGateway(config())
    })
    afterAll(async () => {
      await gw?.close()
      sagemaker.close()
    })

    it('mirrors a version registered on the MLflow server directly as a SageMaker package, tags the source, and lineage joins them', async () => {
      const model = `${prefix}-ml-churn`
      const runId = await mlflow.createRun(experimentId, { name: 'trainer' })
      await mlflow.post('registered-models/create', { name: model })
      await mlflow.post('model-versions/create', { name: model, source: 's3://models/churn/1', run_id: runId })
      await settled()

      const packages = await packagesOf(model)
      expect(packages).toHaveLength(1)
      const pkg = await describe(packages[0].ModelPackageArn!)
      expect(pkg.CustomerMetadataProperties).toEqual({ 'mlflow.run_id': runId, 'mlflow.model_version': '1', 'mlflow.source_backend': 'ml' })
      expect(pkg.InferenceSpecification?.Containers?.[0]).toMatchObject({ Image: IMAGE, ModelDataUrl: 's3://models/churn/1', Environment: { SERVE: 'yes' } })
      expect(pkg.ModelApprovalStatus).toBe('PendingManualApproval')
      const source = await mlflowVersion(model, '1')
      expect(source.tags).toContainEqual({ key: 'sagemaker.model_package_arn', value: pkg.ModelPackageArn })

      // From the package, lineage reaches the MLflow version (SAME_MODEL, by the tag) and its run.
      const lineage = (await gw.data(LineageDocument, { id: `ModelVersion:sm:${pkg.ModelPackageArn}`, depth: 3 })).lineage
      expect(lineage.nodes.map((node) => node.id)).toEqual(expect.arrayContaining([`ModelVersion:ml:${model}/1`, `Run:ml:${runId}`]))
      expect(lineage.edges.some((edge) => edge.kind === 'SAME_MODEL')).toBe(true)

      // A second scan changes nothing: the link is known.
      await settled()
      expect(await packagesOf(model)).toHaveLength(1)
    })

    it('mirrors a native version, and keeps promotions in step both ways', async () => {
      const model = (await gw.data(CreateRegisteredModelDocument, { input: { name: `${prefix}-nat-fraud` } })).createRegisteredModel
      const version = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://models/fraud/1' } })).createModelVersion
      await gw.data(TransitionModelVersionDocument, { id: version.id, stage: 'STAGING' })
      await settled()
      const [summary] = await packagesOf(`${prefix}-nat-fraud`)
      const arn = summary.ModelPackageArn!
      expect((await describe(arn)).CustomerMetadataProperties).toEqual({ 'mlflow.model_version': '1', 'mlflow.source_backend': 'local' })
      expect((await describe(arn)).ModelApprovalStatus).toBe('PendingManualApproval')

      // Approved in SageMaker → the native version goes to Production.
      await sagemaker.client.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved', CustomerMetadataProperties: (await describe(arn)).CustomerMetadataProperties }))
      await settled()
      expect((await gw.data(ModelVersionDocument, { id: version.id })).modelVersion).toMatchObject({ stage: 'PRODUCTION', promotion: 'PRODUCTION' })

      // Retired at the source → the package is Rejected.
      await gw.data(PromoteModelVersionDocument, { id: version.id, to: 'RETIRED' })
      await settled()
      expect((await describe(arn)).ModelApprovalStatus).toBe('Rejected')

      // The MLflow side promotes by alias (the rule's PRODUCTION is `champion`): approving its package points the alias at it on the MLflow server.
      const mlModel = `${prefix}-ml-churn`
      const [mlPackage] = await packagesOf(mlModel)
      await gw.data(PromoteModelVersionDocument, { id: `ModelVersion:sm:${mlPackage.ModelPackageArn}`, to: 'PRODUCTION' })
      await settled()
      const aliases = async () => (await mlflow.get<{ registered_model: { aliases?: { alias: string; version: string }[] } }>('registered-models/get', { name: mlModel })).registered_model.aliases
      expect(await aliases()).toEqual([{ alias: 'champion', version: '1' }])
      expect((await mlflowVersion(mlModel, '1')).current_stage).toBe('None')

      // Moving the alias on the MLflow server to a new version approves its package, and the old one's goes back to pending.
      await mlflow.post('model-versions/create', { name: mlModel, source: 's3://models/churn/2' })
      await settled()
      await mlflow.post('registered-models/alias', { name: mlModel, alias: 'champion', version: '2' })
      await settled()
      const byVersion = new Map(await Promise.all((await packagesOf(mlModel)).map(async (summary) => [(await describe(summary.ModelPackageArn!)).CustomerMetadataProperties?.['mlflow.model_version'], (await describe(summary.ModelPackageArn!)).ModelApprovalStatus] as const)))
      expect(Object.fromEntries(byVersion)).toEqual({ '1': 'PendingManualApproval', '2': 'Approved' })
    })

    it('reports a conflict (both sides changed since the last sync) as an event and in the status, overwriting neither', async () => {
      const receiver = await startWebhookReceiver()
      try {
        await gw.gateway.automation!.webhooks.create(null, { name: 'conflicts', url: receiver.url, events: ['registry_sync.conflict'], description: null, secret: null, status: null })
        const model = `${prefix}-ml-ranker`
        await mlflow.post('registered-models/create', { name: model })
        await mlflow.post('model-versions/create', { name: model, source: 's3://models/ranker/1' })
        await settled()
        const [pkg] = await packagesOf(model)
        // Both sides move before the next sync, to different promotions.
        await mlflow.post('model-versions/transition-stage', { name: model, version: '1', stage: 'Production', archive_existing_versions: false })
        await sagemaker.client.send(new UpdateModelPackageCommand({ ModelPackageArn: pkg.ModelPackageArn, ModelApprovalStatus: 'Rejected', CustomerMetadataProperties: (await describe(pkg.ModelPackageArn!)).CustomerMetadataProperties }))
        await settled()
        expect((await mlflowVersion(model, '1')).current_stage).toBe('Production')
        expect((await describe(pkg.ModelPackageArn!)).ModelApprovalStatus).toBe('Rejected')
        const status = (await gw.data(RegistrySyncStatusDocument)).registrySyncStatus.find((rule) => rule.rule === 'mlflow-to-sm')!
        expect(status.conflicts).toBe(1)
        expect(status.lastSyncedAt).not.toBeNull()
        // /metrics says the same, per rule.
        const port = await gw.gateway.listen(0, '127.0.0.1')
        const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        expect(scraped).toContain('mlgate_registry_sync_conflicts{rule="mlflow-to-sm"} 1')
        expect(scraped).toContain('mlgate_registry_sync_pending{rule="mlflow-to-sm"} 0')
        expect(scraped).toMatch(/mlgate_webhook_delivery_attempts_total\{outcome="delivered"\} [1-9]/)
        await vi.waitFor(() => expect(receiver.ofEvent('registry_sync', 'conflict')).toHaveLength(1), eventually)
        expect(receiver.ofEvent('registry_sync', 'conflict')[0].json.data).toMatchObject({
          rule: 'mlflow-to-sm',
          source: { backend: 'ml', version: `${model}/1`, promotion: 'PRODUCTION' },
          target: { backend: 'sm', promotion: 'RETIRED' },
        })
        // Once the sides agree again, the conflict is gone.
        await mlflow.post('model-versions/transition-stage', { name: model, version: '1', stage: 'Archived', archive_existing_versions: false })
        await settled()
        expect((await gw.data(RegistrySyncStatusDocument)).registrySyncStatus.find((rule) => rule.rule === 'mlflow-to-sm')!.conflicts).toBe(0)
      } finally {
        await receiver.close()
      }
    })

    it('does not create a second package for a version whose earlier attempt stopped after creating it', async () => {
      const model = `${prefix}-ml-interrupted`
      await mlflow.post('registered-models/create', { name: model })
      await mlflow.post('model-versions/create', { name: model, source: 's3://models/interrupted/1' })
      // What a gateway killed between creating the package and tagging the source leaves behind: the package, no tag, no link.
      await sagemaker.createGroup(model)
      const leftBehind = await sagemaker.createPackage(model, { properties: { 'mlflow.model_version': '1', 'mlflow.source_backend': 'ml' } })
      const restarted = await startTestGateway(config())
      try {
        await settled(restarted)
        expect((await packagesOf(model)).map((pkg) => pkg.ModelPackageArn)).toEqual([leftBehind])
        expect((await mlflowVersion(model, '1')).tags).toContainEqual({ key: 'sagemaker.model_package_arn', value: leftBehind })
      } finally {
        await restarted.close()
      }
    })

    it('waits out a SageMaker outage with the step pending and its failure shown, then finishes it', async () => {
      const model = `${prefix}-ml-outage`
      await mlflow.post('registered-models/create', { name: model })
      await mlflow.post('model-versions/create', { name: model, source: 's3://models/outage/1' })
      const down = await startTestGateway(config(`http://127.0.0.1:${await freePort()}`))
      try {
        await sync(down).scanNow()
        await vi.waitFor(async () => {
          const status = (await down.data(RegistrySyncStatusDocument)).registrySyncStatus.find((rule) => rule.rule === 'mlflow-to-sm')!
          expect(status.pending).toBeGreaterThanOrEqual(1)
          expect(status.lastError).toMatch(/sm/)
        }, eventually)
        expect(await packagesOf(model)).toHaveLength(0)
      } finally {
        await down.close()
      }
      await settled()
      expect(await packagesOf(model)).toHaveLength(1)
    })

    it('promotes through one mutation on every registry, in its own terms', async () => {
      const [mlPackage] = await packagesOf(`${prefix}-ml-churn`)
      const onSagemaker = await gw.data(PromoteModelVersionDocument, { id: `ModelVersion:sm:${mlPackage.ModelPackageArn}`, to: 'CANDIDATE' })
      expect(onSagemaker.promoteModelVersion).toMatchObject({ approvalStatus: 'PENDING_MANUAL_APPROVAL', stage: null, promotion: 'CANDIDATE' })
      expect(errorCodes(await gw.request(PromoteModelVersionDocument, { id: `ModelVersion:sm:${mlPackage.ModelPackageArn}`, to: 'NONE' }))).toEqual(['BAD_USER_INPUT'])
      const onMlflow = await gw.data(PromoteModelVersionDocument, { id: `ModelVersion:ml:${prefix}-ml-churn/1`, to: 'CANDIDATE' })
      expect(onMlflow.promoteModelVersion).toMatchObject({ stage: 'STAGING', approvalStatus: null, promotion: 'CANDIDATE' })
      expect(errorCodes(await gw.request(PromoteModelVersionDocument, { id: 'ModelVersion:ml:no-such-model/1', to: 'PRODUCTION' }))).toEqual(['NOT_FOUND'])
    })

    it("tells webhooks of runs and versions made on the MLflow server directly, once each, through the backend's pollers", async () => {
      const receiver = await startWebhookReceiver()
      const watching = await startTestGateway({
        backends: [
          { id: 'local', kind: 'native', dataDir: 'memory://' },
          { id: 'ml', kind: 'mlflow', url: mlflowUrl, timeoutMs: 30_000, poll: { intervalMs: 200 } },
        ],
        webhooks: { allowedTargets: ['127.0.0.1'] },
      })
      try {
        const events = ['run.created', 'run.finished', 'model_version.created', 'model_version.promoted']
        await watching.gateway.automation!.webhooks.create(null, { name: 'outside', url: receiver.url, events, description: null, secret: null, status: null })
        const ml = watching.gateway.backends.get('ml')
        // The watches start (and read where things stand) before the changes are made.
        await vi.waitFor(() => {
          expect(ml.live!.watcherCount()).toBeGreaterThan(0)
          expect(ml.modelEvents!.watcherCount()).toBeGreaterThan(0)
        }, eventually)
        const runId = await mlflow.createRun(experimentId, { name: 'outside-run' })
        await mlflow.post('runs/update', { run_id: runId, status: 'FAILED', end_time: Date.now() })
        const model = `${prefix}-outside`
        await mlflow.post('registered-models/create', { name: model })
        await mlflow.post('model-versions/create', { name: model, source: 's3://models/outside/1', run_id: runId })
        await mlflow.post('model-versions/transition-stage', { name: model, version: '1', stage: 'Staging', archive_existing_versions: false })
        const mine = () => receiver.received.filter((delivery) => delivery.json.data.run_id === runId || delivery.json.data.name === model)
        await vi.waitFor(() => expect(mine().map((delivery) => `${delivery.json.entity}.${delivery.json.action}`).sort()).toEqual([...events].sort()), eventually)
        expect(mine().find((delivery) => delivery.json.action === 'finished')?.json.data).toMatchObject({ run_id: runId, status: 'FAILED', backend: 'ml' })
        expect(mine().find((delivery) => delivery.json.action === 'promoted')?.json.data).toMatchObject({ name: model, version: '1', promotion: 'CANDIDATE', stage: 'STAGING' })
        await new Promise((settle) => setTimeout(settle, 600))
        expect(mine()).toHaveLength(4)
      } finally {
        await watching.close()
        await receiver.close()
      }
    })
  })
})
