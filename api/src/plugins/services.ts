// The project's services, built once over the repositories, the ranking store and the clock.
import fp from 'fastify-plugin';
import { createAttemptService, type AttemptService } from '../services/attempts.ts';
import { createContestService, type ContestService } from '../services/contests.ts';
import { createRankingService, type RankingService } from '../services/rankings.ts';
import { createJudgingService, type JudgingService } from '../services/judging.ts';
import { createBankService, type BankService } from '../services/banks.ts';
import { createAuthoringService, type AuthoringService } from '../services/authoring.ts';
import { createImageService, type ImageService } from '../services/images.ts';
import { createLiveService, type LiveService } from '../services/live.ts';
import path from 'node:path';

declare module 'fastify' {
  interface FastifyInstance {
    services: {
      rankings: RankingService;
      attempts: AttemptService;
      contests: ContestService;
      banks: BankService;
      judging: JudgingService;
      authoring: AuthoringService;
      images: ImageService;
      live: LiveService;
    };
  }
}

export default fp(
  async (app) => {
    const rankings = createRankingService({ repos: app.repos, store: app.rankingStore, events: app.events });
    const attempts = createAttemptService({
      repos: app.repos,
      rankings,
      now: app.now,
      graceMs: app.config.graceMs,
      log: app.log,
    });
    const banks = createBankService({ repos: app.repos });
    const contests = createContestService({ repos: app.repos, attempts, banks, now: app.now });
    const judging = createJudgingService({
      repos: app.repos,
      rankings,
      store: app.rankingStore,
      attempts,
      now: app.now,
      graceMs: app.config.graceMs,
    });
    const authoring = createAuthoringService({ repos: app.repos, contests, banks, now: app.now });
    const images = createImageService({
      repos: app.repos,
      dir: path.join(app.config.dataDir, 'images'),
      now: app.now,
    });
    const live = createLiveService({ repos: app.repos, events: app.events, now: app.now, log: app.log });
    app.addHook('onClose', async () => live.close());
    app.decorate('services', { rankings, attempts, contests, banks, judging, authoring, images, live });

    // Rankings are a projection of SQL: at start, rebuilt where the store lacks them (all of it in
    // a new process or a new or flushed Redis; in a kept Redis only the rounds it is short of), by
    // one node at a time; with Redis, checked again every few seconds so that a flush mid-round
    // is rebuilt without a restart.
    const freshen = async (check: 'counts' | 'marker') => {
      const outcome = await rankings.ensureFresh(check);
      if (outcome === null) app.log.info('rankings: another node is rebuilding them');
      else if (outcome.rounds > 0) app.log.info(outcome, 'rankings rebuilt from SQL');
    };
    app.addHook('onReady', () => freshen('counts'));
    if (app.redis && app.config.sweepIntervalMs > 0) {
      const timer = setInterval(() => {
        freshen('marker').catch((err: unknown) => app.log.error({ err }, 'rankings check failed'));
      }, app.config.sweepIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }

    // Attempts nobody submitted are finalised shortly after their deadline and grace.
    if (app.config.sweepIntervalMs > 0) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        attempts
          .sweep()
          .then((n) => n > 0 && app.log.info({ finalised: n }, 'overdue attempts finalised'))
          .catch((err: unknown) => app.log.error({ err }, 'sweeper failed'))
          .finally(() => (running = false));
      }, app.config.sweepIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }

    // Live games idle for 12 hours are ended, and questions left open past their close with no
    // node connected to the game are revealed, so that a game never hangs.
    if (app.config.sweepIntervalMs > 0) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        live
          .sweep()
          .then((n) => (n.ended > 0 || n.revealed > 0) && app.log.info(n, 'live games swept'))
          .catch((err: unknown) => app.log.error({ err }, 'live sweep failed'))
          .finally(() => (running = false));
      }, app.config.sweepIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }
  },
  { name: 'services', dependencies: ['db', 'rankings'] },
);
