import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import sirv from 'sirv'
import { sendCodedError } from './coded-answers.js'

/** Where `npm run build:web` writes the dashboard (web/vite.config.ts). */
export const BUILT_DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url))

/**
 * The dashboard at `/`: the built page and its assets (sirv: ETags, ranges,
 * no dotfiles), and `/dashboard/settings.json`, what the page needs to know
 * of this gateway (which backend MLflow's deep links name). Only these paths
 * are its own; every other request passes on. Its answers forbid the page
 * to load anything from another origin (a Content-Security-Policy), and it
 * is behind the same door as every route.
 */
export const isDashboardBuilt = (dir: string) => existsSync(`${dir}/index.html`)

export function dashboardHandler(options: { dir: string; mlflowApiBackend: string | null }): (request: IncomingMessage, response: ServerResponse) => boolean {
  // Without a build there is nothing to serve (sirv refuses a directory that is not there): `/` says how to build it.
  const serve = isDashboardBuilt(options.dir) ? servedBuild(options.dir) : null
  const settings = JSON.stringify({ mlflowApiBackend: options.mlflowApiBackend })
  return (request, response) => {
    const pathname = (request.url ?? '/').split('?')[0]
    const ours = pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/') || pathname === '/dashboard/settings.json'
    if (!ours) return false
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendCodedError(response, 405, 'BAD_USER_INPUT', `${request.method ?? ''} is not served here; the dashboard answers GET`, { allow: 'GET, HEAD' })
      return true
    }
    if (pathname === '/dashboard/settings.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
      response.end(request.method === 'HEAD' ? undefined : settings)
      return true
    }
    if (!serve) {
      sendCodedError(response, 404, 'NOT_FOUND', 'the dashboard is not built here: npm run build:web (npm start builds it)')
      return true
    }
    serve(request, response, () => sendCodedError(response, 404, 'NOT_FOUND', 'no such file of the dashboard'))
    return true
  }
}

/** The built files (sirv: ETags, no dotfiles), each answer with the page's headers. */
function servedBuild(dir: string) {
  return sirv(dir, {
    dotfiles: false,
    etag: true,
    setHeaders: (response, pathname) => {
      response.setHeader('x-content-type-options', 'nosniff')
      response.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'")
      // Vite names assets by their content: they never change under one name.
      if (pathname.startsWith('/assets/')) response.setHeader('cache-control', 'public, max-age=31536000, immutable')
    },
  })
}
