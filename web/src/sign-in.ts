/**
 * The signed-in user's credentials, for a gateway with `auth:` on: a user
 * name and password (sent as Basic, as MLflow's clients do) or a token
 * (an mlgate API token or the OpenID provider's JWT, sent as Bearer). Kept
 * in the tab's sessionStorage: closing the tab signs out.
 */
const STORAGE_KEY = 'mlgate.authorization'
const listeners = new Set<() => void>()

export function authorizationHeader(): string | null {
  return sessionStorage.getItem(STORAGE_KEY)
}

export function signInWithPassword(username: string, password: string): void {
  const bytes = new TextEncoder().encode(`${username}:${password}`)
  store(`Basic ${btoa(String.fromCharCode(...bytes))}`)
}

export function signInWithToken(token: string): void {
  store(`Bearer ${token.trim()}`)
}

/** Called when the gateway answers UNAUTHENTICATED: the page asks for credentials again. */
export function signedOut(): void {
  sessionStorage.removeItem(STORAGE_KEY)
  notify()
}

export function needsSignIn(): boolean {
  return needed
}

let needed = false

export function onSignInChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function store(value: string): void {
  sessionStorage.setItem(STORAGE_KEY, value)
  needed = false
  for (const listener of listeners) listener()
}

function notify(): void {
  needed = true
  for (const listener of listeners) listener()
}
