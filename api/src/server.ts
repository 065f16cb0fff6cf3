// `npm start`: validates the environment, opens the store, loads the demo contest on an empty
// database, makes sure the configured admin exists, and serves the API and the web app.
import { buildApp } from './app.ts';
import { DatabaseConfigError, exclusively } from '@quizarena/db';
import { ConfigError, describeStore, loadConfig, type Config } from './config.ts';
import { hashPassword } from './services/passwords.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config);
} catch (err) {
  // A DATABASE_URL that is wrong, unreachable or too old: say so, no stack trace.
  if (err instanceof DatabaseConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
console.log(`Store: ${describeStore(config)}`);
if (config.databaseUrl && !config.redisUrl) {
  console.log(
    'No REDIS_URL: this node runs alone (rankings, events and rate limits in this process). ' +
      'Several nodes on one PostgreSQL need REDIS_URL.',
  );
}

/**
 * The start-up writes below (the admin account, the demo) read then write: nodes started together
 * on one PostgreSQL would all find the demo missing and all but one crash on its unique slug. They
 * run one node at a time (a PostgreSQL advisory lock), so the later ones find the work done.
 */
await exclusively(app.database, 'quizarena:start-up', async () => {
  if (config.admin) {
    const { email, password } = config.admin;
    const existing = await app.repos.users.findByEmail(email);
    const passwordHash = await hashPassword(password);
    if (existing) {
      const roles = existing.roles.includes('admin') ? existing.roles : [...existing.roles, 'admin' as const];
      await app.repos.users.update(existing.id, { passwordHash, roles });
    } else {
      await app.repos.users.create({ email, name: 'Administrator', passwordHash, roles: ['admin'] });
    }
    app.log.info({ email }, 'admin account ready');
  }

  if (config.seedDemo) {
    const { seedDemo } = await import('@quizarena/seed');
    const demo = await seedDemo(app.repos, { now: Date.now(), hashPassword });
    if (demo.created) {
      console.log('\nDemo contest loaded. Sign in with:');
      for (const a of demo.accounts)
        console.log(`  ${a.role.padEnd(12)} ${a.email.padEnd(28)} ${a.password}`);
    }
  }
});

const shutdown = async (signal: string) => {
  app.log.info({ signal }, 'shutting down');
  await app.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  const address = await app.listen({ port: config.port, host: config.host });
  console.log(`\nQuizarena is running at ${address.replace('0.0.0.0', 'localhost')}`);
} catch (err) {
  app.log.error({ err }, 'could not start');
  process.exit(1);
}
