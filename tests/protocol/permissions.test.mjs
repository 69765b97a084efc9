// Who may send what: every message type, as a visitor who is not signed
// in, a member, a suspended member, a moderator and an admin. The router's
// one table (routes[] in server/router.c) and the table in
// docs/protocol.md ("Who may send what") must agree, and the running
// server must enforce it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, openWs, root } from './helpers.mjs';
import { member, moderator, ok, stopClean, at, DAY } from './discuss.mjs';

const ROLES = { ROLE_ANON: 0, ROLE_MEMBER: 1, ROLE_MODERATOR: 2, ROLE_ADMIN: 3 };

// routes[] as the source says: [{ type, minRole, writes }] (GROUPED, a
// message that may share a commit, changes nothing here).
function routerTable() {
  const src = readFileSync(join(root, 'server', 'router.c'), 'utf8');
  const body = src.slice(src.indexOf('routes[] = {'), src.indexOf('enum { ROUTE_COUNT'));
  return [...body.matchAll(/\{\s*"([a-z._]+)",\s*(ROLE_[A-Z]+),\s*(READS|WRITES)(?:\s*\|\s*GROUPED)?,\s*h_[a-z_]+\s*\}/g)]
    .map(([, type, role, rw]) => ({ type, minRole: ROLES[role], writes: rw === 'WRITES' }));
}

// The doc's table: message → [least role, suspended column].
function docTable() {
  const doc = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');
  const sec = doc.slice(doc.indexOf('### Who may send what'), doc.indexOf('### The member as moderators see it'));
  const out = new Map();
  for (const line of sec.split('\n')) {
    const m = line.match(/^\| (`[^|]+) \| (anyone|member|moderator|admin) \| ([^|]+) \|$/);
    if (!m) continue;
    for (const [, type] of m[1].matchAll(/`([a-z._]+)`/g)) out.set(type, { role: m[2], suspended: m[3].trim() });
  }
  return out;
}

const roleWord = ['anyone', 'member', 'moderator', 'admin'];

test('the router table and the protocol doc agree', () => {
  const routes = routerTable();
  const doc = docTable();
  assert.ok(routes.length >= 40, `found ${routes.length} routes`);
  for (const r of routes) {
    const d = doc.get(r.type);
    assert.ok(d, `${r.type} is missing from "Who may send what"`);
    assert.equal(d.role, roleWord[r.minRole], `${r.type}: least role`);
    if (r.minRole === ROLES.ROLE_MEMBER || r.minRole === ROLES.ROLE_ANON)
      assert.equal(d.suspended.startsWith('write'), r.writes, `${r.type}: suspended column says "${d.suspended}"`);
  }
  for (const type of doc.keys()) assert.ok(routes.some((r) => r.type === type), `${type} is documented but not routed`);
});

test('every message type with every role', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const routes = routerTable();
  const mod = await moderator(srv);
  const admin = await moderator(srv, { role: 'admin', display_name: 'Ylläpitäjä Ari' });
  const plain = await member(srv);
  const suspended = await member(srv);
  ok(await mod.ws.request({ type: 'member.suspend', member_id: suspended.member.id, until: at(DAY), reason: 'Testi' }));
  const anon = await openWs(srv);
  const who = [
    ['visitor', anon.ws, ROLES.ROLE_ANON, false],
    ['member', plain.ws, ROLES.ROLE_MEMBER, false],
    ['suspended member', suspended.ws, ROLES.ROLE_MEMBER, true],
    ['moderator', mod.ws, ROLES.ROLE_MODERATOR, false],
    ['admin', admin.ws, ROLES.ROLE_ADMIN, false],
  ];
  for (const [name, ws, role, isSuspended] of who) {
    await t.test(name, async () => {
      for (const r of routes) {
        // Fields are left out: a permitted message fails later, with
        // missing_field and the like, never with a permission error.
        const reply = await ws.request({ type: r.type });
        const code = reply.ok ? 'ok' : reply.error.code;
        let expected = null;
        if (role < r.minRole) expected = role === ROLES.ROLE_ANON ? 'unauthenticated' : 'forbidden';
        else if (isSuspended && r.writes) expected = 'suspended';
        if (expected) assert.equal(code, expected, `${name} sending ${r.type}`);
        else assert.ok(!['unauthenticated', 'forbidden', 'suspended'].includes(code), `${name} sending ${r.type} got ${code}`);
      }
    });
  }
  await t.test('a suspension ends for open connections the moment it is lifted', async () => {
    const r = await suspended.ws.request({ type: 'reaction.add' });
    assert.equal(r.error.code, 'suspended');
    assert.match(r.error.message, /suspended until/);
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: suspended.member.id }));
    const again = await suspended.ws.request({ type: 'reaction.add' });
    assert.equal(again.error.code, 'missing_field');
  });
  await t.test('a role change applies to connections already open', async () => {
    const m = await member(srv);
    assert.equal((await m.ws.request({ type: 'audit.list' })).error.code, 'forbidden');
    ok(await admin.ws.request({ type: 'member.role', member_id: m.member.id, role: 'moderator' }));
    ok(await m.ws.request({ type: 'audit.list' }));
    ok(await admin.ws.request({ type: 'member.role', member_id: m.member.id, role: 'member' }));
    assert.equal((await m.ws.request({ type: 'audit.list' })).error.code, 'forbidden');
  });
});
