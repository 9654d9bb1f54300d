/**
 * Builds the portal into web/dist, which the node serves at `/`. `npm run dev:web` serves it with
 * hot reload and proxies the API to a node on 127.0.0.1:3000 (`npm start`).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const node = 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, sourcemap: false },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': node, '/fhir': node, '/health': node },
  },
});
