// Anchors of the audit log's head in a file outside the database (db/src/audit-anchors.ts), so
// that a log that lost its newest entries fails verification. The head is anchored every
// `auditAnchorIntervalMs` when it moved, right after each finalisation (the judging route asks),
// and at shutdown. At start-up the newest anchor is compared with the log, and a log that no
// longer reaches it is reported loudly (the server still starts: judges need it to investigate).
import fp from 'fastify-plugin';
import { AnchorLog, readAnchorFile, type AnchorFile, type AuditAnchor } from '@quizarena/db';

export interface AuditAnchors {
  /** The anchor file, or null when anchoring is off (in-memory databases). */
  file: string | null;
  /** Anchors the current head unless it already is the newest anchor. */
  anchor(): Promise<AuditAnchor | null>;
  /** Every anchor in the file, with any problem found reading it. */
  read(): Promise<AnchorFile>;
}

declare module 'fastify' {
  interface FastifyInstance {
    auditAnchors: AuditAnchors;
  }
}

export default fp(
  async (app) => {
    const file = app.config.auditAnchorFile;
    const log = file ? new AnchorLog(file) : null;
    const anchor = async (): Promise<AuditAnchor | null> => {
      if (!log) return null;
      const head = await app.repos.audit.head();
      return head ? log.append(head, app.now()) : null;
    };
    app.decorate('auditAnchors', {
      file,
      anchor,
      read: async () => (file ? readAnchorFile(file) : { anchors: [], problems: [] }),
    });
    if (!log) return;

    app.addHook('onReady', async () => {
      const last = await log.latest();
      const head = await app.repos.audit.head();
      if (last && (!head || head.id < last.id)) {
        app.log.error(
          { anchor: last, head },
          `AUDIT LOG TRUNCATED: it ends at entry ${head?.id ?? 0} but anchor ${last.seq} says entry ${last.id} existed; run npm run audit:verify`,
        );
      }
    });

    if (app.config.auditAnchorIntervalMs > 0) {
      const timer = setInterval(() => {
        anchor().catch((err: unknown) => app.log.error({ err }, 'could not anchor the audit log'));
      }, app.config.auditAnchorIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }
    // Registered after the db plugin, so this runs before the database closes (onClose hooks
    // run in reverse order of registration).
    app.addHook('onClose', async () => {
      try {
        await anchor();
      } catch (err) {
        app.log.error({ err }, 'could not anchor the audit log at shutdown');
      }
      await log.close();
    });
  },
  { name: 'audit-anchors', dependencies: ['db'] },
);
