import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { DashboardModelVersionDocument, DashboardRunsDocument, type DashboardRunsQueryVariables } from '../generated/graphql.js'
import { buildDashboard, launchChromium, openPage as openPageOn, screenshot } from '../support/dashboard.js'
import { describeChromium, describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy.js'
// The page's chart registry (window.mlgateCharts), as the dashboard declares it.
import type {} from '../../web/src/charts/chart-model.js'

/**
 * The dashboard's pages in a real browser over a native store and a real
 * MLflow server: the runs table against the GraphQL answer it shows,
 * Compare's charts (read from the page's chart models, not pixels) growing
 * live, a spike in a million points, zoom, a run's page, models, lineage,
 * GraphiQL offline, and a stopped MLflow backend.
 */
// Beside the whole suite on two cores, a page's answers over the shared MLflow server can take a while.
vi.setConfig({ testTimeout: 180_000 })

describeChromium('dashboard pages', (executablePath) => {
  describeMlflow('over native and MLflow backends', (mlflowUrl) => {
    const suite = `s${Math.random().toString(36).slice(2, 8)}`
    let gw: TestGateway
    let base: string
    let browser: Browser
    let outDir: string
    let artifactsDir: string
    let mlflowProxy: TcpProxy
    const runs: Record<string, string> = {}
    let experiments: { local: string; mlflow: string }

    const graphql = async <T = Record<string, { id: string }>>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      const body = (await response.json()) as { data: T; errors?: unknown }
      expect(body.errors).toBeUndefined()
      return body.data
    }
    const createRun = async (name: string, experiment: string, params: Record<string, string>, metrics: Record<string, number>, extra: { tags?: Record<string, string> } = {}) => {
      const id = (
        await graphql('mutation ($e: ID!, $name: String!, $params: [ParamInput!], $tags: [TagInput!]) { createRun(input: { experimentId: $e, name: $name, params: $params, tags: $tags }) { id } }', {
          e: experiment,
          name,
          params: Object.entries({ suite, ...params }).map(([key, value]) => ({ key, value })),
          tags: Object.entries(extra.tags ?? {}).map(([key, value]) => ({ key, value })),
        })
      ).createRun.id
      if (Object.keys(metrics).length > 0) {
        await graphql('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: id, m: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0 })) })
      }
      runs[name] = id
      return id
    }
    const logCurve = (runId: string, key: string, steps: number[], valueAt: (step: number) => number) =>
      graphql('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: runId, m: steps.map((step) => ({ key, step, value: valueAt(step) })) })
    const openPage = () => openPageOn(browser, base)
    /** What a chart of the page holds, per run: its points, whether reduced, the series' full length. */
    const chartOf = (page: Page, key: string) =>
      page.evaluate((metric) => {
        const model = window.mlgateCharts?.[metric]
        if (!model) return null
        return Object.fromEntries([...model.runs.values()].map((series) => [series.runGid, { steps: series.points.map((point) => point.step), values: series.points.map((point) => point.value), sampled: series.sampled, totalPoints: series.totalPoints }]))
      }, key)

    beforeAll(async () => {
      outDir = await buildDashboard()
      artifactsDir = mkdtempSync(join(tmpdir(), 'mlgate-dashboard-artifacts-'))
      const url = new URL(mlflowUrl)
      mlflowProxy = await startTcpProxy(url.hostname, Number(url.port))
      // The MLflow server is shared with every suite running beside this one: give it time, so a slow answer is not a banner.
      gw = await startTestGateway({
        backends: [
          { id: 'local', kind: 'native', dataDir: 'memory://' },
          { id: 'mlflow', kind: 'mlflow', url: `http://127.0.0.1:${mlflowProxy.port}`, readOnly: false, timeoutMs: 30_000 },
        ],
        dashboard: { dir: outDir },
        mlflowApi: { artifactsDir },
      })
      base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
      experiments = {
        local: (await graphql('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: `dash-${suite}` })).createExperiment.id,
        mlflow: (await graphql('mutation ($n: String!) { createExperiment(input: { name: $n, backend: "mlflow" }) { id } }', { n: `dash-${suite}` })).createExperiment.id,
      }
      await createRun('local-high', experiments.local, { lr: '0.01', layers: '4' }, { acc: 0.9 })
      await createRun('local-mid', experiments.local, { lr: '0.1', layers: '4' }, { acc: 0.4 })
      await createRun('local-low', experiments.local, { lr: '0.3', layers: '4' }, { acc: 0.1 })
      await createRun('mlflow-high', experiments.mlflow, { lr: '0.02', layers: '4' }, { acc: 0.7 })
      await createRun('mlflow-low', experiments.mlflow, { lr: '0.2', layers: '8' }, { acc: 0.3 })
      await logCurve(runs['local-high'], 'loss', [1, 2, 3, 4, 5], (step) => 1 / step)
      await logCurve(runs['local-mid'], 'loss', [1, 2, 3, 4, 5], (step) => 2 / step)
      await logCurve(runs['mlflow-high'], 'loss', [1, 2, 3, 4, 5], (step) => 1.5 / step)
      browser = await launchChromium(executablePath)
    }, 180_000)
    afterAll(async () => {
      await browser?.close()
      await gw?.close()
      await mlflowProxy?.cut()
      for (const dir of [outDir, artifactsDir]) if (dir) rmSync(dir, { recursive: true, force: true })
    })

    /**
     * The suite's five runs in the table. The MLflow server is shared with every suite running beside this
     * one: under that load its answer can miss the gateway's timeout, and the page then rightly shows the
     * native runs with a banner. A user would reload; so does this, a few times, before failing.
     */
    const openSuiteRuns = async (page: Page) => {
      for (let attempt = 1; ; attempt++) {
        if (attempt === 1) await page.goto(`${base}/#/?filter=${encodeURIComponent(`params.suite = '${suite}'`)}`)
        else await page.reload()
        const complete = await page
          .waitForFunction(() => document.querySelectorAll('table.runs tbody tr').length === 5, undefined, { timeout: 40_000 })
          .then(() => true)
          .catch(() => false)
        if (complete) return
        if (attempt === 4) throw new Error('the suite\'s five runs never listed in four page loads')
      }
    }

    /** The ids of the table's rows, in order. */
    const rowIds = (page: Page) => page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run')))

    it('filters and sorts the runs of both backends as the GraphQL answer does, a metric column included', async () => {
      const { page, elsewhere } = await openPage()
      // Not the bare page: its first answer would span every run of the MLflow server all suites share.
      await openSuiteRuns(page)
      await page.getByLabel('Filter', { exact: true }).fill(`params.suite = '${suite}' and metrics.acc > 0.35`)
      await page.getByRole('button', { name: 'Filter', exact: true }).click()
      await page.waitForFunction(() => document.querySelectorAll('table.runs tbody tr').length === 3)
      await page.locator('details.columns summary').click()
      await page.getByRole('checkbox', { name: 'acc', exact: true }).check()
      await page.locator('th[data-metric="acc"] button').click()
      await page.waitForFunction(() => location.hash.includes('sort=DESC%2CMETRIC%2Cacc'))
      const variables: DashboardRunsQueryVariables = {
        mlflowFilter: `params.suite = '${suite}' and metrics.acc > 0.35`,
        orderBy: [{ field: 'METRIC', key: 'acc', direction: 'DESC' }],
        first: 50,
        paramKeys: [],
        metricKeys: ['acc'],
      }
      const expected = (await gw.data(DashboardRunsDocument, variables)).runs.nodes
      await page.waitForFunction((first) => document.querySelector('table.runs tbody tr')?.getAttribute('data-run') === first, expected[0].id)
      expect(await rowIds(page)).toEqual(expected.map((run) => run.id))
      expect(expected.map((run) => run.name)).toEqual(['local-high', 'mlflow-high', 'local-mid'])
      const cells = await page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(2).map((cell) => cell.textContent)))
      expect(cells.map((row) => [row[0], row.at(-1)])).toEqual(expected.map((run) => [run.backend.id, String(run.metrics[0].value)]))
      // Ascending on a second click, as GraphQL orders it.
      await page.locator('th[data-metric="acc"] button').click()
      const ascending = (await gw.data(DashboardRunsDocument, { ...variables, orderBy: [{ field: 'METRIC', key: 'acc', direction: 'ASC' }] })).runs.nodes
      await page.waitForFunction((first) => document.querySelector('table.runs tbody tr')?.getAttribute('data-run') === first, ascending[0].id)
      expect(await rowIds(page)).toEqual(ascending.map((run) => run.id))
      await page.locator('.badge[data-backend="mlflow"][data-health="up"]').waitFor()
      await screenshot(page, 'runs')
      // The URL holds the view: opened afresh, it shows the same rows.
      const shared = await browser.newPage()
      await shared.goto(page.url())
      await shared.waitForFunction((first) => document.querySelector('table.runs tbody tr')?.getAttribute('data-run') === first, ascending[0].id)
      expect(await rowIds(shared)).toEqual(ascending.map((run) => run.id))
      expect(elsewhere).toEqual([])
      await shared.close()
      await page.close()
    })

    it('shows a filter the gateway refuses with a caret at the position it names', async () => {
      const { page } = await openPage()
      // The first table's answer is held until the filter is typed: its arrival must not put the applied filter back in the box.
      let release = () => {}
      const held = new Promise<void>((resolve) => (release = resolve))
      let holding = true
      await page.route('**/graphql', async (route) => {
        if (holding && route.request().postData()?.includes('DashboardRuns')) {
          holding = false
          await held
        }
        await route.continue()
      })
      await page.goto(`${base}/#/?filter=${encodeURIComponent(`params.suite = '${suite}'`)}`)
      const filter = `params.suite = '${suite}' and metrics.acc >> 1`
      const box = page.getByLabel('Filter', { exact: true })
      await box.fill(filter)
      release()
      await page.locator(`tr[data-run="${runs['local-high']}"]`).waitFor()
      expect(await box.inputValue()).toBe(filter)
      await box.press('Enter')
      const alert = page.locator('.error[data-position]')
      await alert.waitFor()
      const answer = await gw.request(DashboardRunsDocument, { mlflowFilter: filter })
      const position = (answer.errors?.[0].extensions as { position?: number }).position
      expect(position).toBe(filter.indexOf('>> 1') + 1)
      expect(await alert.getAttribute('data-position')).toBe(String(position))
      const caret = (await alert.locator('pre').innerText()).split('\n')
      expect(caret[1].indexOf('^')).toBe(position)
      expect(await alert.innerText()).toContain(answer.errors?.[0].message)
      await screenshot(page, 'runs-filter-error')
      await page.close()
    })

    it('pages through runs by cursor, forward and back', async () => {
      const pageSuite = `${suite}-paged`
      for (let i = 0; i < 53; i++) {
        await graphql('mutation ($e: ID!, $n: String!, $s: String!) { createRun(input: { experimentId: $e, name: $n, params: [{ key: "suite", value: $s }] }) { id } }', { e: experiments.local, n: `paged-${String(i).padStart(2, '0')}`, s: pageSuite })
      }
      const { page } = await openPage()
      await page.goto(`${base}/#/?filter=${encodeURIComponent(`params.suite = '${pageSuite}'`)}&sort=ASC%2CNAME`)
      await page.waitForFunction(() => document.querySelectorAll('table.runs tbody tr').length === 50)
      const first = await page.locator('table.runs tbody tr td:nth-child(2)').allInnerTexts()
      expect(first).toEqual(Array.from({ length: 50 }, (_, i) => `paged-${String(i).padStart(2, '0')}`))
      await page.getByRole('button', { name: 'Next', exact: true }).click()
      await page.waitForFunction(() => document.querySelectorAll('table.runs tbody tr').length === 3)
      expect(await page.locator('table.runs tbody tr td:nth-child(2)').allInnerTexts()).toEqual(['paged-50', 'paged-51', 'paged-52'])
      expect(await page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).toBe(true)
      await page.getByRole('button', { name: 'Previous', exact: true }).click()
      await page.waitForFunction(() => document.querySelectorAll('table.runs tbody tr').length === 50)
      expect(await page.locator('table.runs tbody tr td:nth-child(2)').first().innerText()).toBe('paged-00')
      await page.close()
    })

    it('compares selected runs across backends, and a RUNNING run’s chart grows as points are logged', async () => {
      const { page, elsewhere } = await openPage()
      await openSuiteRuns(page)
      for (const [index, name] of ['local-high', 'local-mid', 'mlflow-high'].entries()) {
        await page.locator(`tr[data-run="${runs[name]}"] input[type="checkbox"]`).click()
        await page.getByRole('link', { name: `Compare ${index + 1} selected` }).waitFor()
      }
      await page.getByRole('link', { name: 'Compare 3 selected' }).click()
      await page.waitForFunction(() => window.mlgateCharts?.loss?.runs.size === 3)
      const before = await chartOf(page, 'loss')
      expect(before?.[runs['mlflow-high']]).toMatchObject({ steps: [1, 2, 3, 4, 5], values: [1.5, 0.75, 0.5, 0.375, 0.3], sampled: false })
      expect(before?.[runs['local-high']].steps).toEqual([1, 2, 3, 4, 5])
      // The params that differ are marked; the shared one is not.
      expect(await page.locator('aside.params tr[data-param="lr"]').getAttribute('class')).toBe('differs')
      expect(await page.locator('aside.params tr[data-param="layers"]').getAttribute('class')).toBe('')
      // Live: points logged through GraphQL reach the open chart, on both backends.
      await logCurve(runs['local-high'], 'loss', [6, 7], (step) => 1 / step)
      await logCurve(runs['mlflow-high'], 'loss', [6], () => 0.25)
      await page.waitForFunction(
        ([local, mlflow]) => {
          const model = window.mlgateCharts?.loss
          return model?.runs.get(local)?.points.at(-1)?.step === 7 && model.runs.get(mlflow)?.points.at(-1)?.step === 6
        },
        [runs['local-high'], runs['mlflow-high']],
        { timeout: 30_000 },
      )
      const after = await chartOf(page, 'loss')
      expect(after?.[runs['local-high']].steps).toEqual([1, 2, 3, 4, 5, 6, 7])
      // A key first logged while watching gets its own chart.
      await logCurve(runs['local-mid'], 'grad_norm', [1, 2], (step) => step * 10)
      await page.waitForFunction((run) => window.mlgateCharts?.grad_norm?.runs.get(run)?.points.length === 2, runs['local-mid'], { timeout: 30_000 })
      // Axis, scale and smoothing live in the URL.
      await page.locator('select[name="x"]').selectOption('relative')
      await page.locator('input[name="log"]').check()
      await page.waitForFunction(() => location.hash.includes('x=relative') && location.hash.includes('log=1'))
      // The page starts afresh for the new URL: hover once every run's series is drawn (a chart is rebuilt as series arrive).
      await page.waitForFunction(() => window.mlgateCharts?.loss?.runs.size === 3 && window.mlgateCharts.loss.drawCount > 0)
      await page.locator('figure.chart[data-metric="loss"] .u-over').hover()
      const readout = page.locator('figure.chart[data-metric="loss"] .readout')
      await readout.locator('span', { hasText: 'local-high' }).waitFor()
      expect(await readout.locator('span').first().innerText()).toMatch(/^relative \d/)
      await screenshot(page, 'compare')
      expect(elsewhere).toEqual([])
      await page.close()
    })

    it('draws a 1,000,000-point series as its min/max envelope, so one spike shows, and zooms in with finer points', async () => {
      const spiky = await createRun('spiky', experiments.local, {}, {})
      const writer = gw.gateway.backends.get('local').writer
      if (!writer) throw new Error('the native backend writes')
      const nativeId = spiky.split(':')[2]
      const spikeStep = 654_321
      const start = Date.now() - 3_600_000
      for (let offset = 0; offset < 1_000_000; offset += 50_000) {
        await writer.logMetrics(
          nativeId,
          Array.from({ length: 50_000 }, (_, i) => ({ key: 'spiky', step: offset + i, timestamp: new Date(start + offset + i), value: offset + i === spikeStep ? 1000 : 0.5 + Math.sin((offset + i) / 5000) * 0.1 })),
        )
      }
      const { page } = await openPage()
      await page.goto(`${base}/#/compare?run=${encodeURIComponent(spiky)}`)
      await page.waitForFunction((run) => (window.mlgateCharts?.spiky?.runs.get(run)?.points.length ?? 0) > 0, spiky, { timeout: 30_000 })
      const whole = (await chartOf(page, 'spiky'))?.[spiky]
      expect(whole?.sampled).toBe(true)
      expect(whole?.totalPoints).toBe(1_000_000)
      expect(whole?.steps.length).toBeLessThanOrEqual(1000)
      expect(Math.max(...(whole?.values ?? []))).toBe(1000)
      await screenshot(page, 'compare-million')
      // Drag across the middle third: the chart asks for those steps again, in finer detail.
      const over = page.locator('figure.chart[data-metric="spiky"] .u-over')
      const box = await over.boundingBox()
      if (!box) throw new Error('the chart has no plotting area')
      await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + (box.width * 2) / 3, box.y + box.height / 2, { steps: 5 })
      await page.mouse.up()
      await page.waitForFunction((run) => (window.mlgateCharts?.spiky?.runs.get(run)?.totalPoints ?? 1_000_000) < 1_000_000, spiky, { timeout: 30_000 })
      const zoomed = (await chartOf(page, 'spiky'))?.[spiky]
      const [low, high] = [Math.min(...(zoomed?.steps ?? [])), Math.max(...(zoomed?.steps ?? []))]
      expect(low).toBeGreaterThan(250_000)
      expect(high).toBeLessThan(750_000)
      expect(zoomed?.totalPoints).toBe(high - low + 1)
      // The spike is in the zoomed range: still drawn.
      expect(Math.max(...(zoomed?.values ?? []))).toBe(1000)
      await screenshot(page, 'compare-zoomed')
      await page.close()
    })

    it("shows a run's datasets, artifacts (downloaded), produced versions, parent and children", async () => {
      const parent = runs['local-high']
      const child = await createRun('local-child', experiments.local, {}, {}, { tags: { 'mlflow.parentRunId': parent.split(':')[2] } })
      await graphql('mutation ($r: ID!) { logInputs(runId: $r, datasets: [{ name: "churn-train", digest: "d1g3st", context: "training", sourceType: "s3", source: "s3://data/churn" }]) { id } }', { r: parent })
      const model = (await graphql('mutation ($n: String!) { createRegisteredModel(input: { name: $n }) { id } }', { n: `churn-${suite}` })).createRegisteredModel.id
      const version = (await graphql('mutation ($m: ID!, $r: String!) { createModelVersion(input: { modelId: $m, runId: $r, source: "runs:/x/model" }) { id } }', { m: model, r: parent })).createModelVersion.id
      const { artifactUri } = (await graphql<{ run: { artifactUri: string } }>('query ($id: ID!) { run(id: $id) { artifactUri } }', { id: parent })).run
      const upload = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifactUri.replace(/^mlflow-artifacts:\/+/, '')}/notes/readme.txt`, { method: 'PUT', body: 'trained on churn' })
      expect(upload.status).toBe(200)
      const { page } = await openPage()
      await page.goto(`${base}/#/runs/${encodeURIComponent(parent)}`)
      await page.getByRole('heading', { name: 'local-high' }).waitFor()
      expect(await page.locator('table.datasets tbody').innerText()).toMatch(/churn-train\s+d1g3st\s+training\s+s3: s3:\/\/data\/churn/)
      expect(await page.locator(`.versions a[href="#/versions/${encodeURIComponent(version)}"]`).innerText()).toBe(`churn-${suite} v1`)
      await page.locator(`.children a[href="#/runs/${encodeURIComponent(child)}"]`).waitFor()
      await page.locator('.artifacts summary', { hasText: 'notes/' }).click()
      const file = page.locator('[data-artifact="notes/readme.txt"]')
      await file.waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), file.click()])
      expect(readFileSync(await download.path(), 'utf8')).toBe('trained on churn')
      await page.locator('figure.chart[data-metric="loss"]').waitFor()
      await screenshot(page, 'run-full')
      await page.goto(`${base}/#/runs/${encodeURIComponent(child)}`)
      await page.getByRole('link', { name: 'local-high' }).waitFor()
      await page.close()
    })

    it('lists every registry’s versions with their promotion, filters them, and promotes and aliases one from its page', async () => {
      const model = (await graphql('mutation ($n: String!) { createRegisteredModel(input: { name: $n }) { id } }', { n: `rank-${suite}` })).createRegisteredModel.id
      const v1 = (await graphql('mutation ($m: ID!) { createModelVersion(input: { modelId: $m, source: "s3://m/1" }) { id } }', { m: model })).createModelVersion.id
      const v2 = (await graphql('mutation ($m: ID!) { createModelVersion(input: { modelId: $m, source: "s3://m/2" }) { id } }', { m: model })).createModelVersion.id
      const mlflowModel = (await graphql('mutation ($n: String!) { createRegisteredModel(input: { name: $n, backend: "mlflow" }) { id } }', { n: `rank-${suite}` })).createRegisteredModel.id
      const m1 = (await graphql('mutation ($m: ID!) { createModelVersion(input: { modelId: $m, source: "s3://m/1" }) { id } }', { m: mlflowModel })).createModelVersion.id
      await graphql('mutation ($id: ID!) { transitionModelVersion(id: $id, stage: PRODUCTION) { id } }', { id: m1 })
      const { page } = await openPage()
      await page.goto(`${base}/#/models`)
      await page.getByLabel('Model name').fill(`rank-${suite}`)
      await page.getByLabel('Model name').press('Enter')
      await page.waitForFunction(() => document.querySelectorAll('table.models tbody tr').length === 3)
      expect(new URL(page.url()).hash).toContain(`name=rank-${suite}`)
      await screenshot(page, 'models')
      await page.getByLabel('Promotion').selectOption('PRODUCTION')
      await page.waitForFunction(() => document.querySelectorAll('table.models tbody tr').length === 1)
      expect(await page.locator('table.models tbody tr').getAttribute('data-version')).toBe(m1)
      await page.getByLabel('Backend').selectOption('local')
      await page.waitForFunction(() => document.querySelectorAll('table.models tbody tr').length === 0)
      // A version's page: promote it, point an alias at it.
      await page.goto(`${base}/#/versions/${encodeURIComponent(v2)}`)
      await page.locator('dd[data-field="state"]', { hasText: 'NONE' }).waitFor()
      await page.locator('select[name="promotion"]').selectOption('PRODUCTION')
      await page.locator('dd[data-field="state"]', { hasText: 'PRODUCTION' }).waitFor()
      await page.getByLabel('Alias').fill('champion')
      await page.getByRole('button', { name: 'Set alias' }).click()
      await page.locator('dd[data-field="aliases"]', { hasText: 'champion' }).waitFor()
      const stored = (await gw.data(DashboardModelVersionDocument, { id: v2 })).modelVersion
      expect([stored?.promotion, stored?.aliases]).toEqual(['PRODUCTION', ['champion']])
      expect((await gw.data(DashboardModelVersionDocument, { id: v1 })).modelVersion?.promotion).toBe('NONE')
      await screenshot(page, 'version')
      // MLflow's printed link to a version opens it.
      await page.goto(`${base}/#/models/${encodeURIComponent(`rank-${suite}`)}/versions/2`)
      await page.locator('dd[data-field="aliases"]', { hasText: 'champion' }).waitFor()
      await page.close()
    })

    it('draws lineage as layers with edge kinds, marks what does not resolve, and links nodes to their pages', async () => {
      const orphan = await createRun('orphan', experiments.local, {}, {}, { tags: { 'mlflow.parentRunId': 'no-such-parent' } })
      const { page } = await openPage()
      await page.goto(`${base}/#/lineage/${encodeURIComponent(orphan)}`)
      await page.locator('svg.lineage').waitFor()
      const unresolved = page.locator('[data-type="UnresolvedRef"] g.unresolved')
      await unresolved.waitFor()
      expect(await page.locator('svg.lineage g.edge[data-kind="CHILD_OF"] text').textContent()).toBe('CHILD_OF')
      expect(await page.locator('svg.lineage g.edge[data-kind="IN_EXPERIMENT"]').count()).toBe(1)
      // What the run depends on sits to its left.
      const x = async (selector: string) => (await page.locator(selector).boundingBox())?.x ?? Number.NaN
      expect(await x('[data-type="UnresolvedRef"]')).toBeLessThan(await x(`[data-node="${orphan}"]`))
      await screenshot(page, 'lineage')
      await page.locator(`[data-type="Experiment"]`).click()
      await page.waitForFunction(() => location.hash.startsWith('#/?experiment='))
      await page.close()
    })

    it('renders GraphiQL with nothing fetched from the internet', async () => {
      const { page, elsewhere } = await openPage()
      await page.goto(`${base}/graphql`)
      await page.locator('.graphiql-container').first().waitFor()
      await screenshot(page, 'graphiql')
      expect(elsewhere).toEqual([])
      await page.close()
    })

    // Last: it stops the MLflow backend for good.
    it('names a stopped MLflow backend in a banner while the native runs still list', async () => {
      await mlflowProxy.cut()
      const { page } = await openPage()
      await page.goto(`${base}/#/?filter=${encodeURIComponent(`params.suite = '${suite}'`)}`)
      const banner = page.locator('.banner[role="alert"]')
      await banner.waitFor()
      expect(await banner.innerText()).toContain('mlflow')
      await page.locator(`tr[data-run="${runs['local-high']}"]`).waitFor()
      expect(await page.locator(`tr[data-run="${runs['mlflow-high']}"]`).count()).toBe(0)
      await page.locator('.badge[data-backend="mlflow"]:not([data-health="up"])').waitFor()
      await screenshot(page, 'runs-backend-down')
      await page.close()
    })
  })
})

