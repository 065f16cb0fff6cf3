// Vite config for the participant web app (web/). Kept at the repository root so that the API
// server and CI can build the SPA with one known config; `web` is the Vite root.
//
// npm installed vite and the Svelte plugin under web/node_modules (not hoisted), so a bare import
// from this file would not resolve. The plugin is therefore resolved from web/ at load time;
// the type-only imports below are erased and cost nothing at runtime.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { UserConfig } from 'vite';
import type * as SveltePlugin from '@sveltejs/vite-plugin-svelte';

const webDir = fileURLToPath(new URL('./web/', import.meta.url));
const requireFromWeb = createRequire(`${webDir}package.json`);
const { svelte } = (await import(
  pathToFileURL(requireFromWeb.resolve('@sveltejs/vite-plugin-svelte')).href
)) as typeof SveltePlugin;

// The API the dev server forwards /api (HTTP and WebSocket) to.
const api = process.env.QUIZARENA_API ?? 'http://127.0.0.1:3000';

const config: UserConfig = {
  root: webDir,
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Phones on slow networks: one small entry chunk, no inlined source maps.
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // Keep the Host header as the browser sent it (no changeOrigin): the API's CSRF check compares
    // Origin with the host, and both must name the dev server.
    proxy: {
      '/api': { target: api, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: api, ws: true },
    },
  },
};

export default config;
