// The routes: one entry in `screens` per page in src/pages/. The register_screen tool adds
// entries above the marker comments below; keep them when you edit this file by hand.
import { Navigate, Route, Routes } from 'react-router'
import type { ComponentType } from 'react'
import HomePage from './pages/home'
// register_screen: imports above this line

export interface Screen {
  id: string
  title: string
  path: string
  component: ComponentType
}

const screens: Screen[] = [
  { id: 'home', title: 'Home', path: '/', component: HomePage },
  // register_screen: screens above this line
]

/** Where unknown paths go. */
const defaultPath = '/'

export function AppRouter() {
  return (
    <Routes>
      {screens.map(({ id, path, component: Page }) => (
        <Route key={id} path={path} element={<Page />} />
      ))}
      <Route path="*" element={<Navigate to={defaultPath} replace />} />
    </Routes>
  )
}
