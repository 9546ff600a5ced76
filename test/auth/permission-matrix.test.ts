import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/**
 * The permission matrix, generated from one table: every MLflow endpoint
 * (the REST API, the artifact proxy and the UI's file routes) and every
 * GraphQL operation that touches a record, each with the level MLflow's
 * auth app asks for it (mlflow/server/auth/__init__.py), tried by every kind
 * of caller on records of its own, asserting the answer (allowed, or the
 * exact refusal) and, for writes, that the records changed exactly when the
 * write was allowed (a refused write wrote nothing).
 */

type Level = 'READ' | 'USE' | 'EDIT' | 'MANAGE' | 'ADMIN'
const RANK: Record<string, number> = { DENY: -1, READ: 1, USE: 2, EDIT: 3, MANAGE: 4, ADMIN: 9 }

/** Who asks: anonymous, a user with no grant (default READ), a user with each level or DENY on the experiment and the model, an admin. */
const CALLERS = ['anonymous', 'no-grant', 'READ', 'USE', 'EDIT', 'MANAGE', 'DENY', 'admin'] as const
type Caller = (typeof CALLERS)[number]

interface Fixture {
  experimentId: string
  runId: string
  model: string
  loggedModelId: string
  /** A file under the run's artifacts, as the artifact proxy names it. */
  artifact: string
}

interface Answer {
  status: number
  body: Record<string, unknown>
}

interface Callers {
  mlflow(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Record<string, unknown>): Promise<Answer>
  /** Any other route of the gateway (`/api/2.0/mlflow-artifacts/...`, `/get-artifact`, ...), with a raw body. */
  http(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: string): Promise<Answer>
  graphql(query: string, variables: Record<string, unknown>): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } }>
}

/**
 * What an operation needs, and of what: a record the caller holds a grant
 * on (`record`: its experiment, run or model), the backend (creating
 * experiments and models: the callers' grants are on records, so only
 * admins may), or nothing but being an admin (`admin`).
 */
interface Operation {
  name: string
  needs: Level
  on?: 'record' | 'backend' | 'admin'
  /** Reads answer a record, lists show it or not, writes change the records. */
  kind: 'read' | 'list' | 'write'
  /** Done by the admin before the caller asks (deleting what a restore restores). */
  prepare?(fixture: Fixture, admin: Callers): Promise<void>
  /** Sends the request; answers `ok`, `hidden` (a list without the record), `null` (a GraphQL read), or the refusal (`<status> <code>`, a GraphQL code). */
  run(fixture: Fixture, call: Callers): Promise<string>
}

const outcomeOf = ({ status, body }: Answer) => (status === 200 ? 'ok' : `${status} ${String(body.error_code ?? '')}`.trim())
const mlflow =
  (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string | ((f: Fixture) => string), body: (f: Fixture) => Record<string, unknown> = () => ({})) =>
  async (f: Fixture, c: Callers) =>
    outcomeOf(await c.mlflow(method, typeof path === 'string' ? path : path(f), body(f)))
/** A list: `ok` when the fixture's record is in it, `hidden` when the answer leaves it out. */
const listed =
  (method: 'GET' | 'POST', path: string, body: (f: Fixture) => Record<string, unknown>, holds: (answer: Record<string, unknown>, f: Fixture) => boolean) =>
  async (f: Fixture, c: Callers) => {
    const answer = await c.mlflow(method, path, body(f))
    return answer.status !== 200 ? outcomeOf(answer) : holds(answer.body, f) ? 'ok' : 'hidden'
  }
const graphql =
  (query: string, variables: (f: Fixture) => Record<string, unknown>, field: string) =>
  async (f: Fixture, c: Callers) => {
    const answer = await c.graphql(query, variables(f))
    if (answer.status !== 200) return `${answer.status}`
    if (answer.body.errors?.length) return String(answer.body.errors[0].extensions?.code)
    const value = answer.body.data?.[field]
    return value === null || (Array.isArray(value) && value[0] === null) ? 'null' : 'ok'
  }

const runGid = (f: Fixture) => `Run:local:${f.runId}`
const versionGid = (f: Fixture) => `ModelVersion:local:${f.model}/1`
const modelGid = (f: Fixture) => `RegisteredModel:local:${f.model}`
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

