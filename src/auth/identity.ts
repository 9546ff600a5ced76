/** Who is asking, once their credentials checked out (src/auth/authenticator.ts). */
export interface Identity {
  username: string
  isAdmin: boolean
  /** How they proved it. */
  via: 'password' | 'token' | 'oidc'
  /** Roles the identity provider's groups map to (auth.oidc.groupRoles); users' own roles live in the store. */
  roles: string[]
  /** The API token used, so revoking it can end what it opened. */
  tokenId: string | null
  /** When the credential stops being valid (a token's or a JWT's expiry); null: it does not. */
  expiresAt: Date | null
}

/** The longest username a user may have (and so the longest a sign-in may name). */
export const MAX_USERNAME_LENGTH = 256
