// The SQL store and its repositories, closed with the server.
import fp from 'fastify-plugin';
import { createRepositories, openStore, type Database, type Repositories } from '@quizarena/db';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    repos: Repositories;
  }
}

export default fp(
  async (app) => {
    const { databaseUrl, databasePool, databaseFile } = app.config;
    const database = await openStore({ databaseUrl, databasePool, databaseFile });
    let repos: Repositories;
    try {
      repos = createRepositories(database);
    } catch (err) {
      await database.close();
      throw err;
    }
    app.decorate<Database>('database', database);
    app.decorate('repos', repos);
    app.addHook('onClose', async () => {
      await app.repos.answerWriter.flush();
      await app.repos.liveWriter.flush();
      await database.close();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
