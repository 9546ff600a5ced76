/** Keys and values (params, tags, latest metrics) as a two-column table. */
export function KeyValues(props: { rows: { key: string; value: string }[] }) {
  if (props.rows.length === 0) return <p>None.</p>
  return (
    <table class="key-values">
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            <th>{row.key}</th>
            <td>{row.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
