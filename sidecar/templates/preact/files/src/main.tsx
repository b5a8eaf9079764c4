// Entry point: renders the app into #app.
import { render } from 'preact'
import { App } from './app.tsx'
import './index.css'

render(<App />, document.getElementById('app')!)
