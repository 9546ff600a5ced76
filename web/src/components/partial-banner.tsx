import { type GraphqlError, failedBackendsOf } from '../graphql'

/** A banner naming the backends a partial answer left out, or the error that refused the whole request. */
export function PartialBanner(props: { errors: readonly GraphqlError[]; what: string }) {
  const failed = failedBackendsOf(props.errors)
  if (failed.length > 0) {
    return (
      <div class="banner" role="alert">
        Not answering: {failed.join(', ')}. The {props.what} below are from the other backends.
      </div>
    )
  }
  if (props.errors.length > 0) {
    return (
      <div class="error" role="alert">
        {props.errors[0].message}
      </div>
    )
  }
  return null
}
