import { z } from 'zod'
import { GatewayError } from '../../errors.js'

/**
 * Where a list of versions stands: versions list group by group (groups by
 * name), so the token holds the groups page being walked (SageMaker's own
 * token for it), the group's index in that page, and SageMaker's token
 * within that group's packages.
 */
const versionsTokenSchema = z
  .object({
    groupsToken: z.string().nullable(),
    groupIndex: z.number().int().min(0),
    packagesToken: z.string().nullable(),
  })
  .strict()

export type VersionsPosition = z.infer<typeof versionsTokenSchema>

export const VERSIONS_START: VersionsPosition = { groupsToken: null, groupIndex: 0, packagesToken: null }

export function encodeVersionsToken(position: VersionsPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

export function decodeVersionsToken(token: string | null, backendId: string): VersionsPosition {
  if (token === null) return VERSIONS_START
  try {
    return versionsTokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')))
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'the cursor is not valid for this list', { backend: backendId })
  }
}
