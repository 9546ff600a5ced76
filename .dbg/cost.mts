import { createGateway } from '../src/server.ts'
import { parseConfig } from '../src/config.ts'
const gw = await createGateway(parseConfig({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }] }))
const base = `http://127.0.0.1:${await gw.listen(0, '127.0.0.1')}`
const gql = async (query: string, variables = {}) => { const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }); return (await r.json()) as any }
const e = (await gql('mutation { createExperiment(input: { name: "x" }) { id } }')).data.createExperiment.id
const ids: string[] = []
for (let i = 0; i < 50; i++) ids.push((await gql('mutation ($e: ID!, $n: String!) { createRun(input: { experimentId: $e, name: $n, params: [{key: "a", value: "1"}] }) { id } }', { e, n: `r${i}` })).data.createRun.id)
const series = `query ($ids: [ID!]!, $key: String!, $maxPoints: Int) { nodes(ids: $ids) { id ... on Run { metricHistory(key: $key, maxPoints: $maxPoints) { totalPoints sampled points { step timestamp value } } } } }`
for (const n of [20, 50]) console.log(n, JSON.stringify((await gql(series, { ids: ids.slice(0, n), key: 'loss', maxPoints: 1000 })).errors ?? 'ok'))
const compare = `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Run { name status startTime backend { id } params { key value } metrics { key } } } }`
console.log('compare 50', JSON.stringify((await gql(compare, { ids })).errors ?? 'ok'))
const runs = `query { runs(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id name status startTime backend { id } experiment { id name } params(keys: ["a"]) { key value } metrics(keys: ["x"]) { key value step } paramKeys: params { key } metricKeys: metrics { key } } } }`
console.log('runs 50', JSON.stringify((await gql(runs)).errors ?? 'ok'))
await gw.close()
