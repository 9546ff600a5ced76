import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ComparePage } from './pages/compare'
import { LineagePage } from './pages/lineage'
import { ModelsPage } from './pages/models'
import { RunPage } from './pages/run'
import { RunsPage } from './pages/runs'
import { SignInPage } from './pages/sign-in'
import { VersionPage } from './pages/version'
import { routeOf } from './route'
import { type DashboardSettings, loadSettings } from './settings'
import { needsSignIn, onSignInChange } from './sign-in'
import './style.css'

/** The page the location hash names, kept in step with it (the URL is the page's state, so a view can be shared). */
function App(props: { settings: DashboardSettings }) {
  const [hash, setHash] = useState(location.hash)
  const [signIn, setSignIn] = useState(needsSignIn())
  useEffect(() => {
    const follow = () => setHash(location.hash)
    addEventListener('hashchange', follow)
    const stop = onSignInChange(() => setSignIn(needsSignIn()))
    return () => {
      removeEventListener('hashchange', follow)
      stop()
    }
  }, [])
  const route = routeOf(hash, props.settings.mlflowApiBackend)
  return (
    <>
      <header>
        <strong>mlgate</strong>
        <a href="#/">Runs</a>
        <a href="#/models">Models</a>
        <a href="/graphql">GraphiQL</a>
      </header>
      {/* A new hash starts its page afresh, but the runs table keeps its place (the cursors behind Previous) while its view changes. */}
      <main key={signIn ? 'sign-in' : route.page === 'runs' ? 'runs' : hash}>
        {signIn && <SignInPage />}
        {!signIn && route.page === 'runs' && <RunsPage state={route.state} />}
        {!signIn && route.page === 'run' && <RunPage runGid={route.runGid} settings={props.settings} />}
        {!signIn && route.page === 'compare' && <ComparePage state={route.state} />}
        {!signIn && route.page === 'models' && <ModelsPage state={route.state} />}
        {!signIn && route.page === 'version' && <VersionPage versionGid={route.versionGid} />}
        {!signIn && route.page === 'lineage' && <LineagePage gid={route.gid} />}
        {!signIn && route.page === 'not-found' && <p role="alert">No page at {route.hash}.</p>}
      </main>
    </>
  )
}

void loadSettings().then((settings) => render(<App settings={settings} />, document.getElementById('app') as HTMLElement))
