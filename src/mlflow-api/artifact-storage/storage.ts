import type { Readable } from 'node:stream'

/** One entry of a directory listing, as MLflow's artifact APIs answer it. */
export interface FileInfo {
  path: string
  is_dir: boolean
  file_size?: number
}

/** What a path holds: a file (its size, and its bytes on demand), a directory, or nothing. */
export type StoredEntry = { kind: 'file'; size: number; read(): Readable } | { kind: 'directory' } | null

/** A multipart upload's part URLs, as MLflow's `mpu/create` answers them (the client PUTs each part straight to the storage). */
export interface MultipartUpload {
  uploadId: string
  parts: { partNumber: number; url: string }[]
}

/**
 * Where the artifact proxy's files live (`artifacts: { kind: local | s3 }`).
 * Paths are relative, already checked by ArtifactStore (no `..`, no empty
 * or dot segments): a storage maps them to its own places. Writes stream:
 * no storage holds a whole file in memory.
 */
export interface ArtifactStorage {
  /** The direct children of a directory, sorted by name; [] where there is none. */
  list(relative: string): Promise<FileInfo[]>
  entry(relative: string): Promise<StoredEntry>
  /** Writes a file from a stream, whole or not at all (a failed stream leaves nothing). */
  write(relative: string, body: Readable): Promise<void>
  /** Removes a file, or a directory and all under it. */
  delete(relative: string): Promise<void>
  /** Large uploads in parts sent straight to the storage (S3's multipart upload); absent where the storage has none. */
  readonly multipart?: {
    create(relative: string, parts: number): Promise<MultipartUpload>
    complete(relative: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>
    abort(relative: string, uploadId: string): Promise<void>
  }
}
