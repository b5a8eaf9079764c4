// Vite for a static site: index.html is the entry; list more pages under build.rollupOptions.input.
import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    rollupOptions: {
      input: { main: 'index.html' },
    },
  },
})
