// The app. Replace this component with your first screen.
import { useState } from 'preact/hooks'

export function App() {
  const [count, setCount] = useState(0)
  return (
    <main class="app">
      <h1>{{title}}</h1>
      <p>
        Edit <code>src/app.tsx</code> and save to see it change.
      </p>
      <button type="button" onClick={() => setCount((n) => n + 1)}>
        Clicked {count} {count === 1 ? 'time' : 'times'}
      </button>
    </main>
  )
}
