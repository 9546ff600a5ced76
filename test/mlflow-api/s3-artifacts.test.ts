import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { pythonPeersVenv } from '../peers/mlflow.js'
import { describeMoto } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { MOTO_CREDENTIALS, MOTO_REGION } from '../support/sagemaker-api.js'
import { rawHttp } from '../support/raw-http.js'

/**
 * The artifact proxy over S3 (moto's server): files a replica writes are
 * objects every replica reads. The stock MLflow client logs a 100 MB
 * artifact in parts sent straight to the bucket, lists it and downloads it
 * back through mlgate; the proxy's own PUT, GET, list and DELETE; an
 * aborted multipart upload leaves no object.
 */
describeMoto('artifacts on S3', (motoUrl) => {
  const bucket = `mlgate-${Math.random().toString(36).slice(2, 10)}`
  const prefix = 'team/artifacts'
  const s3 = new S3Client({ region: MOTO_REGION, endpoint: motoUrl, forcePathStyle: true, credentials: { ...MOTO_CREDENTIALS } })
  let gw: TestGateway
  let base: string
  let experimentId: string

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    gw = await startTestGateway({
      backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }],
      mlflowApi: { artifacts: { kind: 's3', bucket, prefix, region: MOTO_REGION, endpoint: motoUrl, credentials: { ...MOTO_CREDENTIALS } } },
    })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    const created = await fetch(`${base}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `s3-${bucket}` }) })
    experimentId = ((await created.json()) as { experiment_id: string }).experiment_id
  })
  afterAll(async () => {
    await gw?.close()
    s3.destroy()
  })

  const keys = async (under: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under }))).Contents ?? []).map((object) => object.Key)

  it('writes, reads, lists and deletes through the proxy as objects under the prefix', async () => {
    const proxy = `${base}/api/2.0/mlflow-artifacts/artifacts`
    const path = `${experimentId}/run-a/artifacts/notes/readme.txt`
    expect((await fetch(`${proxy}/${path}`, { method: 'PUT', body: 'kept in S3' })).status).toBe(200)
    expect(await keys(`${prefix}/${experimentId}/`)).toEqual([`${prefix}/${path}`])
    expect(await (await fetch(`${proxy}/${path}`)).text()).toBe('kept in S3')
    const listed = (await (await fetch(`${proxy}?path=${experimentId}/run-a/artifacts`)).json()) as { files: unknown[] }
    expect(listed.files).toEqual([{ path: 'notes', is_dir: true }])
    const inner = (await (await fetch(`${proxy}?path=${experimentId}/run-a/artifacts/notes`)).json()) as { files: unknown[] }
    expect(inner.files).toEqual([{ path: 'readme.txt', is_dir: false, file_size: 10 }])
    expect((await fetch(`${proxy}/${experimentId}/run-a/artifacts/missing.txt`)).status).toBe(404)
    expect((await fetch(`${proxy}/${experimentId}/run-a/artifacts/notes`, { method: 'DELETE' })).status).toBe(200)
    expect(await keys(`${prefix}/${experimentId}/`)).toEqual([])
    // Raw requests: fetch would resolve the dots before sending. Encoded dots reach the store and are refused there (400);
    // literal ones are resolved by URL parsing to a path outside the proxy (404). Neither writes anything.
    const port = Number(new URL(base).port)
    for (const [hostile, status] of [[`${experimentId}/..%2F..%2Fescape.txt`, 400], [`${experimentId}/x%2F..%2F..%2Fescape.txt`, 400], [`${experimentId}/a%5Cb`, 400], [`${experimentId}/%00`, 400], ['../../escape.txt', 404]] as const) {
      const answer = await rawHttp(port, { method: 'PUT', path: `/api/2.0/mlflow-artifacts/artifacts/${hostile}`, body: 'x' })
      expect([hostile, answer.status]).toEqual([hostile, status])
    }
    expect(await keys('')).toEqual([])
  })

  it('takes a 100 MB artifact from the stock MLflow client in parts sent straight to the bucket, and gives it back', async () => {
    const venv = pythonPeersVenv()
    if (!venv) throw new Error('python3 is needed to run the MLflow client')
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-large-artifact-'))
    try {
      const size = 100 * 1024 * 1024
      await promisify(execFile)(join(venv, 'bin', 'python'), [resolve('test/mlflow-api/large-artifact.py'), `s3-${bucket}`, String(size), join(dir, 'out.json')], {
        cwd: dir,
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: base,
          MLFLOW_DISABLE_TELEMETRY: 'true',
          MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: 'true',
          MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE: String(10 * 1024 * 1024),
          MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE: String(10 * 1024 * 1024),
        },
        timeout: 240_000,
      }).catch((error: Error & { stderr?: string }) => {
        throw new Error(`large-artifact.py failed: ${error.message}\n${error.stderr?.slice(-3000) ?? ''}`)
      })
      const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { run_id: string; artifact_uri: string; listed: [string, boolean, number][]; sent: string; received: string }
      expect(out.received).toBe(out.sent)
      expect(out.listed).toEqual([['model/weights.bin', false, size]])
      const key = `${prefix}/${out.artifact_uri.replace(/^mlflow-artifacts:\/+/, '')}/model/weights.bin`
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      expect(head.ContentLength).toBe(size)
      // An object S3 assembled from 10 parts: its ETag says so.
      expect(head.ETag).toMatch(/-10"$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 300_000)

  it('leaves no object and no open upload when a multipart upload is aborted', async () => {
    const directory = `${experimentId}/run-b/artifacts`
    const mpu = `${base}/api/2.0/mlflow-artifacts/mpu`
    const post = (step: string, body: object) => fetch(`${mpu}/${step}/${directory}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const created = (await (await post('create', { path: '/home/me/big.bin', num_parts: 3 })).json()) as { upload_id: string; credentials: { part_number: number; url: string }[] }
    expect(created.credentials.map((credential) => credential.part_number)).toEqual([1, 2, 3])
    const part = await fetch(created.credentials[0].url, { method: 'PUT', body: Buffer.alloc(5 * 1024 * 1024, 1) })
    expect(part.status).toBe(200)
    expect((await post('abort', { path: '/home/me/big.bin', upload_id: created.upload_id })).status).toBe(200)
    expect(await keys(`${prefix}/${directory}/`)).toEqual([])
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([])
    // Completing what was aborted is refused in MLflow's error body, and still writes nothing. (S3 answers
    // NoSuchUpload, which is RESOURCE_DOES_NOT_EXIST; moto answers an HTML 500, which is TEMPORARILY_UNAVAILABLE.)
    const late = await post('complete', { path: '/home/me/big.bin', upload_id: created.upload_id, parts: [{ part_number: 1, etag: part.headers.get('etag') }] })
    const lateBody = (await late.json()) as { error_code: string; message: string }
    expect([[404, 'RESOURCE_DOES_NOT_EXIST'], [503, 'TEMPORARILY_UNAVAILABLE']]).toContainEqual([late.status, lateBody.error_code])
    expect(lateBody.message).not.toMatch(/<html|at \w+ \(/)
    expect(await keys(`${prefix}/${directory}/`)).toEqual([])
    // A bad request is refused before S3 is asked.
    expect((await post('create', { path: 'x.bin', num_parts: 0 })).status).toBe(400)
  })
})