const OPERATIONS: Operation[] = [
  // Experiments
  { name: 'MLflow experiments/get', needs: 'READ', kind: 'read', run: mlflow('GET', 'experiments/get', (f) => ({ experiment_id: f.experimentId })) },
  { name: 'MLflow experiments/get-by-name', needs: 'READ', kind: 'read', run: mlflow('GET', 'experiments/get-by-name', (f) => ({ experiment_name: `exp-${f.model}` })) },
  {
    name: 'MLflow experiments/search',
    needs: 'READ',
    kind: 'list',
    run: listed('POST', 'experiments/search', () => ({ max_results: 50000 }), (body, f) => ((body.experiments ?? []) as { experiment_id: string }[]).some((e) => e.experiment_id === f.experimentId)),
  },
  { name: 'MLflow experiments/create', needs: 'USE', on: 'backend', kind: 'write', run: mlflow('POST', 'experiments/create', (f) => ({ name: `new-${f.model}` })) },
  { name: 'MLflow experiments/update', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'experiments/update', (f) => ({ experiment_id: f.experimentId, new_name: `renamed-${f.model}` })) },
  { name: 'MLflow experiments/set-experiment-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'experiments/set-experiment-tag', (f) => ({ experiment_id: f.experimentId, key: 'touched', value: 'yes' })) },
  { name: 'MLflow experiments/delete-experiment-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'experiments/delete-experiment-tag', (f) => ({ experiment_id: f.experimentId, key: 'keep' })) },
  { name: 'MLflow experiments/delete', needs: 'MANAGE', kind: 'write', run: mlflow('POST', 'experiments/delete', (f) => ({ experiment_id: f.experimentId })) },
  {
    name: 'MLflow experiments/restore',
    needs: 'MANAGE',
    kind: 'write',
    prepare: async (f, admin) => void (await admin.mlflow('POST', 'experiments/delete', { experiment_id: f.experimentId })),
    run: mlflow('POST', 'experiments/restore', (f) => ({ experiment_id: f.experimentId })),
  },
  // Runs
  { name: 'MLflow runs/get', needs: 'READ', kind: 'read', run: mlflow('GET', 'runs/get', (f) => ({ run_id: f.runId })) },
  {
    name: 'MLflow runs/search',
    needs: 'READ',
    kind: 'list',
    run: listed('POST', 'runs/search', (f) => ({ experiment_ids: [f.experimentId] }), (body, f) => ((body.runs ?? []) as { info: { run_id: string } }[]).some((r) => r.info.run_id === f.runId)),
  },
  { name: 'MLflow runs/create', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/create', (f) => ({ experiment_id: f.experimentId, run_name: 'extra' })) },
  { name: 'MLflow runs/update', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/update', (f) => ({ run_id: f.runId, run_name: 'renamed' })) },
  { name: 'MLflow runs/delete', needs: 'MANAGE', kind: 'write', run: mlflow('POST', 'runs/delete', (f) => ({ run_id: f.runId })) },
  {
    name: 'MLflow runs/restore',
    needs: 'MANAGE',
    kind: 'write',
    prepare: async (f, admin) => void (await admin.mlflow('POST', 'runs/delete', { run_id: f.runId })),
    run: mlflow('POST', 'runs/restore', (f) => ({ run_id: f.runId })),
  },
  { name: 'MLflow runs/log-metric', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/log-metric', (f) => ({ run_id: f.runId, key: 'loss', value: 1, timestamp: 5, step: 5 })) },
  { name: 'MLflow runs/log-batch', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/log-batch', (f) => ({ run_id: f.runId, metrics: [{ key: 'acc', value: 1, timestamp: 5, step: 5 }] })) },
  { name: 'MLflow runs/log-parameter', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/log-parameter', (f) => ({ run_id: f.runId, key: 'batch', value: '32' })) },
  { name: 'MLflow runs/set-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/set-tag', (f) => ({ run_id: f.runId, key: 'touched', value: 'yes' })) },
  { name: 'MLflow runs/delete-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/delete-tag', (f) => ({ run_id: f.runId, key: 'keep' })) },
  {
    name: 'MLflow runs/log-inputs',
    needs: 'EDIT',
    kind: 'write',
    run: mlflow('POST', 'runs/log-inputs', (f) => ({ run_id: f.runId, datasets: [{ dataset: { name: 'train', digest: 'd1', source_type: 'local', source: '{}' } }] })),
  },
  { name: 'MLflow runs/outputs', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'runs/outputs', (f) => ({ run_id: f.runId, models: [{ model_id: f.loggedModelId, step: 0 }] })) },
  { name: 'MLflow metrics/get-history', needs: 'READ', kind: 'read', run: mlflow('GET', 'metrics/get-history', (f) => ({ run_id: f.runId, metric_key: 'loss' })) },
  { name: 'MLflow metrics/get-history-bulk-interval', needs: 'READ', kind: 'read', run: mlflow('GET', 'metrics/get-history-bulk-interval', (f) => ({ run_ids: f.runId, metric_key: 'loss' })) },
  {
    // As in MLflow's SQL store a run that is not there adds nothing, an unreadable one adds nothing (MLflow's auth app refuses the call).
    name: 'MLflow metrics/get-history-bulk',
    needs: 'READ',
    kind: 'list',
    run: listed('GET', 'metrics/get-history-bulk', (f) => ({ run_id: f.runId, metric_key: 'loss' }), (body) => ((body.metrics ?? []) as unknown[]).length > 0),
  },
  {
    name: 'MLflow experiments/search-datasets',
    needs: 'READ',
    kind: 'list',
    run: listed('POST', 'experiments/search-datasets', (f) => ({ experiment_ids: [f.experimentId] }), (body) => ((body.dataset_summaries ?? []) as unknown[]).length > 0),
  },
  { name: 'MLflow artifacts/list', needs: 'READ', kind: 'read', run: mlflow('GET', 'artifacts/list', (f) => ({ run_id: f.runId })) },
  // Registered models
  { name: 'MLflow registered-models/get', needs: 'READ', kind: 'read', run: mlflow('GET', 'registered-models/get', (f) => ({ name: f.model })) },
  { name: 'MLflow registered-models/get-latest-versions', needs: 'READ', kind: 'read', run: mlflow('POST', 'registered-models/get-latest-versions', (f) => ({ name: f.model })) },
  { name: 'MLflow registered-models/alias (get)', needs: 'READ', kind: 'read', run: mlflow('GET', 'registered-models/alias', (f) => ({ name: f.model, alias: 'champion' })) },
  {
    name: 'MLflow registered-models/search',
    needs: 'READ',
    kind: 'list',
    run: listed('GET', 'registered-models/search', (f) => ({ filter: `name = '${f.model}'` }), (body, f) => ((body.registered_models ?? []) as { name: string }[]).some((m) => m.name === f.model)),
  },
  { name: 'MLflow registered-models/create', needs: 'USE', on: 'backend', kind: 'write', run: mlflow('POST', 'registered-models/create', (f) => ({ name: `new-${f.model}` })) },
  { name: 'MLflow registered-models/update', needs: 'EDIT', kind: 'write', run: mlflow('PATCH', 'registered-models/update', (f) => ({ name: f.model, description: 'changed' })) },
  { name: 'MLflow registered-models/rename', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'registered-models/rename', (f) => ({ name: f.model, new_name: `renamed-${f.model}` })) },
  { name: 'MLflow registered-models/set-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'registered-models/set-tag', (f) => ({ name: f.model, key: 'touched', value: 'yes' })) },
  { name: 'MLflow registered-models/delete-tag', needs: 'EDIT', kind: 'write', run: mlflow('DELETE', 'registered-models/delete-tag', (f) => ({ name: f.model, key: 'keep' })) },
  { name: 'MLflow registered-models/alias (set)', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'registered-models/alias', (f) => ({ name: f.model, alias: 'challenger', version: '1' })) },
  { name: 'MLflow registered-models/alias (delete)', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', 'registered-models/alias', (f) => ({ name: f.model, alias: 'champion' })) },
  { name: 'MLflow registered-models/delete', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', 'registered-models/delete', (f) => ({ name: f.model })) },
  // Model versions
  { name: 'MLflow model-versions/get', needs: 'READ', kind: 'read', run: mlflow('GET', 'model-versions/get', (f) => ({ name: f.model, version: '1' })) },
  { name: 'MLflow model-versions/get-download-uri', needs: 'READ', kind: 'read', run: mlflow('GET', 'model-versions/get-download-uri', (f) => ({ name: f.model, version: '1' })) },
  {
    name: 'MLflow model-versions/search',
    needs: 'READ',
    kind: 'list',
    run: listed('GET', 'model-versions/search', (f) => ({ filter: `name = '${f.model}'` }), (body, f) => ((body.model_versions ?? []) as { name: string }[]).some((v) => v.name === f.model)),
  },
  { name: 'MLflow model-versions/create', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'model-versions/create', (f) => ({ name: f.model, source: `runs:/${f.runId}/model`, run_id: f.runId })) },
  { name: 'MLflow model-versions/update', needs: 'EDIT', kind: 'write', run: mlflow('PATCH', 'model-versions/update', (f) => ({ name: f.model, version: '1', description: 'changed' })) },
  {
    name: 'MLflow model-versions/transition-stage (Staging)',
    needs: 'EDIT',
    kind: 'write',
    run: mlflow('POST', 'model-versions/transition-stage', (f) => ({ name: f.model, version: '1', stage: 'Staging', archive_existing_versions: false })),
  },
  {
    name: 'MLflow model-versions/transition-stage (Production)',
    needs: 'MANAGE',
    kind: 'write',
    run: mlflow('POST', 'model-versions/transition-stage', (f) => ({ name: f.model, version: '1', stage: 'Production', archive_existing_versions: false })),
  },
  { name: 'MLflow model-versions/set-tag', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'model-versions/set-tag', (f) => ({ name: f.model, version: '1', key: 'touched', value: 'yes' })) },
  { name: 'MLflow model-versions/delete-tag', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', 'model-versions/delete-tag', (f) => ({ name: f.model, version: '1', key: 'keep' })) },
  { name: 'MLflow model-versions/delete', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', 'model-versions/delete', (f) => ({ name: f.model, version: '1' })) },
  // Logged models
  { name: 'MLflow logged-models/get', needs: 'READ', kind: 'read', run: mlflow('GET', (f) => `logged-models/${f.loggedModelId}`) },
  { name: 'MLflow logged-models/artifacts/directories', needs: 'READ', kind: 'read', run: mlflow('GET', (f) => `logged-models/${f.loggedModelId}/artifacts/directories`) },
  {
    name: 'MLflow logged-models/search',
    needs: 'READ',
    kind: 'list',
    run: listed('POST', 'logged-models/search', (f) => ({ experiment_ids: [f.experimentId] }), (body, f) => ((body.models ?? []) as { info: { model_id: string } }[]).some((m) => m.info.model_id === f.loggedModelId)),
  },
  { name: 'MLflow logged-models (create)', needs: 'EDIT', kind: 'write', run: mlflow('POST', 'logged-models', (f) => ({ experiment_id: f.experimentId, name: 'extra' })) },
  { name: 'MLflow logged-models (finalize)', needs: 'EDIT', kind: 'write', run: mlflow('PATCH', (f) => `logged-models/${f.loggedModelId}`, () => ({ status: 'LOGGED_MODEL_READY' })) },
  { name: 'MLflow logged-models/params', needs: 'EDIT', kind: 'write', run: mlflow('POST', (f) => `logged-models/${f.loggedModelId}/params`, () => ({ params: [{ key: 'depth', value: '3' }] })) },
  { name: 'MLflow logged-models/tags (set)', needs: 'EDIT', kind: 'write', run: mlflow('PATCH', (f) => `logged-models/${f.loggedModelId}/tags`, () => ({ tags: [{ key: 'touched', value: 'yes' }] })) },
  { name: 'MLflow logged-models/tags (delete)', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', (f) => `logged-models/${f.loggedModelId}/tags/keep`) },
  { name: 'MLflow logged-models (delete)', needs: 'MANAGE', kind: 'write', run: mlflow('DELETE', (f) => `logged-models/${f.loggedModelId}`) },
  // The artifact proxy and the UI's file routes
  { name: 'artifact proxy GET (download)', needs: 'READ', kind: 'read', run: async (f, c) => outcomeOf(await c.http('GET', `/api/2.0/mlflow-artifacts/artifacts/${f.artifact}`)) },
  {
    name: 'artifact proxy GET (list)',
    needs: 'READ',
    kind: 'read',
    run: async (f, c) => outcomeOf(await c.http('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${f.experimentId}/${f.runId}/artifacts`)}`)),
  },
  { name: 'artifact proxy PUT (upload)', needs: 'EDIT', kind: 'write', run: async (f, c) => outcomeOf(await c.http('PUT', `/api/2.0/mlflow-artifacts/artifacts/${f.experimentId}/${f.runId}/artifacts/new.txt`, 'new')) },
  { name: 'artifact proxy DELETE', needs: 'MANAGE', kind: 'write', run: async (f, c) => outcomeOf(await c.http('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${f.artifact}`)) },
  { name: 'UI get-artifact', needs: 'READ', kind: 'read', run: async (f, c) => outcomeOf(await c.http('GET', `/get-artifact?run_uuid=${f.runId}&path=file.txt`)) },
  { name: 'UI upload-artifact', needs: 'EDIT', kind: 'write', run: async (f, c) => outcomeOf(await c.http('POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${f.runId}&path=ui.txt`, 'from the UI')) },
  // The MLflow auth API's admin endpoints
  { name: 'MLflow users/create', needs: 'ADMIN', on: 'admin', kind: 'write', run: mlflow('POST', 'users/create', (f) => ({ username: `made-${f.model}`, password: 'a-long-password-1' })) },
  {
    name: 'MLflow roles/create',
    needs: 'ADMIN',
    on: 'admin',
    kind: 'write',
    run: async (f, c) => outcomeOf(await c.http('POST', '/api/3.0/mlflow/roles/create', JSON.stringify({ name: `role-${f.model}`, workspace: 'default' }))),
  },
  // GraphQL reads
  { name: 'GraphQL run', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { run(id: $id) { id } }', (f) => ({ id: runGid(f) }), 'run') },
  { name: 'GraphQL node', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { node(id: $id) { id } }', (f) => ({ id: runGid(f) }), 'node') },
  { name: 'GraphQL nodes', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { nodes(ids: [$id]) { id } }', (f) => ({ id: runGid(f) }), 'nodes') },
  { name: 'GraphQL experiment', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { experiment(id: $id) { id } }', (f) => ({ id: `Experiment:local:${f.experimentId}` }), 'experiment') },
  { name: 'GraphQL registeredModel', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { registeredModel(id: $id) { id } }', (f) => ({ id: modelGid(f) }), 'registeredModel') },
  { name: 'GraphQL modelVersion', needs: 'READ', kind: 'read', run: graphql('query ($id: ID!) { modelVersion(id: $id) { id } }', (f) => ({ id: versionGid(f) }), 'modelVersion') },
  // GraphQL writes
  { name: 'GraphQL createExperiment', needs: 'USE', on: 'backend', kind: 'write', run: graphql('mutation ($n: String!) { createExperiment(input: { backend: "local", name: $n }) { id } }', (f) => ({ n: `gql-${f.model}` }), 'createExperiment') },
  { name: 'GraphQL createRegisteredModel', needs: 'USE', on: 'backend', kind: 'write', run: graphql('mutation ($n: String!) { createRegisteredModel(input: { backend: "local", name: $n }) { id } }', (f) => ({ n: `gql-${f.model}` }), 'createRegisteredModel') },
  { name: 'GraphQL createRun', needs: 'EDIT', kind: 'write', run: graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', (f) => ({ e: `Experiment:local:${f.experimentId}` }), 'createRun') },
  { name: 'GraphQL updateRun', needs: 'EDIT', kind: 'write', run: graphql('mutation ($r: ID!) { updateRun(input: { id: $r, name: "renamed" }) { id } }', (f) => ({ r: runGid(f) }), 'updateRun') },
  { name: 'GraphQL deleteRun', needs: 'MANAGE', kind: 'write', run: graphql('mutation ($r: ID!) { deleteRun(id: $r) { id } }', (f) => ({ r: runGid(f) }), 'deleteRun') },
  {
    name: 'GraphQL restoreRun',
    needs: 'MANAGE',
    kind: 'write',
    prepare: async (f, admin) => void (await admin.mlflow('POST', 'runs/delete', { run_id: f.runId })),
    run: graphql('mutation ($r: ID!) { restoreRun(id: $r) { id } }', (f) => ({ r: runGid(f) }), 'restoreRun'),
  },
  { name: 'GraphQL logMetrics', needs: 'EDIT', kind: 'write', run: graphql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "acc", value: 1 }]) { id } }', (f) => ({ r: runGid(f) }), 'logMetrics') },
  {
    name: 'GraphQL logMetricSeries',
    needs: 'EDIT',
    kind: 'write',
    run: graphql('mutation ($r: ID!) { logMetricSeries(runId: $r, key: "acc", steps: [1], values: [1]) { points } }', (f) => ({ r: runGid(f) }), 'logMetricSeries'),
  },
  { name: 'GraphQL logParams', needs: 'EDIT', kind: 'write', run: graphql('mutation ($r: ID!) { logParams(runId: $r, params: [{ key: "batch", value: "32" }]) { id } }', (f) => ({ r: runGid(f) }), 'logParams') },
  { name: 'GraphQL logInputs', needs: 'EDIT', kind: 'write', run: graphql('mutation ($r: ID!) { logInputs(runId: $r, datasets: [{ name: "train", digest: "d1" }]) { id } }', (f) => ({ r: runGid(f) }), 'logInputs') },
  { name: 'GraphQL setTags (run)', needs: 'EDIT', kind: 'write', run: graphql('mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', (f) => ({ id: runGid(f) }), 'setTags') },
  {
    name: 'GraphQL setTags (experiment)',
    needs: 'EDIT',
    kind: 'write',
    run: graphql('mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', (f) => ({ id: `Experiment:local:${f.experimentId}` }), 'setTags'),
  },
  { name: 'GraphQL setTags (model)', needs: 'EDIT', kind: 'write', run: graphql('mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', (f) => ({ id: modelGid(f) }), 'setTags') },
  { name: 'GraphQL setTags (version)', needs: 'EDIT', kind: 'write', run: graphql('mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', (f) => ({ id: versionGid(f) }), 'setTags') },
  {
    name: 'GraphQL createModelVersion',
    needs: 'EDIT',
    kind: 'write',
    run: graphql('mutation ($m: ID!, $r: String!) { createModelVersion(input: { modelId: $m, runId: $r, source: "s3://bucket/model" }) { id } }', (f) => ({ m: modelGid(f), r: f.runId }), 'createModelVersion'),
  },
  {
    name: 'GraphQL transitionModelVersion (Staging)',
    needs: 'EDIT',
    kind: 'write',
    run: graphql('mutation ($id: ID!) { transitionModelVersion(id: $id, stage: STAGING) { id } }', (f) => ({ id: versionGid(f) }), 'transitionModelVersion'),
  },
  {
    name: 'GraphQL transitionModelVersion (Production)',
    needs: 'MANAGE',
    kind: 'write',
    run: graphql('mutation ($id: ID!) { transitionModelVersion(id: $id, stage: PRODUCTION) { id } }', (f) => ({ id: versionGid(f) }), 'transitionModelVersion'),
  },
  { name: 'GraphQL setModelAlias', needs: 'EDIT', kind: 'write', run: graphql('mutation ($m: ID!, $v: ID!) { setModelAlias(modelId: $m, alias: "challenger", versionId: $v) { id } }', (f) => ({ m: modelGid(f), v: versionGid(f) }), 'setModelAlias') },
  { name: 'GraphQL deleteModelAlias', needs: 'MANAGE', kind: 'write', run: graphql('mutation ($m: ID!) { deleteModelAlias(modelId: $m, alias: "champion") { id } }', (f) => ({ m: modelGid(f) }), 'deleteModelAlias') },
  // GraphQL admin operations
  { name: 'GraphQL users', needs: 'ADMIN', on: 'admin', kind: 'read', run: graphql('{ users { username } }', () => ({}), 'users') },
  { name: 'GraphQL auditEvents', needs: 'ADMIN', on: 'admin', kind: 'read', run: graphql('{ auditEvents(first: 1) { nodes { id } } }', () => ({}), 'auditEvents') },
  { name: 'GraphQL createUser', needs: 'ADMIN', on: 'admin', kind: 'write', run: graphql('mutation ($u: String!) { createUser(input: { username: $u, password: "a-long-password-1" }) { username } }', (f) => ({ u: `gql-${f.model}` }), 'createUser') },
  {
    name: 'GraphQL grantPermission',
    needs: 'ADMIN',
    on: 'admin',
    kind: 'write',
    run: graphql('mutation ($e: String!) { grantPermission(username: "u-READ", grant: { backend: "local", resourceType: EXPERIMENT, resource: $e, permission: MANAGE }) { permission } }', (f) => ({ e: f.experimentId }), 'grantPermission'),
  },
]

describeEachEngine('permission matrix', (engine) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const callersBy = (authorization: string | null): Callers => {
    const send = async (target: URL | string, method: string, body: string | undefined, contentType = 'application/json'): Promise<Answer> => {
      const response = await fetch(target, { method, headers: { ...(authorization && { authorization }), 'content-type': contentType }, body })
      const text = await response.text()
      return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> }
    }
    return {
      mlflow(method, path, body = {}) {
        const target = new URL(`${url}/api/2.0/mlflow/${path}`)
        if (method === 'GET') for (const [key, value] of Object.entries(body)) target.searchParams.set(key, String(value))
        return send(target, method, method === 'GET' ? undefined : JSON.stringify(body))
      },
      http: (method, path, body) => send(`${url}${path}`, method, body, body?.startsWith('{') ? 'application/json' : 'application/octet-stream'),
      async graphql(query, variables) {
        const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { ...(authorization && { authorization }), 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
        return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null } }
      },
    }
  }
  const admin = () => callersBy(basic('admin', 'admin-password-1'))
  const callerOf = (caller: Caller) => (caller === 'anonymous' ? callersBy(null) : caller === 'admin' ? admin() : callersBy(basic(`u-${caller}`, `${caller}-password-1`)))

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 } })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    for (const caller of CALLERS.filter((name) => name !== 'anonymous' && name !== 'admin')) {
      expect((await admin().mlflow('POST', 'users/create', { username: `u-${caller}`, password: `${caller}-password-1` })).status).toBe(200)
    }
  })
  afterAll(() => gw.close())

  /** Made by the admin: an experiment with a tagged run (a metric, a param, a file), a model with version 1 (tagged, aliased), a logged model; the caller's grant on the experiment and the model. */
  async function fixtureFor(caller: Caller): Promise<Fixture> {
    const a = admin()
    const ok = async (answer: Promise<Answer>) => {
      const { status, body } = await answer
      expect(status, JSON.stringify(body)).toBe(200)
      return body
    }
    const model = `m-${unique()}`
    const experimentId = String((await ok(a.mlflow('POST', 'experiments/create', { name: `exp-${model}`, tags: [{ key: 'keep', value: '1' }] }))).experiment_id)
    const runId = ((await ok(a.mlflow('POST', 'runs/create', { experiment_id: experimentId, run_name: 'subject', tags: [{ key: 'keep', value: '1' }] }))).run as { info: { run_id: string } }).info.run_id
    await ok(a.mlflow('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.1' }] }))
    await ok(a.mlflow('POST', 'runs/log-inputs', { run_id: runId, datasets: [{ dataset: { name: 'eval', digest: 'e1', source_type: 'local', source: '{}' } }] }))
    const artifact = `${experimentId}/${runId}/artifacts/file.txt`
    await ok(a.http('PUT', `/api/2.0/mlflow-artifacts/artifacts/${artifact}`, 'contents'))
    await ok(a.mlflow('POST', 'registered-models/create', { name: model, tags: [{ key: 'keep', value: '1' }] }))
    await ok(a.mlflow('POST', 'model-versions/create', { name: model, source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'keep', value: '1' }] }))
    await ok(a.mlflow('POST', 'registered-models/alias', { name: model, alias: 'champion', version: '1' }))
    const loggedModelId = ((await ok(a.mlflow('POST', 'logged-models', { experiment_id: experimentId, name: 'lm', tags: [{ key: 'keep', value: '1' }] }))).model as { info: { model_id: string } }).info.model_id
    if (caller !== 'anonymous' && caller !== 'admin' && caller !== 'no-grant') {
      for (const [resourceType, resourceId] of [['experiment', experimentId], ['registered_model', model]]) {
        const granted = await fetch(`${url}/api/3.0/mlflow/users/permissions/grant`, {
          method: 'POST',
          headers: { authorization: basic('admin', 'admin-password-1'), 'content-type': 'application/json' },
          body: JSON.stringify({ username: `u-${caller}`, resource_type: resourceType, resource_id: resourceId, permission: caller }),
        })
        expect(granted.status).toBe(200)
      }
    }
    return { experimentId, runId, model, loggedModelId, artifact }
  }

  /** Everything a write could change, read as the admin (the audit trail aside). */
  async function snapshot(f: Fixture): Promise<string> {
    const a = admin()
    const parts = await Promise.all([
      a.mlflow('GET', 'experiments/get', { experiment_id: f.experimentId }),
      a.mlflow('POST', 'runs/search', { experiment_ids: [f.experimentId], run_view_type: 'ALL' }),
      a.mlflow('GET', 'metrics/get-history', { run_id: f.runId, metric_key: 'acc' }),
      a.mlflow('GET', 'metrics/get-history', { run_id: f.runId, metric_key: 'loss' }),
      a.mlflow('GET', 'registered-models/search', { filter: `name LIKE '%${f.model}'` }),
      a.mlflow('GET', 'model-versions/search', { filter: `name = '${f.model}'` }),
      a.mlflow('POST', 'logged-models/search', { experiment_ids: [f.experimentId] }),
      a.mlflow('POST', 'experiments/search', { filter: `name LIKE '%${f.model}'`, view_type: 'ALL' }),
      a.http('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${f.experimentId}/${f.runId}/artifacts`)}`),
      a.graphql('{ users { username } }', {}).then((answer) => ({ status: answer.status, body: { users: (answer.body.data?.users as { username: string }[]).filter((u) => u.username.includes(f.model)) } })),
      a.graphql('query ($e: ID!) { experiment(id: $e) { id } }', { e: `Experiment:local:${f.experimentId}` }),
      a.http('GET', '/api/3.0/mlflow/users/permissions/list?username=u-READ'),
      a.http('GET', '/api/3.0/mlflow/roles/list'),
    ])
    return JSON.stringify(parts)
  }

  it('answers every operation for every caller as its level says, and a write changes the records exactly when allowed', { timeout: 600_000 }, async () => {
    const outcomes: string[] = []
    const expected: string[] = []
    const readFixtures = new Map<Caller, Fixture>()
    for (const caller of CALLERS) readFixtures.set(caller, await fixtureFor(caller))
    for (const operation of OPERATIONS) {
      for (const caller of CALLERS) {
        const fixture = operation.kind === 'write' ? await fixtureFor(caller) : (readFixtures.get(caller) as Fixture)
        await operation.prepare?.(fixture, admin())
        const before = operation.kind === 'write' ? await snapshot(fixture) : null
        const outcome = await operation.run(fixture, callerOf(caller))
        const on = operation.on ?? 'record'
        const graphqlOp = operation.name.startsWith('GraphQL')
        // The caller's level on what the operation needs: its grant on the records; by default READ on the backend; admins everything.
        const level = caller === 'admin' ? 'ADMIN' : on === 'record' && caller !== 'no-grant' ? caller : 'READ'
        const allowed = caller !== 'anonymous' && RANK[level] >= RANK[operation.needs]
        // Refusals: no identity 401; a record the caller may not read is missing (404, a null read, left out of a list); readable but not enough, 403.
        const unreadable = on === 'record' && RANK[level] < RANK.READ
        const refusal =
          caller === 'anonymous'
            ? '401'
            : unreadable
              ? operation.kind === 'list'
                ? 'hidden'
                : graphqlOp
                  ? operation.kind === 'read'
                    ? 'null'
                    : 'NOT_FOUND'
                  : '404 RESOURCE_DOES_NOT_EXIST'
              : graphqlOp
                ? 'FORBIDDEN'
                : '403 PERMISSION_DENIED'
        outcomes.push(`${operation.name} as ${caller}: ${outcome}`)
        expected.push(`${operation.name} as ${caller}: ${allowed ? 'ok' : refusal}`)
        if (before !== null) outcomes.push(`${operation.name} as ${caller} ${(await snapshot(fixture)) === before ? 'wrote nothing' : 'wrote'}`)
        if (before !== null) expected.push(`${operation.name} as ${caller} ${allowed ? 'wrote' : 'wrote nothing'}`)
      }
    }
    expect(outcomes).toEqual(expected)
  })
})
