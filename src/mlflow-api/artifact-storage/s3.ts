import { PassThrough, type Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { S3ArtifactsConfig } from '../../config.js'
import { GatewayError } from '../../errors.js'
import { MlflowApiError } from '../errors.js'
import type { ArtifactStorage, FileInfo, MultipartUpload, StoredEntry } from './storage.js'

/** How long a presigned part URL stays good: a large part over a slow link. */
const PART_URL_SECONDS = 3600
/** lib-storage's parts for a streamed upload, and how many go at once: at most that many parts are in memory. */
const STREAM_PART_BYTES = 8 * 1024 * 1024
const STREAM_PARTS_AT_ONCE = 2

/**
 * Artifacts as objects in one S3 bucket under a prefix
 * (`artifacts: { kind: s3, bucket, prefix, region, endpoint }`), so every
 * replica serves every file. Uploads stream through lib-storage's multipart
 * upload (a few 8 MB parts in memory at most; a failed one is aborted and
 * leaves no object); downloads stream the object's body; MLflow's multipart
 * endpoints hand the client presigned part URLs, so large files go straight
 * to S3. A "directory" is a key prefix, as S3 and MLflow's S3 repository see it.
 */
export class S3ArtifactStorage implements ArtifactStorage {
  private readonly s3: S3Client

  constructor(private readonly config: S3ArtifactsConfig) {
    this.s3 = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      // Path-style addressing for endpoints that are not AWS's own (MinIO, moto, a VPC endpoint by IP).
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      credentials: config.credentials && { ...config.credentials },
    })
  }

  async list(relative: string): Promise<FileInfo[]> {
    const prefix = this.directoryKey(relative)
    const files: FileInfo[] = []
    let token: string | undefined
    do {
      const page: ListObjectsV2CommandOutput = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token })))
      for (const directory of page.CommonPrefixes ?? []) if (directory.Prefix) files.push({ path: directory.Prefix.slice(prefix.length).replace(/\/$/, ''), is_dir: true })
      for (const object of page.Contents ?? []) if (object.Key && object.Key !== prefix) files.push({ path: object.Key.slice(prefix.length), is_dir: false, file_size: object.Size ?? 0 })
      token = page.NextContinuationToken
    } while (token)
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  async entry(relative: string): Promise<StoredEntry> {
    const key = this.key(relative)
    const head = await this.call(() => this.s3.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }))).catch((error: unknown) => {
      if (isMissing(error)) return null
      throw error
    })
    if (head) return { kind: 'file', size: head.ContentLength ?? 0, read: () => this.read(key) }
    const under = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: `${key}/`, MaxKeys: 1 })))
    return (under.KeyCount ?? 0) > 0 ? { kind: 'directory' } : null
  }

  async write(relative: string, body: Readable): Promise<void> {
    const upload = new Upload({ client: this.s3, params: { Bucket: this.config.bucket, Key: this.key(relative), Body: body }, partSize: STREAM_PART_BYTES, queueSize: STREAM_PARTS_AT_ONCE, leavePartsOnError: false })
    // A body that fails (too large, a client that left) fails the upload; lib-storage then aborts it.
    body.once('error', () => void upload.abort().catch(() => {}))
    await this.call(() => upload.done())
  }

  async delete(relative: string): Promise<void> {
    const key = this.key(relative)
    const keys = [key]
    let token: string | undefined
    do {
      const page: ListObjectsV2CommandOutput = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: `${key}/`, ContinuationToken: token })))
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key)
      token = page.NextContinuationToken
    } while (token)
    for (let start = 0; start < keys.length; start += 1000) {
      const Objects = keys.slice(start, start + 1000).map((Key) => ({ Key }))
      await this.call(() => this.s3.send(new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects, Quiet: true } })))
    }
  }

  readonly multipart = {
    create: async (relative: string, parts: number): Promise<MultipartUpload> => {
      const Key = this.key(relative)
      const created = await this.call(() => this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.config.bucket, Key })))
      const uploadId = created.UploadId
      if (!uploadId) throw new GatewayError('BACKEND_ERROR', 'S3 started a multipart upload without an upload id')
      const urls = await Promise.all(
        Array.from({ length: parts }, async (_, index) => ({
          partNumber: index + 1,
          url: await getSignedUrl(this.s3, new UploadPartCommand({ Bucket: this.config.bucket, Key, UploadId: uploadId, PartNumber: index + 1 }), { expiresIn: PART_URL_SECONDS }),
        })),
      )
      return { uploadId, parts: urls }
    },
    complete: async (relative: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> => {
      const Parts = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((part) => ({ PartNumber: part.partNumber, ETag: part.etag }))
      await this.call(() => this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.config.bucket, Key: this.key(relative), UploadId: uploadId, MultipartUpload: { Parts } }))).catch(noSuchUpload)
    },
    abort: async (relative: string, uploadId: string): Promise<void> => {
      await this.call(() => this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.config.bucket, Key: this.key(relative), UploadId: uploadId }))).catch(noSuchUpload)
    },
  }

  close(): void {
    this.s3.destroy()
  }

  /** The object's bytes as a stream at once; the GET starts behind it (an entry's `read` is synchronous). */
  private read(key: string): Readable {
    const out = new PassThrough()
    this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key })))
      .then((object) => {
        const body = object.Body as Readable | undefined
        if (!body) return out.end()
        body.once('error', (error) => out.destroy(error))
        body.pipe(out)
      })
      .catch((error: unknown) => out.destroy(error as Error))
    return out
  }

  private key(relative: string): string {
    return [this.config.prefix.replace(/^\/+|\/+$/g, ''), relative].filter((part) => part.length > 0).join('/')
  }

  private directoryKey(relative: string): string {
    const key = this.key(relative)
    return key === '' ? '' : `${key}/`
  }

  /** S3's failures as the MLflow API answers them: a missing bucket or refused credentials are the server's trouble, not the client's. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      if (error instanceof GatewayError || error instanceof MlflowApiError) throw error
      const name = s3CodeOf(error)
      if (name === 'NoSuchUpload') throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', 'No such multipart upload')
      if (isMissing(error)) throw error
      if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') throw new MlflowApiError('INVALID_PARAMETER_VALUE', `S3 refused the parts: ${name}`)
      throw new GatewayError('BACKEND_UNAVAILABLE', `the artifact storage (S3 bucket ${this.config.bucket}) failed: ${name}`)
    }
  }
}

/** S3's error code: the SDK's error name, or the `Code` of an answer it could not name (some S3-compatible servers). */
function s3CodeOf(error: unknown): string {
  const code = (error as { Code?: unknown } | null)?.Code
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown'
}

/** A multipart upload's 404 is its upload id that S3 no longer knows (completed, aborted, or never made). */
function noSuchUpload(error: unknown): never {
  if (isMissing(error)) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', 'No such multipart upload')
  throw error
}

function isMissing(error: unknown): boolean {
  const name = s3CodeOf(error)
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404
}
