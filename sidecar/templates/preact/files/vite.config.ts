// Vite with Preact (JSX, hot reload and React-compatible aliases through @preact/preset-vite).
import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [preact()],
})
