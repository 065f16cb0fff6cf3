import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, createRepositories, openDatabase } from '../src/index.ts';

const fill = async () => {
  const database = openDatabase(':memory:');
  const repos = createRepositories(database);
  for (let i = 1; i <= 20; i++) {
    await repos.audit.append({
      at: 1000 + i,
      actorId: i % 3,
      action: 'contest.update',
      targetType: 'contest',
      targetId: i,
      data: { title: `Cuộc thi số ${i}`, nested: { b: 2, a: 1 } },
      ip: '127.0.0.1',
      userAgent: 'test',
    });
  }
  return { database, repos };
};

test('canonical JSON sorts keys at every depth', () => {
  assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
});

test('an untouched chain verifies', async () => {
  const { database, repos } = await fill();
  assert.deepEqual(await repos.audit.verify(), { ok: true, checked: 20, brokenAt: null, reason: null });
  database.close();
});

test('an altered entry is found', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare(`UPDATE audit_log SET data = '{"title":"forged"}' WHERE id = 7`).run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 7);
  assert.match(report.reason!, /altered/);
  database.close();
});

test('a deleted entry is found at the next one', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare('DELETE FROM audit_log WHERE id = 12').run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 13);
  database.close();
});

test('an entry re-hashed after editing still breaks the link of the next one', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare(`UPDATE audit_log SET action = 'x', hash = '${'f'.repeat(64)}' WHERE id = 5`).run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 5);
  database.close();
});
