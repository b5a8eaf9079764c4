// The app shell: dark mode, the error boundary and the routes. The active theme's tokens come
// from styles/preview-theme.css, imported after index.css so they win.
import { useEffect } from 'react'
import { AppErrorBoundary } from '@/components/app-error-boundary'
import { AppRouter } from './router'
import './styles/preview-theme.css'

/** Dark mode from `?dark=true` / `?dark=false`, else the operating system's preference. */
function useDarkMode() {
  useEffect(() => {
    const query = new URLSearchParams(window.location.search).get('dark')
    const media = window.matchMedia('(prefers-color-scheme: dark)')
    const apply = () => {
      const dark = query === null ? media.matches : query === 'true'
      document.documentElement.classList.toggle('dark', dark)
    }
    apply()
    media.addEventListener('change', apply)
    return () => media.removeEventListener('change', apply)
  }, [])
}

export default function App() {
  useDarkMode()
  return (
    <AppErrorBoundary>
      <AppRouter />
    </AppErrorBoundary>
  )
}
