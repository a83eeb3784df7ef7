import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One build serves both faces: the Tauri window and `mdesk serve` both load ui/dist. The Tauri
// transport is a separate chunk loaded only inside the window (see README.md).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  resolve: {
    alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) },
    // Vitest runs components in jsdom; without the browser condition Svelte resolves its server build.
    ...(process.env.VITEST ? { conditions: ['browser'] } : {}),
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.4x, WebView2 and current Chromium all run ES2022.
    target: 'es2022',
    // Keep the CSP strict: no data: URLs for assets.
    assetsInlineLimit: 0,
    // Every webview we target supports <link rel=modulepreload>; the polyfill is dead weight.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
  },
});
