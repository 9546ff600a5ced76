import { createGateway } from '../src/server.ts'
import { parseConfig } from '../src/config.ts'
const gw = await createGateway(parseConfig({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }] }))
const base = `http://127.0.0.1:${await gw.listen(0, '127.0.0.1')}`
const gql = async (query: string, variables = {}) => { const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }); return (await r.json()) as any }
const e = (await gql('mutation M { createExperiment(input: { name: "x" }) { id } }')).data.createExperiment.id
const r = (await gql('mutation C($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e })).data.createRun.id
await gql('mutation L($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "a", value: 1 }, { key: "a", value: 2, step: 1 }]) { id } }', { r })
await gql('query Q { runs { nodes { id experiment { name } } } }')
await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${r.split(':')[2]}`)
const t = await (await fetch(`${base}/metrics`)).text()
console.log(t.split('\n').filter((l) => l.startsWith('mlgate_') && !l.includes('_bucket') && !/mlgate_(process|nodejs)/.test(l)).join('\n'))
await gw.close()
