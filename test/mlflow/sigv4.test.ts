import { createHash } from 'node:crypto'
import { type IncomingHttpHeaders, createServer } from 'node:http'
import { Sha256 } from '@aws-crypto/sha256-js'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sigv4Authenticator } from '../../src/adapters/mlflow/auth.js'
import { MlflowClient } from '../../src/adapters/mlflow/client.js'

/**
 * SigV4 for SageMaker-managed MLflow: a signed request is captured on a
 * loopback listener and its signature recomputed with @smithy/signature-v4
 * from the same fixed credentials and clock.
 */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' }
const SIGNING_DATE = new Date('2026-11-22T10:00:00.000Z')
const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/team-a'

interface Captured {
  method: string
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: string
}

describe('SigV4 signing', () => {
  const captured: Captured[] = []
  let baseUrl: string
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const url = new URL(request.url ?? '/', 'http://placeholder')
    captured.push({ method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body: Buffer.concat(chunks).toString() })
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end('{}')
  })
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((done) => server.close(() => done())))

  const client = () =>
    new MlflowClient({
      backendId: 'sm',
      baseUrl,
      timeoutMs: 5000,
      maxConcurrency: 2,
      authenticate: sigv4Authenticator({ region: 'eu-west-1', trackingServerArn: ARN, credentials: CREDENTIALS, now: () => SIGNING_DATE }),
    })

  async function expectedAuthorization(request: Captured): Promise<string> {
    const signer = new SignatureV4({ service: 'sagemaker-mlflow', region: 'eu-west-1', credentials: CREDENTIALS, sha256: Sha256 })
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => !['authorization', 'connection', 'content-length', 'accept-encoding', 'user-agent', 'sec-fetch-mode', 'accept-language'].includes(name))
        .map(([name, value]) => [name, String(value)]),
    )
    const signed = await signer.sign(
      new HttpRequest({ method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: request.path, query: request.query, headers, body: request.body || undefined }),
      { signingDate: SIGNING_DATE },
    )
    return String(signed.headers.authorization)
  }

  it('signs a POST: tracking server ARN header, body hash, and a signature that verifies', async () => {
    await client().post('runs/search', { experiment_ids: ['1'], filter: "params.lr = '0.1'" })
    const request = captured.at(-1)!
    expect(request.path).toBe('/api/2.0/mlflow/runs/search')
    expect(request.headers['x-mlflow-sm-tracking-server-arn']).toBe(ARN)
    expect(request.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(request.body).digest('hex'))
    expect(request.headers['x-amz-security-token']).toBe('session-token')
    expect(request.headers['x-amz-date']).toBe('20261122T100000Z')
    const authorization = String(request.headers.authorization)
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261122\/eu-west-1\/sagemaker-mlflow\/aws4_request, SignedHeaders=[^,]*x-mlflow-sm-tracking-server-arn/)
    expect(authorization).toContain('x-amz-content-sha256')
    expect(authorization).toBe(await expectedAuthorization(request))
  })

  it('signs a GET with its query string', async () => {
    await client().get('metrics/get-history', { run_id: 'abc', metric_key: 'val loss', max_results: 10 })
    const request = captured.at(-1)!
    expect(request.query).toEqual({ run_id: 'abc', metric_key: 'val loss', max_results: '10' })
    expect(String(request.headers.authorization)).toBe(await expectedAuthorization(request))
  })

  it('a changed body no longer matches the signature', async () => {
    await client().post('runs/search', { experiment_ids: ['1'] })
    const request = captured.at(-1)!
    const tampered = { ...request, body: '{"experiment_ids":["2"]}', headers: { ...request.headers, 'x-amz-content-sha256': createHash('sha256').update('{"experiment_ids":["2"]}').digest('hex') } }
    expect(String(request.headers.authorization)).not.toBe(await expectedAuthorization(tampered))
  })
})
