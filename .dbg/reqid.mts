import { createGateway } from '../src/server.ts'
import { parseConfig } from '../src/config.ts'
import { setLogLevel } from '../src/log.ts'
setLogLevel('debug')
const gw = await createGateway(parseConfig({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }] }))
const base = `http://127.0.0.1:${await gw.listen(0, '127.0.0.1')}`
const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' }, body: JSON.stringify({ query: '{ run(id: "Run:nope:1") { id } }' }) })
console.log(r.headers.get('x-request-id'), JSON.stringify(await r.json()))
const r2 = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ nope }"}' })
console.log(r2.headers.get('x-request-id'), JSON.stringify(await r2.json()))
const r3 = await fetch(`${base}/nowhere`)
console.log(r3.headers.get('x-request-id'), JSON.stringify(await r3.json()))
await gw.close()
