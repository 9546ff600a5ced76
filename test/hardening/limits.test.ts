import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/**
 * Every limit of the `limits:` config, met through the real HTTP server:
 * the refusal carries the documented code, and a refused write wrote nothing.
 */

type Answer = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }

describeEachEngine('request limits', (engine) => {
  let gw: TestGateway
  let base: string
  let experimentId: string
  let runId: string

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)] })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    experimentId = ((await graphql('mutation { createExperiment(input: { name: "limits" }) { id } }')).data?.createExperiment as { id: string }).id
    runId = ((await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experimentId })).data?.createRun as { id: string }).id
  })
  afterAll(() => gw.close())

  async function graphql(query: string, variables: unknown = {}): Promise<Answer> {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    return (await response.json()) as Answer
  }
  const codes = (answer: Answer) => (answer.errors ?? []).map((error) => error.extensions?.code)
  const experimentCount = async () => ((await graphql('{ experiments { totalCount } }')).data?.experiments as { totalCount: number }).totalCount

  it('refuses a query deeper than limits.queryDepth', async () => {
    const nested = (levels: number): string => (levels === 0 ? 'id' : `experiment { runs(first: 1) { nodes { ${nested(levels - 1)} } } }`)
    const answer = await graphql(`{ runs(first: 1) { nodes { ${nested(5)} } } }`)
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX'])
    expect(answer.errors?.[0].message).toMatch(/depth .* limit is 15/)
  })

  it('refuses a query whose lists multiply past limits.queryCost, and accepts a dashboard-sized one', async () => {
    const heavy = await graphql('{ runs(first: 1000) { nodes { experiment { runs(first: 1000) { nodes { id name } } } } } }')
    expect(codes(heavy)).toEqual(['QUERY_TOO_COMPLEX'])
    expect(heavy.errors?.[0].message).toMatch(/complexity is \d+; the limit is 50000/)
    const dashboard = await graphql('{ runs(first: 50) { nodes { id name params { key value } metrics { key value } experiment { name } } } }')
    expect(dashboard.errors).toBeUndefined()
  })

  it('refuses more aliases than limits.queryAliases, and more tokens than limits.queryTokens', async () => {
    const aliases = await graphql(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: backends { id }`).join(' ')} }`)
    expect(codes(aliases)).toEqual(['QUERY_TOO_COMPLEX'])
    const tokens = await graphql(`{ backends { ${Array.from({ length: 6000 }, () => 'id').join(' ')} } }`)
    expect(codes(tokens)).toEqual(['QUERY_TOO_COMPLEX'])
  })

  it('refuses more filter clauses than limits.filterClauses and more order keys than limits.orderKeys, over GraphQL and the MLflow API', async () => {
    const filter = Array.from({ length: 11 }, (_, i) => `params.p${i} = 'x'`).join(' and ')
    expect(codes(await graphql('query ($f: String!) { runs(mlflowFilter: $f) { totalCount } }', { f: filter }))).toEqual(['QUERY_TOO_COMPLEX'])
    const orderBy = Array.from({ length: 1001 }, () => ({ field: 'START_TIME', direction: 'DESC' }))
    expect(codes(await graphql('query ($o: [RunOrder!]) { runs(orderBy: $o) { totalCount } }', { o: orderBy }))).toEqual(['QUERY_TOO_COMPLEX'])
    const api = mlflowApi(base)
    const search = await api.request('POST', 'runs/search', { experiment_ids: [experimentId.split(':')[2]], filter })
    expect(search).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    expect(search.body.message).toMatch(/limits\.filterClauses/)
  })

  it('refuses strings with NUL or past their length, over GraphQL and the MLflow API, writing nothing', async () => {
    const before = await experimentCount()
    const nulVariable = await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: 'bad\u0000name' })
    const nulLiteral = await graphql('mutation { createExperiment(input: { name: "bad\\u0000name" }) { id } }')
    const megabyte = await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: 'x'.repeat(1024 * 1024) })
    const pastNameLimit = await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: 'x'.repeat(257) })
    const longRunName = await graphql('mutation ($e: ID!, $n: String!) { createRun(input: { experimentId: $e, name: $n }) { id } }', { e: experimentId, n: 'r'.repeat(251) })
    for (const answer of [nulVariable, nulLiteral, megabyte, pastNameLimit, longRunName]) expect(codes(answer)).toEqual(['BAD_USER_INPUT'])
    const api = mlflowApi(base)
    expect(await api.request('POST', 'experiments/create', { name: 'nul\u0000' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    expect(await api.request('POST', 'experiments/create', { name: 'y'.repeat(100_000) })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    expect(await experimentCount()).toBe(before)
  })

  it('refuses numbers out of range as input errors, not INTERNAL', async () => {
    const filter = await graphql('{ runs(mlflowFilter: "attributes.start_time > 99999999999999999999999") { totalCount } }')
    expect(codes(filter)).toEqual(['BAD_USER_INPUT'])
    const api = mlflowApi(base)
    const created = await api.request('POST', 'runs/create', { experiment_id: experimentId.split(':')[2], start_time: 1e23 })
    expect(created).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
    const asText = await api.request('POST', 'runs/create', { experiment_id: experimentId.split(':')[2], start_time: '99999999999999999999999' })
    expect(asText).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } })
  })

  it('refuses metric points a store could not keep exactly, writing none of the batch, and keeps the extremes it takes', async () => {
    const api = mlflowApi(base)
    const nativeRun = runId.split(':')[2]
    const good = { key: 'edge', value: 1, timestamp: 1_700_000_000_000, step: 0 }
    const hostile = [{ step: 1.5 }, { step: 2 ** 60 }, { step: -(2 ** 60) }, { step: '1e3' }, { timestamp: 1e20 }, { timestamp: -1e20 }, { timestamp: 1.5e15 + 0.5 }, { value: 'x' }, { value: {} }]
    for (const change of hostile) {
      const answer = await api.request('POST', 'runs/log-batch', { run_id: nativeRun, metrics: [good, { ...good, step: 1, ...change }] })
      expect({ change, status: answer.status, code: answer.body.error_code }).toEqual({ change, status: 400, code: 'INVALID_PARAMETER_VALUE' })
    }
    const history = async () => ((await api.request('GET', 'metrics/get-history', { run_id: nativeRun, metric_key: 'edge' })).body.metrics ?? []) as { step: number; timestamp: number; value: unknown }[]
    expect(await history()).toEqual([])
    // The widest steps and times a JSON number holds exactly, and non-finite values, come back as sent.
    const extremes = [
      { key: 'edge', value: -0.5, timestamp: 0, step: Number.MIN_SAFE_INTEGER },
      { key: 'edge', value: 'NaN', timestamp: 8_640_000_000_000_000, step: Number.MAX_SAFE_INTEGER },
      { key: 'edge', value: '-Infinity', timestamp: 1, step: -(2 ** 32) },
    ]
    expect((await api.request('POST', 'runs/log-batch', { run_id: nativeRun, metrics: extremes })).status).toBe(200)
    const stored = (await history()).map(({ step, timestamp, value }) => ({ step: Number(step), timestamp: Number(timestamp), value }))
    expect(stored.sort((a, b) => a.step - b.step)).toEqual([extremes[0], extremes[2], extremes[1]].map(({ step, timestamp, value }) => ({ step, timestamp, value })))
  })

  it('keeps the last value of a tag key given twice in one call, as MLflow does', async () => {
    const tags = [
      { key: 'team', value: 'first' },
      { key: 'team', value: 'last' },
    ]
    const created = await graphql('mutation ($t: [TagInput!]!) { createExperiment(input: { name: "dupes", tags: $t }) { tags { key value } } }', { t: tags })
    expect(created.data?.createExperiment).toEqual({ tags: [{ key: 'team', value: 'last' }] })
    const set = await graphql('mutation ($id: ID!, $t: [TagInput!]!) { setTags(id: $id, tags: $t) { ... on Run { tags { key value } } } }', { id: runId, t: tags })
    expect((set.data?.setTags as { tags: { key: string; value: string }[] }).tags.filter((tag) => tag.key === 'team')).toEqual([{ key: 'team', value: 'last' }])
    const api = mlflowApi(base)
    const nativeRun = runId.split(':')[2]
    const batch = await api.request('POST', 'runs/log-batch', { run_id: nativeRun, tags: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] })
    expect(batch.status).toBe(200)
    const read = await api.request('GET', 'runs/get', { run_id: nativeRun })
    const runTags = ((read.body.run as { data: { tags: { key: string; value: string }[] } }).data.tags ?? []).filter((tag) => tag.key === 'k')
    expect(runTags).toEqual([{ key: 'k', value: '2' }])
  })

  it('refuses a GraphQL body past limits.requestBodyBytes before reading it', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ backends { id } }', variables: { pad: 'x'.repeat(17 * 1024 * 1024) } }),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })
  })

  it('refuses a GraphQL body that is not JSON without quoting any of it back', async () => {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ backends { id } }", "token": "s3cr3t-in-a-broken-body"' })
    expect(response.status).toBe(400)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })
    expect(text).not.toContain('s3cr3t')
    // A good body right after is answered as usual.
    const good = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ backends { id } }' }) })
    expect(((await good.json()) as { data?: unknown }).data).toBeDefined()
  })
})
