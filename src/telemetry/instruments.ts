import type { CallInstrument } from '../federation/circuit-breaker.js'

/** Several instruments around one call (metrics' timing outside, the trace's span inside); none: the call as it is. */
export function instrumentsOf(instruments: readonly (CallInstrument | undefined)[]): CallInstrument {
  const present = instruments.filter((instrument): instrument is CallInstrument => instrument !== undefined)
  return (call, args, run) => present.reduceRight<typeof run>((inner, instrument) => () => instrument(call, args, inner), run)()
}
