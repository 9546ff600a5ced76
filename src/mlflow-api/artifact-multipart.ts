import type { ServerResponse } from 'node:http'
import { posix } from 'node:path'
import { z } from 'zod'
import { type ArtifactStore, requirePathPermission, sendJson } from './artifacts.js'
import { MlflowApiError } from './errors.js'
import { parseParams } from './params.js'
import type { ApiTarget } from './target.js'

/** MLflow's answer when the artifact repository cannot take parts (its _UnsupportedMultipartUploadException): the client then uploads in one piece. */
const UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository'
/** S3's ceiling on parts per upload. */
const MAX_PARTS = 10_000

const createRequest = z.object({ path: z.string().min(1), num_parts: z.coerce.number().int().min(1).max(MAX_PARTS).default(1) })
const completeRequest = z.object({
  path: z.string().min(1),
  upload_id: z.string().min(1),
  parts: z.array(z.object({ part_number: z.coerce.number().int().min(1).max(MAX_PARTS), etag: z.string().min(1) })).min(1).max(MAX_PARTS),
})
const abortRequest = z.object({ path: z.string().min(1), upload_id: z.string().min(1) })

/**
 * `POST /api/2.0/mlflow-artifacts/mpu/{create,complete,abort}/<directory>`:
 * MLflow's multipart uploads, as its proxy serves them over S3. The object
 * is `<directory>/<basename of the client's file>`; create answers a
 * presigned URL per part (the client PUTs each part straight to S3, not
 * through the gateway), complete joins the parts, abort drops them. Each
 * needs EDIT on the directory's experiment, as an upload does.
 */
export async function handleMultipartRequest(store: ArtifactStore, target: ApiTarget, step: string, directory: string, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
  const multipart = store.storage.multipart
  if (!multipart) throw new MlflowApiError('NOT_IMPLEMENTED', UNSUPPORTED)
  await requirePathPermission(target, directory, 'EDIT')
  const objectOf = (file: string) => store.checked(posix.join(directory, posix.basename(file)), 'file')
  switch (step) {
    case 'create': {
      const { path, num_parts } = parseParams(createRequest, body)
      const created = await multipart.create(objectOf(path), num_parts)
      return sendJson(response, { upload_id: created.uploadId, credentials: created.parts.map((part) => ({ part_number: part.partNumber, url: part.url, headers: {} })) })
    }
    case 'complete': {
      const { path, upload_id, parts } = parseParams(completeRequest, body)
      await multipart.complete(objectOf(path), upload_id, parts.map((part) => ({ partNumber: part.part_number, etag: part.etag })))
      return sendJson(response, {})
    }
    case 'abort': {
      const { path, upload_id } = parseParams(abortRequest, body)
      await multipart.abort(objectOf(path), upload_id)
      return sendJson(response, {})
    }
    default:
      throw new MlflowApiError('ENDPOINT_NOT_FOUND', `No multipart upload endpoint ${step}`)
  }
}
