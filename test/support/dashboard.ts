import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type Browser, type Page, chromium } from 'playwright-core'

/** Where the dashboard tests keep their screenshots (gitignored; CI keeps the folder as an artifact). */
export const SCREENSHOT_DIR = join('test-results', 'screenshots')

/** The dashboard built from web/ by Vite, as `npm start` builds it, into a fresh directory. */
export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'mlgate-dashboard-'))
  await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--outDir', outDir, '--emptyOutDir'], { timeout: 120_000 })
  return outDir
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--no-sandbox'] })
}

/** A page that records every request it makes to an origin other than the gateway's (none may leave it). */
export async function openPage(browser: Browser, base: string): Promise<{ page: Page; elsewhere: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
  // Waits for answers, not for time: generous, for a loaded machine (CI runs every suite at once on two cores).
  page.setDefaultTimeout(90_000)
  const elsewhere: string[] = []
  page.on('request', (request) => {
    if (!request.url().startsWith(base) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) elsewhere.push(request.url())
  })
  return { page, elsewhere }
}

/** Keeps what the page shows, to look at after the run. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
}
