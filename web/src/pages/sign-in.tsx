import { useState } from 'preact/hooks'
import { signInWithPassword, signInWithToken } from '../sign-in'

/** Asked for when the gateway answers UNAUTHENTICATED: a user name and password, or a token (an mlgate API token or the OpenID provider's JWT). */
export function SignInPage() {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [token, setToken] = useState('')
  return (
    <section class="sign-in">
      <h1>Sign in</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          signInWithPassword(username, password)
        }}
      >
        <label>
          User name <input name="username" autocomplete="username" value={username} onInput={(event) => setUsername(event.currentTarget.value)} />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          signInWithToken(token)
        }}
      >
        <label>
          Or a token <input name="token" type="password" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        </label>
        <button type="submit">Use token</button>
      </form>
    </section>
  )
}
