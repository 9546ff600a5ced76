import { createGateway } from '../src/server.ts'
import { parseConfig } from '../src/config.ts'
import { chromium } from 'playwright-core'
const gw = await createGateway(parseConfig({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], dashboard: { dir: '/work/main/web/dist' }, auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 } }))
const base = `http://127.0.0.1:${await gw.listen(0, '127.0.0.1')}`
const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage()
page.on('console', (m) => console.log('PAGE', m.type(), m.text()))
page.on('pageerror', (m) => console.log('PAGEERROR', m.message))
page.on('response', (r) => console.log('RESP', r.status(), r.url()))
await page.goto(`${base}/`)
await page.waitForTimeout(2000)
console.log(await page.locator('main').innerHTML())
await browser.close(); await gw.close()
