import { TERMINAL_RUN_STATUSES } from '../domain.js'
import type { UpdateRunInput } from './backend.js'

/**
 * The end time an update leaves on a run, the same on every backend: the
 * one it gives (null clears it); else, when it moves the run into a
 * terminal status and the run has none yet, now (MLflow's clients stamp
 * the end when a run finishes; callers that do not get the same), unless
 * the update says not to (`stampEndTime: false`, MLflow's own runs/update).
 * `current` is undefined when the backend cannot tell cheaply. Undefined:
 * leave the end time as it is.
 */
export function endTimeAfterUpdate(patch: UpdateRunInput, current: Date | null | undefined, now: Date = new Date()): Date | null | undefined {
  if (patch.endTime !== undefined) return patch.endTime
  if (patch.stampEndTime === false) return undefined
  const finishing = patch.status !== undefined && TERMINAL_RUN_STATUSES.includes(patch.status)
  return finishing && !current ? now : undefined
}
