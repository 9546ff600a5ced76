import { invalidParameter } from './errors.js'

/**
 * MLflow's validate_path_is_safe (mlflow/utils/uri.py): a path to join under
 * a run's or a version's root, percent-decoded until it no longer changes,
 * with no `#`, no backslash, no `..` segment and nothing absolute. Joined
 * unchecked, `../../x` would leave the run for another place in the store.
 */
export function safeRelativePath(path: string): string {
  let decoded = path
  for (let round = 0; round < 10; round++) {
    let next: string
    try {
      next = decodeURIComponent(decoded)
    } catch {
      break
    }
    if (next === decoded) break
    decoded = next
  }
  const windowsAbsolute = /^[A-Za-z]:/.test(decoded)
  if (decoded.includes('#') || decoded.includes('\\') || decoded.includes('\0') || decoded.split('/').includes('..') || decoded.startsWith('/') || windowsAbsolute) {
    throw invalidParameter('Invalid path')
  }
  return decoded
}
