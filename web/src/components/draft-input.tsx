import { useEffect, useState } from 'preact/hooks'

/**
 * A text box whose form applies its text on submit. It holds what is being
 * typed itself: the page re-renders whenever an answer arrives, and a box
 * bound to the applied value would put that value back mid-typing. It
 * follows the applied value when that changes (a link, Back).
 */
export function DraftInput(props: { name: string; label: string; placeholder: string; applied: string }) {
  const [draft, setDraft] = useState(props.applied)
  useEffect(() => setDraft(props.applied), [props.applied])
  return (
    <input
      name={props.name}
      aria-label={props.label}
      placeholder={props.placeholder}
      value={draft}
      onInput={(event) => setDraft(event.currentTarget.value)}
      spellcheck={false}
    />
  )
}
