import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { RunPage } from './pages/run'
import { RunsPage } from './pages/runs'
import { routeOf } from './route'
import { type DashboardSettings, loadSettings } from './settings'
import './style.css'

/** The page the location hash names, kept in step with it (the URL is the page's state, so a view can be shared). */
function App(props: { settings: DashboardSettings }) {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const follow = () => setHash(location.hash)
    addEventListener('hashchange', follow)
    return () => removeEventListener('hashchange', follow)
  }, [])
  const route = routeOf(hash, props.settings.mlflowApiBackend)
  return (
    <>
      <header>
        <strong>mlgate</strong>
        <a href="#/">Runs</a>
        <a href="/graphql">GraphiQL</a>
      </header>
      <main>
        {route.page === 'runs' && <RunsPage experimentGid={route.experimentGid} />}
        {route.page === 'run' && <RunPage runGid={route.runGid} />}
        {route.page === 'not-found' && <p role="alert">No page at {route.hash}.</p>}
      </main>
    </>
  )
}

void loadSettings().then((settings) => render(<App settings={settings} />, document.getElementById('app') as HTMLElement))
