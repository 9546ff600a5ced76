import { createGateway } from '../src/server.ts'
import { parseConfig } from '../src/config.ts'
import { chromium } from 'playwright-core'
const gw = await createGateway(parseConfig({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], dashboard: { dir: '/work/main/web/dist' } }))
const base = `http://127.0.0.1:${await gw.listen(0, '127.0.0.1')}`
const gql = async (query: string, variables = {}) => { const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }); return (await r.json()) as any }
const e = (await gql('mutation { createExperiment(input: { name: "x" }) { id } }')).data.createExperiment.id
const ids: string[] = []
for (const n of ['a', 'b']) {
  const r = (await gql('mutation ($e: ID!, $n: String!) { createRun(input: { experimentId: $e, name: $n }) { id } }', { e, n })).data.createRun.id
  ids.push(r)
  await gql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "acc", value: 0.5, step: 0 }, { key: "loss", value: 1, step: 1 }, { key: "loss", value: 0.5, step: 2 }, { key: "loss", value: 0.2, step: 3 }]) { id } }', { r })
}
const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
page.on('console', (m) => console.log('PAGE', m.type(), m.text()))
page.on('pageerror', (m) => console.log('PAGEERROR', m.message, m.stack))
await page.goto(`${base}/#/compare?${ids.map((id) => `run=${encodeURIComponent(id)}`).join('&')}${process.argv[2] ?? ''}`)
await page.waitForTimeout(1500)
if (process.argv[3]) {
  await gql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "loss", value: 0.1, step: 4 }]) { id } }', { r: ids[0] })
  await gql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "grad", value: 10, step: 1 }, { key: "grad", value: 20, step: 2 }]) { id } }', { r: ids[1] })
  await page.waitForTimeout(1500)
  await page.locator('select[name="x"]').selectOption('relative')
  await page.locator('input[name="log"]').check()
  await page.waitForTimeout(1500)
}
await page.locator('figure.chart[data-metric="loss"] .u-over').hover({ position: { x: 200, y: 50 } })
await page.waitForTimeout(300)
console.log('readout:', await page.locator('figure.chart[data-metric="loss"] .readout').innerText())
await page.screenshot({ path: '/tmp/dbg/shot.png', fullPage: true })
await browser.close(); await gw.close()
