import { defineConfig } from 'vite';

// Tauri serves ui/dist from the app itself; the dev server is only for `tauri dev`.
export default defineConfig({
  clearScreen: false,
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.4x and WebView2 both run ES2022.
    target: 'es2022',
    // Keep the CSP strict: no inlined data: modules or scripts.
    assetsInlineLimit: 0,
  },
});
