/**
 * Strings a client sends, checked once for every API before anything
 * stores or searches them: PostgreSQL cannot hold U+0000 (a NUL that reached
 * it once cost the process), and no name, filter or value needs to be
 * longer than limits.stringLength.
 */

/** Why a string may not be stored or searched for, or null when it may. */
export function stringProblem(value: string, maxLength: number): string | null {
  if (value.length > maxLength) return `is ${value.length} characters long; the limit is ${maxLength} (limits.stringLength)`
  if (value.includes('\0')) return 'contains a NUL character (U+0000), which cannot be stored'
  return null
}

/**
 * The first string in a JSON-like value that `stringProblem` refuses, with where it is.
 * Every request body passes through here (a 1,000-metric log-batch holds 2,000 strings),
 * so the walk builds no paths until it knows there is something to report.
 */
export function findStringProblem(value: unknown, maxLength: number): string | null {
  return hasStringProblem(value, maxLength) ? locateStringProblem(value, maxLength, '') : null
}

function hasStringProblem(value: unknown, maxLength: number): boolean {
  if (typeof value === 'string') return value.length > maxLength || value.includes('\0')
  if (Array.isArray(value)) return value.some((item) => hasStringProblem(item, maxLength))
  if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (hasStringProblem(key, maxLength) || hasStringProblem((value as Record<string, unknown>)[key], maxLength)) return true
    }
  }
  return false
}

function locateStringProblem(value: unknown, maxLength: number, path: string): string | null {
  if (typeof value === 'string') {
    const problem = stringProblem(value, maxLength)
    return problem ? `${path || 'a value'} ${problem}` : null
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = locateStringProblem(value[index], maxLength, `${path}[${index}]`)
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = locateStringProblem(key, maxLength, `${path} key`) ?? locateStringProblem(item, maxLength, path ? `${path}.${key}` : key)
      if (found) return found
    }
  }
  return null
}
