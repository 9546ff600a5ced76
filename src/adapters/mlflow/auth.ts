import { Sha256 } from '@aws-crypto/sha256-js'
import { defaultProvider } from '@aws-sdk/credential-provider-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import type { MlflowAuthConfig } from '../../config.js'

/** An outgoing request before authentication. */
export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH'
  url: URL
  headers: Record<string, string>
  body: string | undefined
}

/** Adds credentials to a request; the result is what goes on the wire. */
export type Authenticate = (request: OutgoingRequest) => Promise<OutgoingRequest>

export interface SigV4Options {
  region: string
  trackingServerArn: string
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider
  /** For tests: a fixed signing time. */
  now?: () => Date
}

/** The region of a SageMaker ARN (`arn:aws:sagemaker:<region>:...`). */
export const regionOfArn = (arn: string) => arn.split(':')[3]

/** The endpoint of SageMaker-managed MLflow in a region. */
export const sagemakerMlflowUrl = (region: string) => `https://${region}.experiments.sagemaker.aws`

export function authenticator(auth: MlflowAuthConfig | undefined): Authenticate {
  if (!auth) return async (request) => request
  if ('bearer' in auth) return async (request) => withHeader(request, 'authorization', `Bearer ${auth.bearer}`)
  if ('basic' in auth) {
    const token = Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')
    return async (request) => withHeader(request, 'authorization', `Basic ${token}`)
  }
  return sigv4Authenticator({
    region: auth.sigv4.region ?? regionOfArn(auth.sigv4.trackingServerArn),
    trackingServerArn: auth.sigv4.trackingServerArn,
  })
}

/**
 * AWS Signature V4 for SageMaker-managed MLflow: signing name
 * `sagemaker-mlflow`, the tracking server's ARN in
 * `x-mlflow-sm-tracking-server-arn`, the body's SHA-256 signed too
 * (`x-amz-content-sha256`). Credentials come from the AWS default provider
 * chain unless given.
 */
export function sigv4Authenticator(options: SigV4Options): Authenticate {
  const signer = new SignatureV4({
    service: 'sagemaker-mlflow',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
    applyChecksum: true,
  })
  return async (request) => {
    const unsigned = new HttpRequest({
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      headers: {
        ...request.headers,
        host: request.url.host,
        'x-mlflow-sm-tracking-server-arn': options.trackingServerArn,
      },
      body: request.body,
    })
    const signed = await signer.sign(unsigned, { signingDate: options.now?.() ?? new Date() })
    return { ...request, headers: signed.headers as Record<string, string> }
  }
}

function withHeader(request: OutgoingRequest, name: string, value: string): OutgoingRequest {
  return { ...request, headers: { ...request.headers, [name]: value } }
}
