import { rmSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildDashboard, launchChromium, openPage as openPageOn, screenshot } from '../support/dashboard.js'
import { describeChromium } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { rawHttp } from '../support/raw-http.js'

/**
 * The dashboard in a real browser (Debian's Chromium through
 * playwright-core), built from web/ by Vite as `npm start` builds it, served
 * by the gateway at `/`: the runs table over the backends, a run's page, and
 * MLflow's deep links; nothing fetched from another origin.
 */
describeChromium('the dashboard', (executablePath) => {
  let gw: TestGateway
  let base: string
  let browser: Browser
  let outDir: string
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown }
    expect(body.errors).toBeUndefined()
    return body.data
  }
  let run: { gid: string; experimentId: string; runId: string }

  beforeAll(async () => {
    outDir = await buildDashboard()
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], dashboard: { dir: outDir } })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    const experiment = (await graphql('mutation { createExperiment(input: { name: "dashboard" }) { id } }')).createExperiment.id
    const gid = (await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "sunny-otter", params: [{ key: "lr", value: "0.003" }] }) { id } }', { e: experiment })).createRun.id
    await graphql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "loss", value: 0.25, step: 7 }]) { id } }', { r: gid })
    run = { gid, experimentId: experiment.split(':')[2], runId: gid.split(':')[2] }
    browser = await launchChromium(executablePath)
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await gw?.close()
    rmSync(outDir, { recursive: true, force: true })
  })

  const openPage = () => openPageOn(browser, base)

  it('lists the runs with their backend, and opens a run from its row', async () => {
    const { page, elsewhere } = await openPage()
    await page.goto(`${base}/`)
    const row = page.locator(`tr[data-run="${run.gid}"]`)
    await row.waitFor()
    expect(await row.locator('td').allInnerTexts()).toEqual(['', 'sunny-otter', 'local', 'dashboard', 'RUNNING', expect.any(String)])
    await row.locator('a').click()
    await page.getByRole('heading', { name: 'sunny-otter' }).waitFor()
    expect(page.url()).toBe(`${base}/#/runs/${encodeURIComponent(run.gid)}`)
    expect(await page.locator('table.key-values').first().innerText()).toContain('0.25 (step 7)')
    expect(await page.locator('table.key-values').nth(1).innerText()).toContain('0.003')
    await screenshot(page, 'run')
    expect(elsewhere).toEqual([])
    await page.close()
  })

  it('serves only the build: paths out of it, dotfiles and other methods are coded refusals', async () => {
    const port = Number(new URL(base).port)
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%00', '/assets/%E0%A4%A', '/assets/.gitignore', '/assets/']) {
      const answer = await rawHttp(port, { path })
      expect([path, answer.status, answer.json<{ errors: { extensions: { code: string } }[] }>().errors[0].extensions.code]).toEqual([path, 404, 'NOT_FOUND'])
    }
    const posted = await rawHttp(port, { method: 'POST', path: '/', body: 'x' })
    expect(posted.status).toBe(405)
    const page = await rawHttp(port, { path: '/' })
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.text).toContain('<div id="app">')
  })

  it("opens the pages MLflow's printed links name", async () => {
    const { page } = await openPage()
    await page.goto(`${base}/#/experiments/${run.experimentId}/runs/${run.runId}`)
    await page.getByRole('heading', { name: 'sunny-otter' }).waitFor()
    await page.goto(`${base}/#/experiments/${run.experimentId}`)
    await page.locator(`tr[data-run="${run.gid}"]`).waitFor()
    expect(await page.locator('table.runs tbody tr').count()).toBe(1)
    await page.goto(`${base}/#/experiments/${run.experimentId}/runs/no-such-run`)
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('No such run')
    await page.close()
  })
})

describeChromium('the dashboard with sign-in', (executablePath) => {
  let gw: TestGateway
  let base: string
  let browser: Browser
  let outDir: string
  const admin = { username: 'admin', password: 'admin-password-1' }
  const asAdmin = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`
  const graphql = async (authorization: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) })
    const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown }
    expect(body.errors).toBeUndefined()
    return body.data
  }
  let runs: { open: string; hidden: string }

  beforeAll(async () => {
    outDir = await buildDashboard()
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], dashboard: { dir: outDir }, auth: { admin, passwordHashCost: 12 } })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    await graphql(asAdmin, 'mutation { createUser(input: { username: "reader", password: "reader-password-1" }) { username } }')
    const open = (await graphql(asAdmin, 'mutation { createExperiment(input: { name: "shared" }) { id } }')).createExperiment.id
    const hidden = (await graphql(asAdmin, 'mutation { createExperiment(input: { name: "private" }) { id } }')).createExperiment.id
    // Readers read the backend by default; one experiment is closed to this one.
    await graphql(asAdmin, 'mutation ($e: String!) { grantPermission(username: "reader", grant: { backend: "local", resourceType: EXPERIMENT, resource: $e, permission: DENY }) { permission } }', { e: hidden.split(':')[2] })
    runs = {
      open: (await graphql(asAdmin, 'mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "visible-run" }) { id } }', { e: open })).createRun.id,
      hidden: (await graphql(asAdmin, 'mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "hidden-run" }) { id } }', { e: hidden })).createRun.id,
    }
    browser = await launchChromium(executablePath)
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await gw?.close()
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })

  it("challenges the page's own requests to Bearer only, so the browser shows no password dialog of its own", async () => {
    for (const path of ['/graphql', '/api/2.0/mlflow/experiments/search']) {
      const scripted = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-requested-with': 'mlgate-dashboard' }, body: '{}' })
      const plain = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      expect([scripted.status, plain.status]).toEqual([401, 401])
      expect(scripted.headers.get('www-authenticate')).not.toMatch(/Basic/)
      expect(plain.headers.get('www-authenticate')).toMatch(/^Basic /)
    }
    // The page itself holds no data: it loads, to ask for credentials.
    expect((await fetch(`${base}/`)).status).toBe(200)
  })

  it('asks who is there, then shows only what that user may read', async () => {
    const { page, elsewhere } = await openPageOn(browser, base)
    await page.goto(`${base}/`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByLabel('User name').fill('reader')
    await page.getByLabel('Password').fill('wrong-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Refused credentials bring the form back.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByLabel('User name').fill('reader')
    await page.getByLabel('Password').fill('reader-password-1')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator(`tr[data-run="${runs.open}"]`).waitFor()
    expect(await page.locator(`tr[data-run="${runs.hidden}"]`).count()).toBe(0)
    await screenshot(page, 'signed-in')
    expect(elsewhere).toEqual([])
    await page.close()
  })
})
