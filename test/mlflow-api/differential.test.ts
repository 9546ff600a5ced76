import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, describeMlflow, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/**
 * The same request sequence against a real `mlflow server` and against
 * mlgate's MLflow API (on each engine), answers compared after ids, times
 * and generated names are normalized: statuses, error codes and bodies.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
type Api = ReturnType<typeof mlflowApi>

const VOLATILE_KEY = /(^|_)(id|uuid|time|timestamp|timestamp_ms|uri|location|run_name)$/

/** Ids either server generated, wherever they appear inside strings (a `runs:/<id>/model` source). */
const generatedIds = new Set<string>()

/** Ids, times, URIs and generated names replaced by their kind, so two servers' answers compare. */
function normalize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalize(item, key))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, k)]))
  if (VOLATILE_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) return value === '' ? '' : `<${key}>`
  if (typeof value === 'string') return [...generatedIds].reduce((text, id) => text.replaceAll(id, '<id>'), value)
  return value
}

describeMlflow('the MLflow API beside a real mlflow server', (mlflowUrl) => {
  describeEachEngine('differential', (engine) => {
    let gw: TestGateway
    let mlgate: Api
    const mlflow = mlflowApi(mlflowUrl)

    let mlgateUrl: string

    beforeAll(async () => {
      gw = await startTestGateway({ backends: [nativeBackendConfig(engine)] })
      mlgateUrl = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
      mlgate = mlflowApi(mlgateUrl)
    })
    afterAll(() => gw.close())

    /** One step on both servers; `body` may depend on what the server answered before (its own ids). */
    async function both(method: Method, path: string, body: (side: Side) => unknown = () => undefined, prefix?: string) {
      const [theirs, ours] = await Promise.all([mlflow.request(method, path, body(sides.mlflow), prefix), mlgate.request(method, path, body(sides.mlgate), prefix)])
      return { theirs, ours }
    }
    interface Side {
      ids: Record<string, string>
    }
    const sides: { mlflow: Side; mlgate: Side } = { mlflow: { ids: {} }, mlgate: { ids: {} } }

    /** `prefix`: where the route lives, when not under `/api/2.0/mlflow/` (the UI's `ajax-api` routes). */
    async function same(method: Method, path: string, body: (side: Side) => unknown = () => undefined, prefix?: string) {
      const { theirs, ours } = await both(method, path, body, prefix)
      expect({ status: ours.status, body: normalize(ours.body) }, `${method} ${path}`).toEqual({ status: theirs.status, body: normalize(theirs.body) })
      return { theirs: theirs.body, ours: ours.body }
    }

    /** One raw request on both sides: status, the headers a browser acts on, and the body as text (ids masked). */
    const sameFile = async (method: 'GET' | 'POST', path: (side: Side) => string, body?: string) => {
      const [theirs, ours] = await Promise.all(
        ([[mlflowUrl, sides.mlflow], [mlgateUrl, sides.mlgate]] as const).map(async ([base, side]) => {
          const response = await fetch(`${base}${path(side)}`, { method, body })
          const text = await response.text()
          const json = response.headers.get('content-type') === 'application/json'
          return {
            status: response.status,
            contentType: response.headers.get('content-type'),
            disposition: response.headers.get('content-disposition'),
            nosniff: response.headers.get('x-content-type-options'),
            body: json && text ? normalize(JSON.parse(text)) : text,
          }
        }),
      )
      expect(ours, `${method} ${path(sides.mlgate)}`).toEqual(theirs)
      return theirs
    }
    /** A fresh experiment on both sides, its id kept per side under `name`. */
    async function experiment(name: string) {
      const unique = `${name}-${randomUUID()}`
      const { theirs, ours } = await same('POST', 'experiments/create', () => ({ name: unique }))
      sides.mlflow.ids[name] = String(theirs.experiment_id)
      sides.mlgate.ids[name] = String(ours.experiment_id)
    }

    /** A record created on both sides by `path`; answers which id it has on a side (and masks both ids in later answers). */
    async function created(path: 'runs/create' | 'logged-models', body: (side: Side) => unknown): Promise<(side: Side) => string> {
      const { theirs, ours } = await same('POST', path, body)
      const idOf = (answer: Record<string, unknown>) =>
        path === 'runs/create' ? (answer.run as { info: { run_id: string } }).info.run_id : (answer.model as { info: { model_id: string } }).info.model_id
      const ids = { mlflow: idOf(theirs), mlgate: idOf(ours) }
      generatedIds.add(ids.mlflow).add(ids.mlgate)
      return (side) => (side === sides.mlflow ? ids.mlflow : ids.mlgate)
    }

    it('deletes an experiment tag by POST, as MLflow routes it', async () => {
      await experiment('tags')
      await same('POST', 'experiments/set-experiment-tag', (side) => ({ experiment_id: side.ids.tags, key: 'team', value: 'vision' }))
      await same('POST', 'experiments/delete-experiment-tag', (side) => ({ experiment_id: side.ids.tags, key: 'team' }))
      await same('GET', 'experiments/get', (side) => ({ experiment_id: side.ids.tags }))
    })

    it('keeps the artifact location an experiment asks for, and refuses the ones MLflow refuses', async () => {
      const locations = [
        's3://bucket/base',
        's3://bucket/trailing/',
        's3://bucket/with-query?versionId=3',
        'mlflow-artifacts:/team/shared',
        '/srv/mlflow/artifacts',
        'gs://bucket/x',
        'http://attacker.example:8080/x',
        'https://attacker.example/x',
        'mlflow-artifacts://attacker.example/x',
        'sftp://host/x',
        'runs:/0123456789abcdef/model',
        's3://bucket/x#fragment',
        'http://host/x;params',
        's3://bucket/x?path=../../etc',
        's3://bucket/x?path=%252e%252e/etc',
        `s3://bucket/${'x'.repeat(2048)}`,
      ]
      for (const location of locations) {
        const name = `located-${randomUUID()}`
        const { theirs, ours } = await same('POST', 'experiments/create', () => ({ name, artifact_location: location }))
        if (!theirs.experiment_id) continue
        const stored = await both('GET', 'experiments/get', (side) => ({ experiment_id: side === sides.mlflow ? theirs.experiment_id : ours.experiment_id }))
        const locationOf = (answer: { body: Record<string, unknown> }) => (answer.body.experiment as { artifact_location: string }).artifact_location
        expect(locationOf(stored.ours), location).toBe(locationOf(stored.theirs))
        const run = await both('POST', 'runs/create', (side) => ({ experiment_id: side === sides.mlflow ? theirs.experiment_id : ours.experiment_id, start_time: 1 }))
        const runInfo = (answer: { body: Record<string, unknown> }) => (answer.body.run as { info: { run_id: string; artifact_uri: string } }).info
        expect(runInfo(run.ours).artifact_uri.replace(runInfo(run.ours).run_id, '<id>'), location).toBe(runInfo(run.theirs).artifact_uri.replace(runInfo(run.theirs).run_id, '<id>'))
      }
    })

    it('keeps one copy of a metric point logged twice, in one batch or across calls, as MLflow\'s store does', async () => {
      await experiment('copies')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.copies, run_name: 'copies', start_time: 1 }))
      const point = (value: number | string, step: number, timestamp = 100) => ({ key: 'loss', value, timestamp, step })
      await same('POST', 'runs/log-batch', (side) => ({ run_id: runOf(side), metrics: [point(0.5, 0), point(0.5, 0), point(0.4, 1), point('NaN', 2), point('NaN', 2)] }))
      await same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), ...point(0.5, 0) }))
      // The same step and value at another time, and the same time with another value, are other points.
      await same('POST', 'runs/log-batch', (side) => ({ run_id: runOf(side), metrics: [point(0.5, 0, 101), point(0.6, 0), point(0.4, 1), point('NaN', 2)] }))
      const { theirs } = await same('GET', 'metrics/get-history', (side) => ({ run_id: runOf(side), metric_key: 'loss' }))
      expect((theirs.metrics as unknown[]).length).toBe(5)
      await same('POST', 'runs/log-batch', (side) => ({ run_id: runOf(side), metrics: [point(0.1, 3), point(0.4, 1)], params: [{ key: 'p', value: '1' }] }))
      await same('GET', 'metrics/get-history', (side) => ({ run_id: runOf(side), metric_key: 'loss' }))
      await same('GET', 'runs/get', (side) => ({ run_id: runOf(side) }))
    })

    it('creates runs with and without a user id and a start time', async () => {
      await experiment('users')
      await same('POST', 'runs/create', (side) => ({ experiment_id: side.ids.users, run_name: 'with-user', user_id: 'alice', start_time: 1_700_000_000_000 }))
      await same('POST', 'runs/create', (side) => ({ experiment_id: side.ids.users, run_name: 'anonymous' }))
    })

    it('orders model-versions/search as MLflow does: last updated first by default, and by any order_by it accepts', async () => {
      const unique = randomUUID().slice(0, 8)
      const [alpha, beta] = [`alpha-${unique}`, `beta-${unique}`]
      for (const name of [alpha, beta]) await same('POST', 'registered-models/create', () => ({ name }))
      // Created alternately, so the default order (last updated first) differs from name-then-version.
      for (const name of [alpha, beta, alpha, beta, alpha]) {
        await same('POST', 'model-versions/create', () => ({ name, source: `s3://bucket/${name}` }))
        // Distinct timestamps on both servers (milliseconds).
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      // An update moves a version to the front of the default order.
      await same('PATCH', 'model-versions/update', () => ({ name: beta, version: '1', description: 'touched' }))
      const filter = `name LIKE '%-${unique}'`
      for (const orderBy of [[], ['name DESC'], ['version_number ASC'], ['creation_timestamp ASC'], ['last_updated_timestamp DESC', 'name ASC']]) {
        const answer = await same('GET', 'model-versions/search', () => ({ filter, order_by: orderBy }))
        const order = (answer.theirs.model_versions as { name: string; version: string }[]).map((version) => `${version.name.split('-')[0]}/${version.version}`)
        if (orderBy.length === 0) expect(order).toEqual(['beta/1', 'alpha/3', 'beta/2', 'alpha/2', 'alpha/1'])
      }
      await same('GET', 'model-versions/search', () => ({ filter, order_by: ['name ASC'], max_results: 2 }))
    })

    it('orders runs/search by params, tags and status as MLflow does: values as strings, runs without the key last', async () => {
      await experiment('ordering')
      // Distinct start times, so that ties on a value break the same way on both sides (run ids differ).
      const runs: [string, Record<string, string>, Record<string, string>][] = [
        ['r1', { lr: '0.1', opt: 'adam' }, { team: 'vision' }],
        ['r2', { lr: '0.01' }, { team: 'Vision' }],
        ['r3', { lr: '1e-3', opt: 'sgd' }, {}],
        ['r4', { lr: '0.1', opt: 'Adam' }, { team: 'nlp' }],
        ['r5', {}, { team: 'vision' }],
      ]
      for (const [index, [name, params, tags]] of runs.entries()) {
        const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.ordering, run_name: name, start_time: 1_700_000_000_000 + index }))
        const pairs = (values: Record<string, string>) => Object.entries(values).map(([key, value]) => ({ key, value }))
        await same('POST', 'runs/log-batch', (side) => ({ run_id: runOf(side), params: pairs(params), tags: pairs(tags) }))
        // Statuses differ too, for `attributes.status`.
        const status = ['RUNNING', 'FINISHED', 'RUNNING', 'KILLED', 'FAILED'][index]
        if (status !== 'RUNNING') await same('POST', 'runs/update', (side) => ({ run_id: runOf(side), status, end_time: 1_700_000_100_000 }))
      }
      for (const orderBy of [['params.lr ASC'], ['params.opt DESC'], ['tags.team ASC', 'params.lr DESC'], ['params.`lr`'], ['tags.missing DESC'], ['attributes.status ASC', 'params.lr DESC']]) {
        const { theirs } = await same('POST', 'runs/search', (side) => ({ experiment_ids: [side.ids.ordering], order_by: orderBy }))
        expect(theirs.runs).toHaveLength(runs.length)
      }
    })

    it('finishes a run through runs/update as MLflow does: an end time only when one is given', async () => {
      await experiment('finishing')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.finishing, run_name: 'finishing', start_time: 1 }))
      await same('POST', 'runs/update', (side) => ({ run_id: runOf(side), status: 'FINISHED' }))
      const { ours } = await same('GET', 'runs/get', (side) => ({ run_id: runOf(side) }))
      // Not vacuous: MLflow leaves the end time unset, and so does mlgate.
      expect((ours.run as { info: Record<string, unknown> }).info).not.toHaveProperty('end_time')
      await same('POST', 'runs/update', (side) => ({ run_id: runOf(side), status: 'FAILED', end_time: 1_700_000_000_000 }))
      await same('GET', 'runs/get', (side) => ({ run_id: runOf(side) }))
    })

    it('hides prompts from registry searches as MLflow does, whatever the client adds about them', async () => {
      const unique = randomUUID().slice(0, 8)
      for (const [name, tags] of [
        [`plain-${unique}`, [{ key: 'team', value: 'a' }]],
        [`prompt-${unique}`, [{ key: 'mlflow.prompt.is_prompt', value: 'true' }]],
        [`not-prompt-${unique}`, [{ key: 'mlflow.prompt.is_prompt', value: 'false' }]],
      ] as const) {
        await same('POST', 'registered-models/create', () => ({ name, tags }))
        // MLflow wants its placeholder as a prompt version's source.
        const source = name.startsWith('prompt-') ? 'dummy-source' : `s3://bucket/${name}`
        await same('POST', 'model-versions/create', () => ({ name, source, tags }))
      }
      const ours = `name LIKE '%${unique}'`
      for (const filter of [
        ours,
        `${ours} AND tags.\`mlflow.prompt.is_prompt\` != 'true'`,
        `tags.\`mlflow.prompt.is_prompt\` = 'true' AND ${ours}`,
        `${ours} AND tags.\`mlflow.prompt.is_prompt\` != 'false'`,
        `${ours} AND tags.\`mlflow.prompt.is_prompt\` = 'false'`,
        `${ours} AND tags.team != 'b'`,
      ]) {
        const { theirs } = await same('GET', 'registered-models/search', () => ({ filter }))
        await same('GET', 'model-versions/search', () => ({ filter }))
        if (filter === ours) expect((theirs.registered_models as unknown[]).length).toBe(2)
      }
    })

    it('searches logged models with MLflow\'s filter grammar', async () => {
      await experiment('logged')
      for (const [name, modelType, stage] of [
        ['model', 'sklearn', 'prod'],
        ['model', 'torch', 'dev'],
        ['other', 'sklearn', 'dev'],
      ]) {
        await same('POST', 'logged-models', (side) => ({ experiment_id: side.ids.logged, name, model_type: modelType, tags: [{ key: 'stage', value: stage }], params: [{ key: 'depth', value: '3' }] }))
      }
      for (const filter of [
        "name = 'model'",
        "name = 'model' AND model_type = 'torch'",
        "tags.stage != 'prod' AND name LIKE 'm%'",
        "params.depth = '3' AND tags.stage = 'dev'",
        "name = 'nothing'",
      ]) {
        await same('POST', 'logged-models/search', (side) => ({ experiment_ids: [side.ids.logged], filter }))
      }
      // MLflow's server answers an unknown key with a 500 (an AttributeError); mlgate says what it takes.
      const { ours } = await both('POST', 'logged-models/search', (side) => ({ experiment_ids: [side.ids.logged], filter: "bogus = 'x'" }))
      expect(ours).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    })

    it('samples get-history-bulk-interval as MLflow does, run by run', async () => {
      await experiment('sampling')
      const runs: Record<'mlflow' | 'mlgate', string[]> = { mlflow: [], mlgate: [] }
      for (const [index, steps] of [[0, 10], [1, 23]] as const) {
        const { theirs, ours } = await same('POST', 'runs/create', (side) => ({ experiment_id: side.ids.sampling, run_name: `r${index}`, start_time: 1 }))
        runs.mlflow.push((theirs.run as { info: { run_id: string } }).info.run_id)
        runs.mlgate.push((ours.run as { info: { run_id: string } }).info.run_id)
        const metrics = Array.from({ length: steps }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: 1_700_000_000_000 + step, step }))
        // Several values at one step, and a NaN, as training loops log them.
        metrics.push({ key: 'loss', value: 0.5, timestamp: 1_700_000_000_500, step: 3 }, { key: 'loss', value: Number.NaN as number, timestamp: 1_700_000_000_600, step: 4 })
        await same('POST', 'runs/log-batch', (side) => ({ run_id: runs[side === sides.mlflow ? 'mlflow' : 'mlgate'][index], metrics: metrics.map((m) => ({ ...m, value: Number.isNaN(m.value) ? 'NaN' : m.value })) }))
      }
      for (const query of [{ max_results: 5 }, { max_results: 1 }, { max_results: 7, start_step: 2, end_step: 15 }, {}, { max_results: 5, start_step: 2 }, { start_step: 9, end_step: 2 }, { max_results: 2501 }]) {
        await same('GET', 'metrics/get-history-bulk-interval', (side) => ({ run_ids: runs[side === sides.mlflow ? 'mlflow' : 'mlgate'], metric_key: 'loss', ...query }))
      }
    })

    it('answers the UI\'s get-history-bulk as MLflow does: whole histories, missing runs skipped, its limits', async () => {
      await experiment('bulk')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.bulk, run_name: 'bulk', start_time: 1 }))
      // Out of timestamp order, two values at one timestamp, and another key.
      const metrics = [
        { key: 'loss', value: 0.5, timestamp: 1_700_000_000_300, step: 1 },
        { key: 'loss', value: 0.9, timestamp: 1_700_000_000_100, step: 0 },
        { key: 'loss', value: 0.7, timestamp: 1_700_000_000_100, step: 2 },
        { key: 'loss', value: 0.2, timestamp: 1_700_000_000_100, step: 2 },
        { key: 'acc', value: 0.1, timestamp: 1_700_000_000_100, step: 0 },
      ]
      await same('POST', 'runs/log-batch', (side) => ({ run_id: runOf(side), metrics }))
      const ajax = '/ajax-api/2.0/mlflow/'
      const missing = 'f'.repeat(32)
      for (const query of [
        (side: Side) => ({ run_id: [runOf(side)], metric_key: 'loss' }),
        (side: Side) => ({ run_id: [runOf(side), missing], metric_key: 'loss', max_results: 2 }),
        (side: Side) => ({ run_id: [runOf(side)], metric_key: 'loss', max_results: -1 }),
        (side: Side) => ({ run_id: [runOf(side)], metric_key: 'loss', max_results: -3 }),
        (side: Side) => ({ run_id: [runOf(side)], metric_key: 'loss', max_results: 0 }),
        (side: Side) => ({ run_id: [runOf(side)], metric_key: 'none' }),
        () => ({ run_id: [missing], metric_key: 'loss' }),
        () => ({ metric_key: 'loss' }),
        (side: Side) => ({ run_id: [runOf(side)] }),
        () => ({ run_id: Array.from({ length: 101 }, (_, i) => String(i).padStart(32, '0')), metric_key: 'loss' }),
      ]) {
        await same('GET', 'metrics/get-history-bulk', query, ajax)
      }
      // Not vacuous: the whole history of `loss` came back.
      const { theirs } = await same('GET', 'metrics/get-history-bulk', (side) => ({ run_id: [runOf(side)], metric_key: 'loss' }), ajax)
      expect((theirs.metrics as { value: number }[]).map((metric) => metric.value)).toEqual([0.9, 0.2, 0.7, 0.5])
    })

    it('serves the UI\'s file routes as MLflow does: upload-artifact, get-artifact, model-versions/get-artifact', async () => {
      await experiment('files')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.files, run_name: 'files', start_time: 1 }))
      const upload = (file: string) => (side: Side) => `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runOf(side)}&path=${encodeURIComponent(file)}`
      const get = (file: string) => (side: Side) => `/get-artifact?run_uuid=${runOf(side)}&path=${encodeURIComponent(file)}`
      await sameFile('POST', upload('notes/readme.md'), '# hello\n')
      await sameFile('POST', upload('weights.bin'), 'binary')
      await sameFile('POST', upload('notes/naïve plan.txt'), 'plan')
      expect((await sameFile('GET', get('notes/readme.md'))).body).toBe('# hello\n')
      await sameFile('GET', get('weights.bin'))
      await sameFile('GET', get('notes/naïve plan.txt'))
      await same('GET', 'artifacts/list', (side) => ({ run_id: runOf(side), path: 'notes' }))
      // Refusals: a directory, a path out of the run, no path, no run, nothing to upload.
      await sameFile('GET', get('notes'))
      await sameFile('GET', get('../../etc/passwd'))
      await sameFile('POST', (side) => `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runOf(side)}`, 'x')
      await sameFile('POST', () => '/ajax-api/2.0/mlflow/upload-artifact?path=a.txt', 'x')
      await sameFile('POST', upload('empty.txt'), '')
      // A model version whose source is one of the run's directories.
      const name = `files-${randomUUID().slice(0, 8)}`
      await same('POST', 'registered-models/create', () => ({ name }))
      await same('POST', 'model-versions/create', (side) => ({ name, source: `runs:/${runOf(side)}/notes`, run_id: runOf(side) }))
      await sameFile('GET', () => `/model-versions/get-artifact?name=${name}&version=1&path=readme.md`)
    })

    it('words request-validation errors as MLflow does', async () => {
      await experiment('validation')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.validation, run_name: 'named', start_time: 1 }))
      await same('GET', 'experiments/get', () => ({}))
      await same('POST', 'runs/update', () => ({ run_id: 123 }))
      await same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), key: 'k', value: 'x', timestamp: 1 }))
      await same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), key: 'k', timestamp: 1 }))
      await same('POST', 'runs/search', () => ({ max_results: 'abc' }))
      await same('POST', 'experiments/create', () => ({ name: 5 }))
      await same('POST', 'experiments/create', () => ({ name: '' }))
      await same('POST', 'runs/set-tag', (side) => ({ run_id: runOf(side), key: 'k', value: ['a'] }))
    })

    it('checks model version sources as MLflow does, and lists versions on the logged model they came from', async () => {
      await experiment('sources')
      const name = `sources-${randomUUID().slice(0, 8)}`
      await same('POST', 'registered-models/create', () => ({ name }))
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.sources, run_name: 'producer', start_time: 1 }))
      for (const source of [
        '/etc/passwd',
        'file:///etc',
        'relative/path',
        'mlflow-artifacts://host/models/../../../',
        'http://host:5000/api/2.0/mlflow-artifacts/artifacts/x',
        's3://bucket/models/..%2f..%2fsecrets',
        's3://bucket/models/%2e%2e/x',
        's3://bucket/x%00',
        's3://bucket',
        's3://bucket/./x',
        'runs:/0123456789abcdef0123456789abcdef/model',
        'models:/m-0123456789abcdef0123456789abcdef',
        's3://bucket/fine/model',
      ]) {
        await same('POST', 'model-versions/create', () => ({ name, source }))
      }
      await same('POST', 'model-versions/create', (side) => ({ name, source: `runs:/${runOf(side)}/model`, run_id: runOf(side) }))
      await same('POST', 'model-versions/create', (side) => ({ name, source: `runs:/${runOf(side)}/model` }))

      const modelOf = await created('logged-models', (side) => ({ experiment_id: side.ids.sources, name: 'model', source_run_id: runOf(side) }))
      await same('POST', 'model-versions/create', (side) => ({ name, source: `models:/${modelOf(side)}`, model_id: modelOf(side) }))
      await same('POST', 'model-versions/create', (side) => ({ name, source: `models:/${modelOf(side)}`, model_id: modelOf(side) }))
      await same('POST', 'model-versions/create', (side) => ({ name, source: 'runs:/x/model', model_id: modelOf(side) }))
      // The second registration of the same model appends; the tag's JSON is MLflow's to the byte.
      const got = await Promise.all([mlflow.request('GET', `logged-models/${modelOf(sides.mlflow)}`), mlgate.request('GET', `logged-models/${modelOf(sides.mlgate)}`)])
      const tagOf = (answer: { body: Record<string, unknown> }) => ((answer.body.model as { info: { tags?: { key: string; value: string }[] } }).info.tags ?? []).find((tag) => tag.key === 'mlflow.modelVersions')?.value
      expect(tagOf(got[1])).toBe(tagOf(got[0]))
      expect(tagOf(got[0])).toBe(`[{"name": "${name}", "version": 3}, {"name": "${name}", "version": 4}]`)
    })

    it('searches runs by IS NULL and IS NOT NULL on tags and params', async () => {
      await experiment('presence')
      for (const [index, tags] of [
        [1, [{ key: 'owner', value: 'ana' }]],
        [2, []],
        [3, [{ key: 'owner', value: 'bo' }]],
      ] as const) {
        await same('POST', 'runs/create', (side) => ({ experiment_id: side.ids.presence, run_name: `r${index}`, start_time: index * 1000, tags }))
      }
      const created = await same('POST', 'runs/search', (side) => ({ experiment_ids: [side.ids.presence] }))
      const idsOf = (body: Record<string, unknown>) => (body.runs as { info: { run_id: string; run_name: string } }[]).map((run) => [run.info.run_name, run.info.run_id] as const)
      const runIds = { mlflow: new Map(idsOf(created.theirs)), mlgate: new Map(idsOf(created.ours)) }
      for (const [name, params] of [['r1', [{ key: 'lr', value: '0.1' }]], ['r2', [{ key: 'lr', value: '0.2' }]]] as const) {
        await same('POST', 'runs/log-batch', (side) => ({ run_id: runIds[side === sides.mlflow ? 'mlflow' : 'mlgate'].get(name), params }))
      }
      for (const filter of ['tags.owner IS NULL', 'tags.owner IS NOT NULL', 'params.lr IS NULL', "params.lr IS NOT NULL AND tags.owner != 'bo'"]) {
        await same('POST', 'runs/search', (side) => ({ experiment_ids: [side.ids.presence], filter }))
      }
    })

    it('refuses a misspelt runs/search filter with MLflow\'s own message', async () => {
      await experiment('misspelt')
      for (const filter of [
        'attributes.run_name IS NULL',
        'metrics.acc IS NOT NULL',
        "metrics.acc > '0.5'",
        'metrics.acc > high',
        'params.lr = 0.1',
        'params.lr = fast',
        'tags.team = 7',
        "attributes.start_time > 'yesterday'",
        'attributes.status = 3',
        "params.lr = '0.1' AND metrics.acc >= 'x'",
      ]) {
        await same('POST', 'runs/search', (side) => ({ experiment_ids: [side.ids.misspelt], filter }))
      }
      // Where MLflow's message prints a Python set (its order changes per process), the code and status still agree.
      const refused = await both('POST', 'runs/search', (side) => ({ experiment_ids: [side.ids.misspelt], filter: "metrics.acc LIKE '0.%'" }))
      expect([refused.ours.status, refused.ours.body.error_code]).toEqual([refused.theirs.status, refused.theirs.body.error_code])
    })

    it('keeps every dataset input tag and the model inputs of log-inputs', async () => {
      await experiment('inputs')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.inputs, run_name: 'consumer', start_time: 1 }))
      const modelOf = await created('logged-models', (side) => ({ experiment_id: side.ids.inputs, name: 'base' }))
      await same('POST', 'runs/log-inputs', (side) => ({
        run_id: runOf(side),
        datasets: [
          {
            tags: [{ key: 'zone', value: 'eu' }, { key: 'mlflow.data.context', value: 'training' }, { key: 'audited', value: 'yes' }],
            dataset: { name: 'train', digest: 'abc123', source_type: 'local', source: '{"uri": "/data"}' },
          },
          { dataset: { name: 'plain', digest: 'def456', source_type: 'local', source: '{}' } },
        ],
        models: [{ model_id: modelOf(side) }],
      }))
      // MLflow's store lists a run's inputs in the database's row order (unspecified); mlgate by name and digest.
      const { theirs, ours } = await both('GET', 'runs/get', (side) => ({ run_id: runOf(side) }))
      const byName = (body: Record<string, unknown>) => {
        const run = normalize(body) as { run: { inputs: { dataset_inputs: { dataset: { name: string } }[] } } }
        run.run.inputs.dataset_inputs.sort((a, b) => a.dataset.name.localeCompare(b.dataset.name))
        return run
      }
      expect(byName(ours.body)).toEqual(byName(theirs.body))
      expect((ours.body.run as { inputs: { model_inputs?: unknown[] } }).inputs.model_inputs).toEqual([{ model_id: modelOf(sides.mlgate) }])
    })

    it('lists and serves a logged model\'s files as the UI\'s routes do', async () => {
      await experiment('model-files')
      const { theirs, ours } = await same('POST', 'logged-models', (side) => ({ experiment_id: side.ids['model-files'], name: 'files' }))
      const info = (answer: Record<string, unknown>) => (answer.model as { info: { model_id: string; artifact_uri: string } }).info
      const models = { mlflow: info(theirs), mlgate: info(ours) }
      generatedIds.add(models.mlflow.model_id).add(models.mlgate.model_id)
      const modelOf = (side: Side) => (side === sides.mlflow ? models.mlflow : models.mlgate)
      // The files where each server's logged model keeps them: mlgate's through its artifact proxy; the test's
      // MLflow server keeps logged models' files in a local directory of this machine.
      const files = [['MLmodel', 'flavors: {}\n'], ['data/model.pkl', 'pickle']] as const
      for (const [file, body] of files) {
        const response = await fetch(`${mlgateUrl}/api/2.0/mlflow-artifacts/artifacts/${models.mlgate.artifact_uri.replace(/^mlflow-artifacts:\/+/, '')}/${file}`, { method: 'PUT', body })
        expect(response.status).toBe(200)
        const local = join(models.mlflow.artifact_uri.replace(/^file:\/\//, ''), file)
        mkdirSync(dirname(local), { recursive: true })
        writeFileSync(local, body)
      }
      const list = (query: string) => (side: Side) => `/api/2.0/mlflow/logged-models/${modelOf(side).model_id}/artifacts/directories${query}`
      for (const query of ['', '?artifact_directory_path=data', '?artifact_directory_path=none', '?artifact_directory_path=..%2F..']) await sameFile('GET', list(query))
      const file = (query: string) => (side: Side) => `/ajax-api/2.0/mlflow/logged-models/${modelOf(side).model_id}/artifacts/files${query}`
      expect((await sameFile('GET', file('?artifact_file_path=MLmodel'))).body).toBe('flavors: {}\n')
      for (const query of ['?artifact_file_path=data%2Fmodel.pkl', '?artifact_file_path=data', '', '?artifact_file_path=..%2F..%2Fx']) await sameFile('GET', file(query))
      await sameFile('GET', () => `/ajax-api/2.0/mlflow/logged-models/m-${'0'.repeat(32)}/artifacts/files?artifact_file_path=MLmodel`)
    })

    it('summarizes an experiment\'s datasets as the UI\'s search-datasets does', async () => {
      await experiment('datasets')
      const input = (name: string, digest: string, context?: string) => ({
        dataset: { name, digest, source_type: 'local', source: '{}' },
        ...(context && { tags: [{ key: 'mlflow.data.context', value: context }] }),
      })
      // One dataset twice in one call (MLflow keeps the first), one without a role, and one used by two runs (summarized once).
      for (const [name, datasets] of [
        ['first', [input('train', 'aaa', 'training'), input('train', 'aaa', 'evaluation'), input('raw', 'bbb')]],
        ['second', [input('train', 'aaa', 'training'), input('test', 'ccc', 'testing')]],
      ] as const) {
        const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids.datasets, run_name: name, start_time: 1 }))
        await same('POST', 'runs/log-inputs', (side) => ({ run_id: runOf(side), datasets }))
      }
      const ajax = '/ajax-api/2.0/mlflow/'
      // MLflow's store answers in the database's row order (unspecified): compared as sets.
      const { theirs, ours } = await both('POST', 'experiments/search-datasets', (side) => ({ experiment_ids: [side.ids.datasets] }), ajax)
      const sorted = (body: Record<string, unknown>) =>
        (normalize(body.dataset_summaries) as Record<string, string>[]).map((summary) => JSON.stringify(summary)).sort()
      expect(ours.status).toBe(theirs.status)
      expect(sorted(ours.body)).toEqual(sorted(theirs.body))
      expect(sorted(theirs.body)).toHaveLength(3)
      await same('POST', 'experiments/search-datasets', () => ({ experiment_ids: [] }), ajax)
      await same('POST', 'experiments/search-datasets', () => ({ experiment_ids: Array.from({ length: 21 }, (_, i) => String(i)) }), ajax)
      await same('POST', 'experiments/search-datasets', () => ({ experiment_ids: ['987654321'] }), ajax)
    })

    it('orders logged-models/search as MLflow does: attributes, a metric\'s latest value on a dataset, newest first by default', async () => {
      await experiment('model-order')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids['model-order'], run_name: 'scorer', start_time: 1 }))
      const models: Record<string, (side: Side) => string> = {}
      for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
        models[name] = await created('logged-models', (side) => ({ experiment_id: side.ids['model-order'], name, source_run_id: runOf(side) }))
        // Distinct creation times: ties would break by model id, which differs between the servers.
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const score = (model: string, value: number, timestamp: number, dataset: string) =>
        same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), key: 'acc', value, timestamp, step: 0, model_id: models[model](side), dataset_name: dataset, dataset_digest: `${dataset}-1` }))
      await score('alpha', 0.9, 10, 'eval')
      await score('beta', 0.7, 10, 'eval')
      await score('beta', 0.95, 20, 'train')
      await score('delta', 0.8, 10, 'train')
      for (const orderBy of [
        [],
        [{ field_name: 'name', ascending: true }],
        [{ field_name: 'metrics.acc', ascending: false }],
        [{ field_name: 'metrics.acc', ascending: true, dataset_name: 'eval' }],
        [{ field_name: 'metrics.acc', ascending: false, dataset_digest: 'train-1' }, { field_name: 'name', ascending: false }],
        [{ field_name: 'creation_timestamp', ascending: true }],
        [{ field_name: 'params.depth' }],
      ]) {
        const { theirs } = await same('POST', 'logged-models/search', (side) => ({ experiment_ids: [side.ids['model-order']], order_by: orderBy }))
        if (orderBy.length === 0) expect((theirs.models as { info: { name: string } }[]).map((model) => model.info.name)).toEqual(['delta', 'gamma', 'beta', 'alpha'])
      }
    })

    it('filters logged-models/search by metrics and datasets as MLflow does: any point matches; a dataset named without its digest matches nothing', async () => {
      await experiment('model-filter')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids['model-filter'], run_name: 'scorer', start_time: 1 }))
      const models: Record<string, (side: Side) => string> = {}
      for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
        models[name] = await created('logged-models', (side) => ({ experiment_id: side.ids['model-filter'], name, source_run_id: runOf(side) }))
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const score = (model: string, value: number, step: number, dataset?: [string, string?]) =>
        same('POST', 'runs/log-metric', (side) => ({
          run_id: runOf(side), key: 'acc', value, timestamp: 10 + step, step, model_id: models[model](side),
          ...(dataset && { dataset_name: dataset[0], ...(dataset[1] && { dataset_digest: dataset[1] }) }),
        }))
      await score('alpha', 0.9, 0, ['eval', 'e1'])
      await score('alpha', 0.4, 1, ['eval', 'e1'])
      await score('beta', 0.7, 0, ['eval', 'e2'])
      await score('beta', 0.95, 1, ['train', 't1'])
      await score('gamma', 0.85, 0, ['eval', 'e1'])
      await score('delta', 0.8, 0)
      // MLflow refuses half a dataset reference, before writing anything.
      await score('delta', 0.1, 1, ['eval'])
      for (const [filter, datasets] of [
        ['metrics.acc >= 0.85', undefined],
        ['metrics.acc < 0.5', undefined],
        ['metrics.acc != 0.9', undefined],
        ['metrics.acc >= 0.8', [{ dataset_name: 'eval', dataset_digest: 'e1' }]],
        ['metrics.acc > 0.5', [{ dataset_name: 'eval', dataset_digest: 'e2' }, { dataset_name: 'train', dataset_digest: 't1' }]],
        ['metrics.acc > 0.5', [{ dataset_name: 'eval' }]],
        ['', [{ dataset_name: 'train', dataset_digest: 't1' }]],
        ['', [{ dataset_name: 'eval', dataset_digest: 'e1' }, { dataset_name: 'eval' }]],
        ["name != 'alpha' AND metrics.acc > 0.6", undefined],
        ['metrics.loss > 0', undefined],
      ] as const) {
        const { theirs } = await same('POST', 'logged-models/search', (side) => ({ experiment_ids: [side.ids['model-filter']], ...(filter && { filter }), ...(datasets && { datasets }) }))
        if (filter === 'metrics.acc >= 0.85' && !datasets) expect((theirs.models as { info: { name: string } }[]).map((model) => model.info.name)).toEqual(['gamma', 'beta', 'alpha'])
      }
      await same('POST', 'logged-models/search', (side) => ({ experiment_ids: [side.ids['model-filter']], datasets: [{ dataset_digest: 'e1' }] }))
    })

    it('keeps the dataset of a metric logged against a logged model', async () => {
      await experiment('model-metrics')
      const runOf = await created('runs/create', (side) => ({ experiment_id: side.ids['model-metrics'], run_name: 'evaluator', start_time: 1 }))
      const modelOf = await created('logged-models', (side) => ({ experiment_id: side.ids['model-metrics'], name: 'scored', source_run_id: runOf(side) }))
      await same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), key: 'acc', value: 0.5, timestamp: 5, step: 1, model_id: modelOf(side), dataset_name: 'eval', dataset_digest: 'd1' }))
      await same('POST', 'runs/log-metric', (side) => ({ run_id: runOf(side), key: 'loss', value: 0.1, timestamp: 6, step: 1, model_id: modelOf(side) }))
      const got = await Promise.all([mlflow.request('GET', `logged-models/${modelOf(sides.mlflow)}`), mlgate.request('GET', `logged-models/${modelOf(sides.mlgate)}`)])
      expect(normalize(got[1].body)).toEqual(normalize(got[0].body))
      await same('GET', 'runs/get', (side) => ({ run_id: runOf(side) }))
    })
  })
})
