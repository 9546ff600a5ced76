import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/**
 * The dashboard's build: `npm run build:web` writes web/dist, which the
 * gateway serves at `/` (src/http/dashboard.ts). Everything it needs is in
 * the bundle: nothing is fetched from the internet at run time.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's JSX runtime, compiled by Vite's own transformer (no plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  logLevel: 'warn',
})
