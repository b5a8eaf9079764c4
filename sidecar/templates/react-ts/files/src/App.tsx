// The app. Replace this component with your first screen.
import { useState } from 'react'
import './App.css'

export default function App() {
  const [count, setCount] = useState(0)
  return (
    <main className="app">
      <h1>{{title}}</h1>
      <p>
        Edit <code>src/App.tsx</code> and save to see it change.
      </p>
      <button type="button" onClick={() => setCount((n) => n + 1)}>
        Clicked {count} {count === 1 ? 'time' : 'times'}
      </button>
    </main>
  )
}
