// Test runner configuration: host and webview unit tests, and the webview's browser tests (real
// Chromium through playwright-core). The sidecar's tests run under `cargo test`; the VS Code
// end-to-end suite under `test/e2e/run.mjs`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/browser/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and process tests are heavy on a 2-core machine; run files one at a time.
    fileParallelism: false,
  },
});
