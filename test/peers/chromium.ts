import { existsSync } from 'node:fs'

/**
 * Debian's Chromium (`apt-get install chromium`), driven by playwright-core:
 * no browser is downloaded at run time. CHROMIUM_PATH names another build.
 */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser']
  return candidates.find((path): path is string => path !== undefined && existsSync(path)) ?? null
}
