import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/** The MLflow API's edges, through plain HTTP: errors, atomic batches, paging, renames and deletes. */
describeEachEngine('the MLflow REST API', (engine) => {
  let gw: TestGateway
  let base: string
  let artifactsDir: string

  beforeAll(async () => {
    artifactsDir = mkdtempSync(join(tmpdir(), 'mlgate-artifacts-'))
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], mlflowApi: { artifactsDir } })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  })
  afterAll(async () => {
    await gw.close()
    rmSync(artifactsDir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, prefix?: string) => mlflowApi(base).request(method, path, body, prefix)
  const ok = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => {
    const answer = await call(method, path, body)
    expect(answer, `${method} ${path}`).toMatchObject({ status: 200 })
    return answer.body
  }
  const newExperiment = async (name: string) => (await ok('POST', 'experiments/create', { name })).experiment_id as string
  const newRun = async (experimentId: string, runName?: string) =>
    ((await ok('POST', 'runs/create', { experiment_id: experimentId, run_name: runName, start_time: Date.now() })).run as { info: { run_id: string } }).info.run_id

  it('answers mistakes in MLflow error bodies and statuses', async () => {
    expect(await call('GET', 'runs/get', { run_id: 'f'.repeat(32) })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', sqlstate: 'KAM00', error_class: 'RESOURCE_NOT_FOUND' },
    })
    expect(await call('GET', 'experiments/get', {})).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'experiment_id'. See the API docs for more information about request parameters." } })
    expect(await call('POST', 'runs/no-such-thing', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } })
    expect(await call('POST', 'experiments/create', '{"name": ')).toMatchObject({ status: 400, body: { error_code: 'MALFORMED_REQUEST' } })
    const id = await newExperiment('taken')
    expect(await call('POST', 'experiments/create', { name: 'taken' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } })
    expect(await call('POST', 'runs/search', { experiment_ids: [id], filter: 'metrics.acc >' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    // The UI's prefix answers the same.
    expect(await call('GET', 'experiments/get', { experiment_id: id }, '/ajax-api/2.0/mlflow/')).toMatchObject({ status: 200, body: { experiment: { name: 'taken' } } })
  })

  it('applies a log-batch whole or not at all', async () => {
    const runId = await newRun(await newExperiment('atomic'))
    await ok('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.1' }] })
    const refused = await call('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'loss', value: 1, timestamp: Date.now(), step: 0 }],
      params: [{ key: 'lr', value: '0.2' }],
      tags: [{ key: 'note', value: 'x' }],
    })
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    const tooMany = await call('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 1001 }, (_, step) => ({ key: 'loss', value: step, timestamp: Date.now(), step })),
    })
    expect(tooMany).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    const run = (await ok('GET', 'runs/get', { run_id: runId })).run as { data: { metrics?: unknown[]; params?: unknown[]; tags?: { key: string }[] } }
    expect(run.data.metrics).toBeUndefined()
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }])
    expect(run.data.tags?.map((tag) => tag.key)).not.toContain('note')
    expect((await ok('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' })).metrics).toBeUndefined()
  })

  it('refuses points linked to a logged model that does not exist, writing none of the call', async () => {
    const runId = await newRun(await newExperiment('linked-missing'))
    const refused = await call('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'loss', value: 1, timestamp: 1, step: 0 },
        { key: 'acc', value: 0.5, timestamp: 1, step: 0, model_id: `m-${'0'.repeat(32)}`, dataset_name: 'eval', dataset_digest: 'e1' },
      ],
      params: [{ key: 'lr', value: '0.1' }],
    })
    expect(refused).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } })
    const run = (await ok('GET', 'runs/get', { run_id: runId })).run as { data: { metrics?: unknown[]; params?: unknown[] } }
    expect(run.data.metrics).toBeUndefined()
    expect(run.data.params).toBeUndefined()
  })

  it('pages run searches with filters and orders, and histories by page token', async () => {
    const experimentId = await newExperiment('paging')
    const runIds: string[] = []
    for (let index = 0; index < 25; index++) {
      const runId = await newRun(experimentId, `run-${String(index).padStart(2, '0')}`)
      runIds.push(runId)
      await ok('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: index / 100, timestamp: Date.now(), step: 0 })
    }
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.acc >= 0.05', order_by: ['metrics.acc DESC'], max_results: 7, page_token: token })
      seen.push(...(page.runs as { info: { run_name: string } }[]).map((run) => run.info.run_name))
      token = page.next_page_token as string | undefined
    } while (token)
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `run-${String(24 - i).padStart(2, '0')}`))

    const runId = runIds[0]
    await ok('POST', 'runs/log-batch', { run_id: runId, metrics: Array.from({ length: 5 }, (_, step) => ({ key: 'loss', value: step, timestamp: 1000 + step, step })) })
    const first = await ok('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 3 })
    const second = await ok('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 3, page_token: first.next_page_token })
    expect([...(first.metrics as { step: number }[]), ...(second.metrics as { step: number }[])].map((metric) => metric.step)).toEqual([0, 1, 2, 3, 4])
    expect(second.next_page_token).toBeUndefined()
  })

  it('samples histories of several runs at shared steps (get-history-bulk-interval)', async () => {
    const experimentId = await newExperiment('bulk')
    const runs = [await newRun(experimentId), await newRun(experimentId)]
    for (const runId of runs) {
      await ok('POST', 'runs/log-batch', { run_id: runId, metrics: Array.from({ length: 100 }, (_, step) => ({ key: 'loss', value: step, timestamp: 1, step })) })
    }
    const url = new URL(`${base}/api/2.0/mlflow/metrics/get-history-bulk-interval`)
    for (const runId of runs) url.searchParams.append('run_ids', runId)
    url.searchParams.set('metric_key', 'loss')
    url.searchParams.set('max_results', '10')
    const { metrics } = (await (await fetch(url)).json()) as { metrics: { run_id: string; step: number }[] }
    for (const runId of runs) {
      const steps = metrics.filter((metric) => metric.run_id === runId).map((metric) => metric.step)
      expect(steps).toHaveLength(10)
      expect(steps[0]).toBe(0)
      expect(steps.at(-1)).toBe(99)
    }
  })

  it('renames, deletes and restores experiments, with their runs', async () => {
    const experimentId = await newExperiment('before')
    const runId = await newRun(experimentId)
    await ok('POST', 'experiments/update', { experiment_id: experimentId, new_name: 'after' })
    expect(((await ok('GET', 'experiments/get-by-name', { experiment_name: 'after' })).experiment as { experiment_id: string }).experiment_id).toBe(experimentId)
    await ok('POST', 'experiments/delete', { experiment_id: experimentId })
    expect(((await ok('GET', 'runs/get', { run_id: runId })).run as { info: { lifecycle_stage: string } }).info.lifecycle_stage).toBe('deleted')
    const deleted = await ok('POST', 'experiments/search', { view_type: 'DELETED_ONLY', filter: "name = 'after'" })
    expect(deleted.experiments).toHaveLength(1)
    await ok('POST', 'experiments/restore', { experiment_id: experimentId })
    expect(((await ok('GET', 'runs/get', { run_id: runId })).run as { info: { lifecycle_stage: string } }).info.lifecycle_stage).toBe('active')
    await ok('POST', 'runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: 'renamed' })
    expect(((await ok('GET', 'runs/get', { run_id: runId })).run as { info: { run_name: string } }).info.run_name).toBe('renamed')
    await ok('POST', 'runs/delete-tag', { run_id: runId, key: 'mlflow.runName' })
    expect(await call('POST', 'runs/delete-tag', { run_id: runId, key: 'mlflow.runName' })).toMatchObject({ status: 404 })
  })

  it('renames and deletes registered models and versions', async () => {
    await ok('POST', 'registered-models/create', { name: 'churn', description: 'v1' })
    expect(await call('POST', 'model-versions/create', { name: 'no-such-model', source: 's3://x/model' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } })
    for (let i = 0; i < 2; i++) await ok('POST', 'model-versions/create', { name: 'churn', source: `s3://models/churn/${i}` })
    await ok('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: '2' })
    await ok('POST', 'model-versions/set-tag', { name: 'churn', version: '1', key: 'k', value: 'v' })
    await ok('POST', 'registered-models/rename', { name: 'churn', new_name: 'churn-v2' })
    const byAlias = (await ok('GET', 'registered-models/alias', { name: 'churn-v2', alias: 'prod' })).model_version as { version: string; source: string }
    expect(byAlias).toMatchObject({ version: '2', source: 's3://models/churn/1' })
    expect(await call('GET', 'registered-models/get', { name: 'churn' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } })
    const updated = await ok('PATCH', 'model-versions/update', { name: 'churn-v2', version: '1', description: 'first' })
    expect(updated.model_version).toMatchObject({ description: 'first', tags: [{ key: 'k', value: 'v' }] })
    await ok('DELETE', 'model-versions/delete-tag', { name: 'churn-v2', version: '1', key: 'k' })
    await ok('DELETE', 'model-versions/delete', { name: 'churn-v2', version: '1' })
    const versions = (await ok('GET', 'model-versions/search', { filter: "name = 'churn-v2'" })).model_versions as { version: string }[]
    expect(versions.map((version) => version.version)).toEqual(['2'])
    await ok('DELETE', 'registered-models/delete', { name: 'churn-v2' })
    expect((await ok('GET', 'registered-models/search', { filter: "name LIKE 'churn%'" })).registered_models).toBeUndefined()
  })

  it('stores artifacts under its directory and refuses paths that leave it', async () => {
    const artifacts = `${base}/api/2.0/mlflow-artifacts/artifacts`
    expect((await fetch(`${artifacts}/1/run/artifacts/a.txt`, { method: 'PUT', body: 'hello' })).status).toBe(200)
    expect(await (await fetch(`${artifacts}/1/run/artifacts/a.txt`)).text()).toBe('hello')
    expect(await (await fetch(`${artifacts}?path=1/run/artifacts`)).json()).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 5 }] })
    // Two levels up from `1/` is the artifacts directory's parent, where the test looks for the file.
    const escape = await fetch(`${artifacts}/1/..%2F..%2Fescaped-${process.pid}.txt`, { method: 'PUT', body: 'x' })
    expect(escape.status).toBe(400)
    expect(readdirSync(join(artifactsDir, '..'))).not.toContain(`escaped-${process.pid}.txt`)
    expect((await fetch(`${artifacts}/1/run/artifacts/missing.txt`)).status).toBe(404)
    // Parts straight to storage need S3: on local files MLflow's own refusal, which tells its client to upload in one piece.
    const multipart = await fetch(`${base}/api/2.0/mlflow-artifacts/mpu/create/1/run/artifacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'big.bin', num_parts: 2 }) })
    expect([multipart.status, await multipart.json()]).toEqual([501, { error_code: 'NOT_IMPLEMENTED', message: 'Multipart upload is not supported for the current artifact repository' }])
  })
})
