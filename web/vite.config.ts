// The dashboard bundles everything it loads (no fonts or scripts from other hosts): the built
// files in web/dist are all the server needs to serve it, online or not.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npx vite web` for development: the API runs on its own port (npm start).
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
