/**
 * Who may use the gateway: its users and their API tokens, kept by the
 * gateway's own store (the native backend). Secrets are stored only as
 * hashes made by `src/auth/` (passwords memory-hard, tokens SHA-256 of a
 * random secret); the store never sees a secret itself.
 */

export interface UserRecord {
  id: number
  username: string
  isAdmin: boolean
  /** `src/auth/passwords.ts`'s encoding; null for a user who signs in only through the identity provider or with tokens. */
  passwordHash: string | null
  createdAt: Date
}

export interface ApiTokenRecord {
  /** The token's public part (it is in the token itself): what it is looked up and revoked by. */
  id: string
  username: string
  /** What it is for, as its creator named it. */
  name: string
  /** SHA-256 of the token's secret part, hex. */
  secretHash: string
  createdAt: Date
  /** Null: never expires. */
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface IdentityStore {
  user(username: string): Promise<UserRecord | null>
  /** Every user, by username. */
  users(): Promise<UserRecord[]>
  /** CONFLICT when the username is taken. */
  createUser(input: { username: string; passwordHash: string | null; isAdmin: boolean }): Promise<UserRecord>
  /** NOT_FOUND when there is no such user. */
  updateUser(username: string, patch: { passwordHash?: string; isAdmin?: boolean }): Promise<UserRecord>
  /** Removes the user and their tokens; NOT_FOUND when there is no such user. */
  deleteUser(username: string): Promise<void>

  /** NOT_FOUND when the user does not exist. */
  createToken(input: { id: string; username: string; name: string; secretHash: string; expiresAt: Date | null }): Promise<ApiTokenRecord>
  token(id: string): Promise<ApiTokenRecord | null>
  /** A user's tokens (revoked ones too), newest first. */
  tokens(username: string): Promise<ApiTokenRecord[]>
  /** Marks it revoked (idempotent); NOT_FOUND when there is no such token. */
  revokeToken(id: string): Promise<ApiTokenRecord>
  /** Records a use; coarse (callers touch at most once a minute per token). */
  touchToken(id: string, at: Date): Promise<void>
}
