import { defineConfig } from 'drizzle-kit';

// The PostgreSQL dialect's migrations (db/src/pg/schema.ts), committed beside the SQLite ones.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/src/pg/schema.ts',
  out: './db/migrations-pg',
});
