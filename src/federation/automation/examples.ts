import type { EventData, EventName } from './events.js'

/** What a test delivery carries: MLflow's examples (webhooks/types.py) for its events, the same spirit for mlgate's. */
const EXAMPLES: Record<EventName, EventData> = {
  'registered_model.created': { name: 'example_model', tags: { example_key: 'example_value' }, description: 'An example registered model' },
  'model_version.created': {
    name: 'example_model',
    version: '1',
    source: 'models:/123',
    run_id: 'abcd1234abcd5678',
    tags: { example_key: 'example_value' },
    description: 'An example model version',
  },
  'model_version_tag.set': { name: 'example_model', version: '1', key: 'example_key', value: 'example_value' },
  'model_version_tag.deleted': { name: 'example_model', version: '1', key: 'example_key' },
  'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
  'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
  'run.created': { run_id: 'abcd1234abcd5678', experiment_id: '1', run_name: 'example_run', backend: 'local' },
  'run.finished': { run_id: 'abcd1234abcd5678', experiment_id: '1', status: 'FINISHED', end_time: 1_700_000_000_000, backend: 'local' },
  'model_version.promoted': { name: 'example_model', version: '1', promotion: 'PRODUCTION', stage: 'PRODUCTION', approval_status: null, backend: 'local' },
  'registry_sync.conflict': {
    rule: 'local->sagemaker:example_*',
    source: { backend: 'local', version: 'example_model/1', promotion: 'PRODUCTION' },
    target: { backend: 'sagemaker', version: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/example_model/1', promotion: 'RETIRED' },
  },
  'metric.threshold_crossed': { rule: 'accuracy-drop', backend: 'local', run_id: 'abcd1234abcd5678', key: 'accuracy', condition: '< 0.9', window: 5, value: 0.87, step: 120, timestamp: 1_700_000_000_000 },
}

export function exampleDataOf(event: EventName): EventData {
  return EXAMPLES[event]
}
