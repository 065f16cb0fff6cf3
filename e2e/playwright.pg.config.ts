// The participant journey once more, against a PostgreSQL-backed server (issue #8): the same spec,
// the same built web app, the store behind the API swapped. `npm run test:pg --workspace e2e`.
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

const PORT = Number(process.env.E2E_PG_PORT ?? 3101);

export default defineConfig({
  ...base,
  testMatch: 'participant-journey.spec.ts',
  outputDir: './.tmp/results-pg',
  use: { ...base.use, baseURL: `http://127.0.0.1:${PORT}` },
  webServer: {
    ...base.webServer,
    command: 'rm -rf .tmp/data-pg && node --import tsx pg-server.ts',
    url: `http://127.0.0.1:${PORT}/api/health`,
    env: {
      ...(base.webServer && !Array.isArray(base.webServer) ? base.webServer.env : {}),
      PORT: String(PORT),
      DATA_DIR: '.tmp/data-pg',
    },
  },
});
