// The SQL store and its repositories, closed with the server.
import fp from 'fastify-plugin';
import { createRepositories, openDatabase, type Database, type Repositories } from '@quizarena/db';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    repos: Repositories;
  }
}

export default fp(
  async (app) => {
    const database = openDatabase(app.config.databaseFile);
    app.decorate('database', database);
    app.decorate('repos', createRepositories(database));
    app.addHook('onClose', async () => {
      await app.repos.answerWriter.flush();
      app.repos.liveWriter.flush();
      database.close();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
