import {
  CreateModelPackageCommand,
  type CreateModelPackageCommandInput,
  CreateModelPackageGroupCommand,
  type CreateModelPackageGroupCommandInput,
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  DescribeModelPackageGroupCommand,
  type DescribeModelPackageGroupCommandOutput,
  ListModelPackageGroupsCommand,
  type ListModelPackageGroupsCommandInput,
  type ListModelPackageGroupsCommandOutput,
  ListModelPackagesCommand,
  type ListModelPackagesCommandInput,
  type ListModelPackagesCommandOutput,
  SageMakerClient,
  SearchCommand,
  type SearchCommandOutput,
  UpdateModelPackageCommand,
  type UpdateModelPackageCommandInput,
} from '@aws-sdk/client-sagemaker'
import type { SagemakerBackendConfig } from '../../config.js'
import { GatewayError } from '../../errors.js'
import { ReadCache } from '../read-cache.js'
import { Semaphore } from '../../semaphore.js'
import type { UpstreamObserver } from '../../telemetry/metrics.js'

/**
 * The wire to SageMaker's API: the AWS SDK with adaptive retries (it slows
 * down when throttled), at most `maxConcurrency` calls in flight, and one
 * deadline per call, retries included. SDK errors become gateway codes
 * naming the backend; messages never carry credentials or signatures.
 */
export class SagemakerClient {
  private readonly sdk: SageMakerClient
  private readonly concurrency: Semaphore
  private readonly cache: ReadCache

  constructor(
    private readonly config: SagemakerBackendConfig,
    /** Told of every command sent (for /metrics): its name, seconds (SDK retries included) and error (null: none). */
    observe: UpstreamObserver = () => {},
  ) {
    this.sdk = new SageMakerClient({
      region: config.region,
      endpoint: config.endpoint,
      // A copy: the SDK annotates the credentials object it is given.
      credentials: config.credentials && { ...config.credentials },
      retryMode: 'adaptive',
      maxAttempts: 3,
    })
    this.concurrency = new Semaphore(config.maxConcurrency)
    this.cache = new ReadCache(config.cacheTtlMs)
    this.sdk.middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now()
        const call = context.commandName?.replace(/Command$/, '') ?? 'unknown'
        try {
          const output = await next(args)
          observe(call, (performance.now() - started) / 1000, null)
          return output
        } catch (error) {
          observe(call, (performance.now() - started) / 1000, toGatewayError(error, config.id))
          throw error
        }
      },
      { step: 'initialize', name: 'mlgateMetrics' },
    )
  }

  listModelPackageGroups(input: ListModelPackageGroupsCommandInput): Promise<ListModelPackageGroupsCommandOutput> {
    return this.read('ListModelPackageGroups', input, (abortSignal) => this.sdk.send(new ListModelPackageGroupsCommand(input), { abortSignal }))
  }

  describeModelPackageGroup(name: string): Promise<DescribeModelPackageGroupCommandOutput> {
    return this.read('DescribeModelPackageGroup', name, (abortSignal) =>
      this.sdk.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }), { abortSignal }),
    )
  }

  listModelPackages(input: ListModelPackagesCommandInput): Promise<ListModelPackagesCommandOutput> {
    return this.read('ListModelPackages', input, (abortSignal) => this.sdk.send(new ListModelPackagesCommand(input), { abortSignal }))
  }

  describeModelPackage(arn: string): Promise<DescribeModelPackageCommandOutput> {
    return this.read('DescribeModelPackage', arn, (abortSignal) => this.sdk.send(new DescribeModelPackageCommand({ ModelPackageName: arn }), { abortSignal }))
  }

  /** Full package records of one group, a page at a time (SageMaker's Search; moto answers in one page). */
  searchModelPackages(group: string, nextToken: string | undefined): Promise<SearchCommandOutput> {
    return this.read('Search', [group, nextToken], (abortSignal) =>
      this.sdk.send(
        new SearchCommand({
          Resource: 'ModelPackage',
          SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: group }] },
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 100,
          NextToken: nextToken,
        }),
        { abortSignal },
      ),
    )
  }

  async updateModelPackage(input: UpdateModelPackageCommandInput): Promise<void> {
    this.cache.clear()
    await this.call((abortSignal) => this.sdk.send(new UpdateModelPackageCommand(input), { abortSignal }))
  }

  async createModelPackageGroup(input: CreateModelPackageGroupCommandInput): Promise<void> {
    this.cache.clear()
    await this.call((abortSignal) => this.sdk.send(new CreateModelPackageGroupCommand(input), { abortSignal }))
  }

  /** The new package's ARN. */
  async createModelPackage(input: CreateModelPackageCommandInput): Promise<string> {
    this.cache.clear()
    const created = await this.call((abortSignal) => this.sdk.send(new CreateModelPackageCommand(input), { abortSignal }))
    if (!created.ModelPackageArn) throw new GatewayError('BACKEND_ERROR', 'CreateModelPackage answered without an ARN')
    return created.ModelPackageArn
  }

  close(): void {
    this.sdk.destroy()
  }

  /** A read, through the optional cross-request cache (`cacheTtlMs`). */
  private read<T>(operation: string, input: unknown, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return this.cache.read(() => `${operation} ${JSON.stringify(input)}`, () => this.call(send))
  }

  private call<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return this.concurrency.run(async () => {
      const deadline = AbortSignal.timeout(this.config.timeoutMs)
      try {
        return await Promise.race([send(deadline), rejectOnAbort(deadline)])
      } catch (error) {
        throw deadline.aborted ? this.timedOut() : toGatewayError(error, this.config.id)
      }
    })
  }

  private timedOut(): GatewayError {
    const backend = this.config.id
    return new GatewayError('BACKEND_TIMEOUT', `backend "${backend}" did not answer within ${this.config.timeoutMs} ms`, { backend })
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
}

const AUTH_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
])

/** SDK and network errors → gateway codes. Only the error's name and SageMaker's own message are kept. */
export function toGatewayError(error: unknown, backend: string): GatewayError {
  if (error instanceof GatewayError) return error
  const name = error instanceof Error ? error.name : ''
  const message = error instanceof Error ? error.message.slice(0, 300) : ''
  const fault = typeof error === 'object' && error !== null && '$fault' in error ? error.$fault : undefined
  if (AUTH_ERRORS.has(name)) return new GatewayError('BACKEND_AUTH', `backend "${backend}" refused the credentials (${name})`, { backend })
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return new GatewayError('BACKEND_UNAVAILABLE', `backend "${backend}" is throttling requests; retries did not get through`, { backend })
  }
  if (name === 'ResourceNotFound' || /does not exist|not found/i.test(message)) {
    return new GatewayError('NOT_FOUND', `backend "${backend}": ${message}`, { backend })
  }
  if (name === 'ConflictException' || name === 'ResourceInUse') return new GatewayError('CONFLICT', `backend "${backend}": ${message}`, { backend })
  if (fault === 'client') return new GatewayError('BAD_USER_INPUT', `backend "${backend}": ${message}`, { backend })
  // No $fault: the request never got an answer (refused, reset, DNS); a server fault: SageMaker failed.
  return new GatewayError('BACKEND_UNAVAILABLE', `backend "${backend}" cannot be reached or failed (${name || 'error'})`, { backend })
}
