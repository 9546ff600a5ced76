import type { GraphqlError } from '../graphql'

/** A filter the gateway refused, with a caret under the offending token (the error's `extensions.position`). */
export function FilterError(props: { filter: string; error: GraphqlError }) {
  const position = props.error.extensions?.position
  return (
    <div class="error" role="alert" data-position={position}>
      {position !== undefined && (
        <pre class="filter-caret">
          {props.filter}
          {'\n'}
          {' '.repeat(position)}^
        </pre>
      )}
      {props.error.message}
    </div>
  )
}
