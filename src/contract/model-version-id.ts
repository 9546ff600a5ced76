/**
 * MLflow and the native registry name a version by its model and number;
 * mlgate joins them into one native id, `<model name>/<version>`. Model
 * names may hold "/", so parsing splits at the last one.
 */
export function modelVersionId(modelName: string, version: number): string {
  return `${modelName}/${version}`
}

export function parseModelVersionId(id: string): { modelName: string; version: number } | null {
  const slash = id.lastIndexOf('/')
  const version = id.slice(slash + 1)
  if (slash <= 0 || !/^[1-9]\d{0,8}$/.test(version)) return null
  return { modelName: id.slice(0, slash), version: Number(version) }
}
