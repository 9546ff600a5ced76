import { createHash } from 'node:crypto'
import { z } from 'zod'
import { GatewayError } from '../errors.js'

/**
 * A merged list's cursor: per backend, the token of the backend page the
 * next item sits in and how many items of that page were already consumed
 * (or that the backend is exhausted). It also carries a fingerprint of the
 * query, so a cursor replayed against different arguments is refused rather
 * than silently paging the wrong list.
 */
export interface BackendPosition {
  token: string | null
  offset: number
  done: boolean
}

export type MergedPosition = Record<string, BackendPosition>

const cursorSchema = z.object({
  q: z.string(),
  p: z.record(
    z.string(),
    z.object({ t: z.string().nullable(), o: z.number().int().min(0), d: z.boolean() }),
  ),
})

export function encodeCursor(queryFingerprint: string, position: MergedPosition): string {
  const p = Object.fromEntries(
    Object.entries(position).map(([id, pos]) => [id, { t: pos.token, o: pos.offset, d: pos.done }]),
  )
  return Buffer.from(JSON.stringify({ q: queryFingerprint, p })).toString('base64url')
}

export function decodeCursor(cursor: string, queryFingerprint: string): MergedPosition {
  let parsed: z.infer<typeof cursorSchema>
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    throw new GatewayError('BAD_USER_INPUT', '`after` is not a cursor this gateway issued')
  }
  if (parsed.q !== queryFingerprint) {
    throw new GatewayError('BAD_USER_INPUT', '`after` is a cursor of a different query; page with the same arguments')
  }
  return Object.fromEntries(
    Object.entries(parsed.p).map(([id, pos]) => [id, { token: pos.t, offset: pos.o, done: pos.d }]),
  )
}

/** A short, stable digest of the arguments that define a list (not `first` or `after`). */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 12)
}
