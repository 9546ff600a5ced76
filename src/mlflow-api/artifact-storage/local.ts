import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { randomUUID } from 'node:crypto'
import { invalidParameter } from '../errors.js'
import type { ArtifactStorage, FileInfo, StoredEntry } from './storage.js'

/**
 * Artifacts as files under one directory (`artifacts: { kind: local, dir }`,
 * the default). No symlink on the way is followed: a link planted under the
 * root must not lead reads, writes or deletes outside it. Writes go to a
 * temporary file renamed into place.
 */
export class LocalArtifactStorage implements ArtifactStorage {
  private readonly root: string

  constructor(directory: string) {
    this.root = resolve(directory)
  }

  async list(relative: string): Promise<FileInfo[]> {
    const directory = await this.locate(relative)
    let entries
    try {
      entries = await readdir(directory, { withFileTypes: true })
    } catch {
      return [] // MLflow lists nothing for a path that is not there.
    }
    const files = await Promise.all(
      entries
        // Half-written uploads and links (which are never followed) are not artifacts.
        .filter((entry) => !entry.name.startsWith('.upload-') && !entry.isSymbolicLink())
        .map(async (entry): Promise<FileInfo> =>
          entry.isDirectory() ? { path: entry.name, is_dir: true } : { path: entry.name, is_dir: false, file_size: (await stat(join(directory, entry.name))).size },
        ),
    )
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  async entry(relative: string): Promise<StoredEntry> {
    const file = await this.locate(relative)
    const info = await lstat(file).catch(() => null)
    if (info?.isDirectory()) return { kind: 'directory' }
    if (!info?.isFile()) return null
    return { kind: 'file', size: info.size, read: () => createReadStream(file) }
  }

  async write(relative: string, body: Readable): Promise<void> {
    const file = await this.locate(relative)
    await mkdir(dirname(file), { recursive: true })
    const partial = join(dirname(file), `.upload-${randomUUID()}`)
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }))
      await rename(partial, file)
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
  }

  async delete(relative: string): Promise<void> {
    // rm removes a link inside the tree as a link, never what it points to.
    await rm(await this.locate(relative), { recursive: true, force: true })
  }

  /** The path under the root, refusing any symlink on the way (the segments were checked by ArtifactStore). */
  private async locate(relative: string): Promise<string> {
    const segments = relative.split('/').filter((segment) => segment.length > 0)
    const located = resolve(this.root, ...segments)
    if (located !== this.root && !located.startsWith(this.root + sep)) throw invalidParameter(`Invalid artifact path: '${relative}'`)
    let current = this.root
    for (const segment of segments) {
      current = join(current, segment)
      const info = await lstat(current).catch(() => null)
      if (!info) break
      if (info.isSymbolicLink()) throw invalidParameter(`Invalid artifact path: '${relative}' (symbolic links are not followed)`)
    }
    return located
  }
}
