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

/** The first string in a JSON-like value that `stringProblem` refuses, with where it is. */
export function findStringProblem(value: unknown, maxLength: number, path = ''): string | null {
  if (typeof value === 'string') {
    const problem = stringProblem(value, maxLength)
    return problem ? `${path || 'a value'} ${problem}` : null
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findStringProblem(value[index], maxLength, `${path}[${index}]`)
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findStringProblem(key, maxLength, `${path} key`) ?? findStringProblem(item, maxLength, path ? `${path}.${key}` : key)
      if (found) return found
    }
  }
  return null
}
