import type { BackendConfig } from '../config.js'
import type { Backend } from '../contract/backend.js'
import { createMlflowBackend } from './mlflow/index.js'
import { createNativeBackend } from './native/index.js'
import { createSagemakerBackend } from './sagemaker/index.js'
import type { UpstreamObserver } from '../telemetry/metrics.js'

/** The adapter registry: one line per backend kind. */
export function createBackend(config: BackendConfig, options: { statementTimeoutMs?: number; observeUpstream?: UpstreamObserver } = {}): Promise<Backend> {
  switch (config.kind) {
    case 'native':
      return createNativeBackend(config, options)
    case 'mlflow':
      return createMlflowBackend(config, options.observeUpstream)
    case 'sagemaker':
      return createSagemakerBackend(config, options.observeUpstream)
  }
}
