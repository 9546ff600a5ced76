import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { isUp, rawHttp } from '../support/raw-http.js'

/** The artifact proxy under hostile paths and bodies: the root is never a target, links are not followed, uploads are bounded. */
describe('the artifact proxy', () => {
  let gw: TestGateway
  let port: number
  let root: string
  let outside: string
  const UPLOAD_LIMIT = 64 * 1024

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mlgate-artifacts-root-'))
    outside = mkdtempSync(join(tmpdir(), 'mlgate-artifacts-outside-'))
    writeFileSync(join(outside, 'secret.txt'), 'not yours')
    gw = await startTestGateway({
      backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }],
      mlflowApi: { artifactsDir: root },
      limits: { uploadBytes: UPLOAD_LIMIT },
    })
    port = await gw.gateway.listen(0, '127.0.0.1')
  })
  afterAll(async () => {
    await gw.close()
    rmSync(root, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })

  const artifacts = '/api/2.0/mlflow-artifacts/artifacts'

  it('never deletes or overwrites the root itself', async () => {
    writeFileSync(join(root, 'keep.txt'), 'kept')
    for (const path of [`${artifacts}//`, `${artifacts}/%2F`, `${artifacts}/%2F%2F`, `${artifacts}/./`, '/ajax-api/2.0/mlflow-artifacts/artifacts//']) {
      for (const method of ['DELETE', 'PUT']) {
        const answer = await rawHttp(port, { method, path, body: method === 'PUT' ? 'x' : undefined })
        // `/./` is normalized away by URL parsing: that one names no artifact at all (404).
        expect([method, path, answer.status]).toEqual([method, path, path.endsWith('/./') ? 404 : 400])
        expect(answer.json()).toMatchObject({ error_code: path.endsWith('/./') ? 'ENDPOINT_NOT_FOUND' : 'INVALID_PARAMETER_VALUE' })
      }
    }
    expect(existsSync(root)).toBe(true)
    expect(readdirSync(root)).toContain('keep.txt')
    expect(await isUp(port)).toBe(true)
  })

  it('does not follow a symbolic link under the root, for reading, listing, writing or deleting', async () => {
    mkdirSync(join(root, '1'), { recursive: true })
    symlinkSync(outside, join(root, '1', 'link'))
    symlinkSync(join(outside, 'secret.txt'), join(root, '1', 'file-link'))
    const read = await rawHttp(port, { path: `${artifacts}/1/link/secret.txt` })
    expect(read.status).toBe(400)
    expect(read.text).not.toContain('not yours')
    expect((await rawHttp(port, { path: `${artifacts}/1/file-link` })).status).toBe(400)
    expect((await rawHttp(port, { method: 'PUT', path: `${artifacts}/1/link/planted.txt`, body: 'x' })).status).toBe(400)
    expect((await rawHttp(port, { method: 'DELETE', path: `${artifacts}/1/link/secret.txt` })).status).toBe(400)
    expect(readdirSync(outside).sort()).toEqual(['secret.txt'])
    // Listing the directory shows no links at all.
    const listing = await rawHttp(port, { path: `${artifacts}?path=1` })
    expect(listing.json()).toEqual({})
  })

  it('refuses an upload past limits.uploadBytes, by its length or as it streams, and keeps nothing of it', async () => {
    const big = Buffer.alloc(UPLOAD_LIMIT + 1, 7)
    const declared = await rawHttp(port, { method: 'PUT', path: `${artifacts}/2/run/artifacts/big.bin`, body: big })
    expect(declared.status).toBe(400)
    expect(declared.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
    // Chunked: no length to read up front, so the stream is counted.
    const chunked = await rawHttp(port, { method: 'PUT', path: `${artifacts}/2/run/artifacts/big.bin`, headers: { 'transfer-encoding': 'chunked' }, body: big })
    expect(chunked.status).toBe(400)
    const directory = join(root, '2', 'run', 'artifacts')
    expect(existsSync(directory) ? readdirSync(directory) : []).toEqual([])
    // At the limit it is stored.
    const fits = await rawHttp(port, { method: 'PUT', path: `${artifacts}/2/run/artifacts/fits.bin`, body: Buffer.alloc(UPLOAD_LIMIT, 7) })
    expect(fits.status).toBe(200)
    expect(readdirSync(directory)).toEqual(['fits.bin'])
  })
})
