import type { SagemakerBackendConfig } from '../../config.js'
import type { Backend, Capabilities, ModelRegistryWriter } from '../../contract/backend.js'
import { PolledModelVersionEvents } from '../model-version-poller.js'
import { SagemakerClient } from './client.js'
import { SagemakerModelRegistry } from './model-registry.js'
import type { UpstreamObserver } from '../../telemetry/metrics.js'

export function createSagemakerBackend(config: SagemakerBackendConfig, observe?: UpstreamObserver): Promise<Backend> {
  return Promise.resolve(new SagemakerBackend(config, observe))
}

/** SageMaker Model Registry: a model registry only (no experiments or runs), read-only unless configured otherwise. */
class SagemakerBackend implements Backend {
  readonly kind = 'sagemaker' as const
  readonly id: string
  readonly capabilities: Capabilities
  readonly tracking = null
  readonly writer = null
  readonly live = null
  readonly loggedModels = null
  readonly identities = null
  readonly auditLog = null
  readonly automation = null
  readonly modelRegistry: SagemakerModelRegistry
  readonly modelRegistryWriter: ModelRegistryWriter | null
  readonly modelEvents: PolledModelVersionEvents
  private readonly client: SagemakerClient

  constructor(config: SagemakerBackendConfig, observe?: UpstreamObserver) {
    this.id = config.id
    this.client = new SagemakerClient(config, observe)
    this.capabilities = { orderByMetric: false, liveMetrics: 'none', ownStore: false, packageArns: true }
    this.modelRegistry = new SagemakerModelRegistry(config.id, this.client)
    this.modelRegistryWriter = config.readOnly ? null : this.modelRegistry.writer()
    this.modelEvents = new PolledModelVersionEvents(this.modelRegistry, config.poll.intervalMs)
  }

  async ping(): Promise<void> {
    await this.client.listModelPackageGroups({ MaxResults: 1 })
  }

  async close(): Promise<void> {
    this.modelEvents.close()
    this.client.close()
  }
}
