import type { ApiTarget } from './target.js'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** One endpoint of MLflow's REST API 2.0. */
export interface Route {
  method: HttpMethod
  /** Under `/api/2.0/mlflow/`; `:name` segments become parameters. */
  path: string
  /** What a CONFLICT means here: a taken name (creating) or a bad value (anything else). */
  conflict?: 'RESOURCE_ALREADY_EXISTS'
  /** `params`: query string, JSON body and path parameters, merged. Resolves with the answer's JSON. */
  handle(params: Record<string, unknown>, target: ApiTarget): Promise<object>
}
