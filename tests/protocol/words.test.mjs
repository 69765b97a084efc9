// Watched words (docs/protocol.md, "Watched words"): word.list / add /
// update / remove, and block, review and replace on post.create,
// post.edit and topic.create; case, ÄÖÅ, whole words, a final *, several
// words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, ISO_MS } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, stopClean, nextEvent } from './discuss.mjs';
import { ok, refused, itemFor, audit, queue, subscribe, seenPost, eventsOn } from './modkit.mjs';

const WORD_KEYS = ['id', 'word', 'action', 'replacement', 'created_at', 'created_by'];

test('word.add, word.list, word.update, word.remove', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv);

  await t.test('members may not touch the list', async () => {
    for (const type of ['word.list', 'word.add', 'word.update', 'word.remove']) {
      await refused(srv, m.ws, { type, word: 'x', action: 'block', word_id: 1 }, 'forbidden');
    }
  });

  await t.test('an empty list', async () => {
    assert.deepEqual(ok(await mod.ws.request({ type: 'word.list' })).words, []);
  });

  let idiot;
  await t.test('word.add: the word object, stored in lower case; replace defaults to ***; audited', async () => {
    const r = ok(await mod.ws.request({ type: 'word.add', word: 'IDIOOT*', action: 'replace' }));
    idiot = r.word;
    assert.deepEqual(Object.keys(idiot).sort(), [...WORD_KEYS].sort());
    assert.equal(idiot.word, 'idioot*');
    assert.equal(idiot.action, 'replace');
    assert.equal(idiot.replacement, '***');
    assert.match(idiot.created_at, ISO_MS);
    assert.deepEqual(idiot.created_by, { id: mod.member.id, display_name: 'Moderaattori Mari' });
    const log = await audit(mod, 'word.add');
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['word', idiot.id]);
    const up = ok(await mod.ws.request({ type: 'word.add', word: 'ÄÖÅ-SANA', action: 'block' })).word;
    assert.equal(up.word, 'äöå-sana', 'ÄÖÅ lower-cased too');
    assert.equal(up.replacement, '', 'no replacement for block');
    ok(await mod.ws.request({ type: 'word.add', word: "ei kuulu", action: 'review' }));
    ok(await mod.ws.request({ type: 'word.add', word: "d'artagnan", action: 'block' }));
    ok(await mod.ws.request({ type: 'word.add', word: 'x'.repeat(100), action: 'replace', replacement: '' }));
    ok(await mod.ws.request({ type: 'word.add', word: 'kukka', action: 'replace', replacement: 'r'.repeat(100) }));
  });

  await t.test('word.add: bad input and duplicates are refused, nothing written', async () => {
    await refused(srv, mod.ws, { type: 'word.add', action: 'block' }, 'missing_field', 'word');
    await refused(srv, mod.ws, { type: 'word.add', word: 'sana' }, 'missing_field', 'action');
    await refused(srv, mod.ws, { type: 'word.add', word: '   ', action: 'block' }, 'invalid_field', 'word');
    await refused(srv, mod.ws, { type: 'word.add', word: 7, action: 'block' }, 'invalid_field', 'word');
    const e = await refused(srv, mod.ws, { type: 'word.add', word: 'x'.repeat(101), action: 'block' }, 'too_long', 'word');
    assert.equal(e.limit, 100);
    for (const bad of ['a.b', 'sana!', '*sana', 'sa*na', '**', '*', '<b>', 'a_b', 'sana**']) {
      await refused(srv, mod.ws, { type: 'word.add', word: bad, action: 'block' }, 'invalid_field', 'word');
    }
    await refused(srv, mod.ws, { type: 'word.add', word: 'sana', action: 'ban' }, 'invalid_field', 'action');
    await refused(srv, mod.ws, { type: 'word.add', word: 'sana', action: 'block', replacement: '***' }, 'invalid_field', 'replacement');
    await refused(srv, mod.ws, { type: 'word.add', word: 'sana', action: 'review', replacement: '***' }, 'invalid_field', 'replacement');
    const e2 = await refused(srv, mod.ws, { type: 'word.add', word: 'sana', action: 'replace', replacement: 'r'.repeat(101) }, 'too_long', 'replacement');
    assert.equal(e2.limit, 100);
    await refused(srv, mod.ws, { type: 'word.add', word: 'idioot*', action: 'block' }, 'conflict', 'word');
    await refused(srv, mod.ws, { type: 'word.add', word: 'Idioot*', action: 'block' }, 'conflict', 'word');
    await refused(srv, mod.ws, { type: 'word.add', word: 'äÖå-sana', action: 'review' }, 'conflict', 'word');
  });

  await t.test('word.list: alphabetical', async () => {
    const words = ok(await mod.ws.request({ type: 'word.list' })).words;
    const names = words.map((w) => w.word);
    assert.deepEqual(names.filter((w) => /^[a-z' ]/.test(w)), ["d'artagnan", 'ei kuulu', 'idioot*', 'kukka', 'x'.repeat(100)]);
    for (const w of words) assert.deepEqual(Object.keys(w).sort(), [...WORD_KEYS].sort());
  });

  await t.test('word.update changes the action and replacement; audited; bad input refused', async () => {
    const r = ok(await mod.ws.request({ type: 'word.update', word_id: idiot.id, action: 'replace', replacement: '[poistettu]' }));
    assert.equal(r.word.replacement, '[poistettu]');
    assert.equal(r.word.word, 'idioot*');
    const b = ok(await mod.ws.request({ type: 'word.update', word_id: idiot.id, action: 'block' }));
    assert.equal(b.word.action, 'block');
    const log = await audit(mod, 'word.update');
    assert.equal(log.length, 2);
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['word', idiot.id]);
    await refused(srv, mod.ws, { type: 'word.update', action: 'block' }, 'missing_field', 'word_id');
    await refused(srv, mod.ws, { type: 'word.update', word_id: idiot.id }, 'missing_field', 'action');
    await refused(srv, mod.ws, { type: 'word.update', word_id: idiot.id, action: 'ban' }, 'invalid_field', 'action');
    await refused(srv, mod.ws, { type: 'word.update', word_id: idiot.id, action: 'block', replacement: 'x' }, 'invalid_field', 'replacement');
    await refused(srv, mod.ws, { type: 'word.update', word_id: 999999, action: 'block' }, 'not_found', 'word_id');
  });

  await t.test('word.remove: gone from the list; audited; twice is not_found', async () => {
    ok(await mod.ws.request({ type: 'word.remove', word_id: idiot.id }));
    assert.ok(!ok(await mod.ws.request({ type: 'word.list' })).words.some((w) => w.id === idiot.id));
    const log = await audit(mod, 'word.remove');
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['word', idiot.id]);
    await refused(srv, mod.ws, { type: 'word.remove', word_id: idiot.id }, 'not_found', 'word_id');
    await refused(srv, mod.ws, { type: 'word.remove' }, 'missing_field', 'word_id');
    ok(await mod.ws.request({ type: 'word.add', word: 'idioot*', action: 'review' }), 'a removed word can be added again');
  });
});

test('watched words on posts and topics', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const other = await member(srv);
  const period = await openPeriod(mod.ws, { members_may_open_topics: true });
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const tch = `topic:${topic.id}`;
  await subscribe(other.ws, tch);
  const add = async (word, action, replacement) => ok(await mod.ws.request({
    type: 'word.add', word, action, ...(replacement !== undefined ? { replacement } : {}),
  })).word;
  await add('kirosana', 'block');
  await add('äijä', 'block');
  await add('öykkäri', 'block');
  await add('åbo*', 'block');
  await add('ei kuulu', 'block');
  await add('idioot*', 'replace');
  await add('tollo', 'replace', 'kukkanen');
  await add('tarkista', 'review');
  await add('epäilyttävä', 'review');
  const mine = await createPost(m.ws, topic.id, 'Oma viesti', opening.id);

  // `word` quotes the text as the member wrote it.
  const blocked = async (ws, msg, field, word) => {
    const e = await refused(srv, ws, msg, 'watched_word', field);
    assert.equal(e.word, word, `the error names the word: ${JSON.stringify(e)}`);
  };
  const post = (body) => ({ type: 'post.create', topic_id: topic.id, body });

  await t.test('block: post.create refused with field body and the word; the same text without it goes through', async () => {
    await blocked(m.ws, post('Tämä on kirosana tässä'), 'body', 'kirosana');
    await blocked(m.ws, post('KIROSANA!'), 'body', 'KIROSANA');
    await blocked(m.ws, post('Sinä, Kirosana.'), 'body', 'Kirosana');
    await blocked(m.ws, post('**kirosana**'), 'body', 'kirosana');
    assert.equal((await createPost(m.ws, topic.id, 'Tämä on tässä')).status, 'published');
  });

  await t.test('block ignores case, also Ä, Ö and Å', async () => {
    await blocked(m.ws, post('Mikä ÄIJÄ'), 'body', 'ÄIJÄ');
    await blocked(m.ws, post('Äijä tuli'), 'body', 'Äijä');
    await blocked(m.ws, post('Olet ÖYKKÄRI'), 'body', 'ÖYKKÄRI');
    await blocked(m.ws, post('ÅBOLAINEN kirjoittaa'), 'body', 'ÅBOLAINEN');
  });

  await t.test('whole words only, unless the word ends in *; Ä, Ö and Å are letters, not word breaks', async () => {
    for (const body of ['kirosanat ovat pahoja', 'ekirosana', 'äijät', 'päijä', 'öykkärit', 'kåbo', 'kirosanaä', 'äkirosana']) {
      const p = await createPost(m.ws, topic.id, body);
      assert.equal(p.status, 'published', `"${body}" is not a whole-word match`);
      assert.equal(p.body, body);
    }
    await blocked(m.ws, post('åbo'), 'body', 'åbo');
    await blocked(m.ws, post('Åbossa'), 'body', 'Åbossa');
  });

  await t.test('a word of several words', async () => {
    await blocked(m.ws, post('Tämä ei kuulu tänne'), 'body', 'ei kuulu');
    await blocked(m.ws, post('EI KUULU'), 'body', 'EI KUULU');
    for (const body of ['eikuulu', 'ei kuuluu', 'hei kuulu']) {
      assert.equal((await createPost(m.ws, topic.id, body)).status, 'published', `"${body}"`);
    }
  });

  await t.test('block on post.edit: refused, the post unchanged', async () => {
    await blocked(m.ws, { type: 'post.edit', post_id: mine.id, body: 'Muutin: kirosana' }, 'body', 'kirosana');
    assert.equal((await seenPost(other.ws, topic.id, mine.id)).body, 'Oma viesti');
  });

  await t.test('block on topic.create: title and body', async () => {
    await blocked(m.ws, { type: 'topic.create', period_id: period.id, title: 'Kirosana otsikossa', body: 'Siisti' }, 'title', 'Kirosana');
    await blocked(m.ws, { type: 'topic.create', period_id: period.id, title: 'Siisti otsikko', body: 'Rumaa: kirosana' }, 'body', 'kirosana');
    await blocked(mod.ws, { type: 'topic.create', period_id: period.id, title: 'Äijä', body: 'Siisti' }, 'title', 'Äijä');
  });

  await t.test('block applies to moderators too', async () => {
    await blocked(mod.ws, post('Moderaattorin kirosana'), 'body', 'kirosana');
  });

  await t.test('replace: the word is replaced before the post is saved (and in versions)', async () => {
    const p = await createPost(m.ws, topic.id, 'Olet idiootti ja IDIOOTEILLE tollo!');
    assert.equal(p.status, 'published');
    assert.equal(p.body, 'Olet *** ja *** kukkanen!');
    const ev = await nextEvent(other.ws, tch, 'post.created', (e) => e.data.id === p.id);
    assert.equal(ev.data.body, 'Olet *** ja *** kukkanen!');
    const v = ok(await mod.ws.request({ type: 'post.versions', post_id: p.id })).versions;
    assert.ok(v.every((x) => !/idioot|tollo/i.test(x.body)), `no original text is kept: ${JSON.stringify(v)}`);
    const edited = ok(await m.ws.request({ type: 'post.edit', post_id: p.id, body: 'Tollo, tollo' })).post;
    assert.equal(edited.body, 'kukkanen, kukkanen');
    const tp = ok(await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Idiootti otsikko', body: 'tollo' }));
    assert.equal(tp.topic.title, '*** otsikko');
    assert.equal(tp.post.body, 'kukkanen');
    assert.equal((await createPost(m.ws, topic.id, 'tollot ja epäidiootti')).body, 'tollot ja epäidiootti', 'whole words only');
  });

  await t.test('review: post.create is saved pending with a review item (why watched_word, the words)', async () => {
    const p = ok(await m.ws.request(post('Tarkista tämä, se on EPÄILYTTÄVÄ'))).post;
    assert.equal(p.status, 'pending');
    assert.equal(p.body, 'Tarkista tämä, se on EPÄILYTTÄVÄ');
    const item = await itemFor(mod, p.id, 'review');
    assert.equal(item.why, 'watched_word');
    assert.deepEqual([...item.words].sort(), ['epäilyttävä', 'tarkista']);
    assert.equal(await seenPost(other.ws, topic.id, p.id), undefined, 'others do not see it');
    assert.deepEqual((await eventsOn(other.ws, tch)).filter((e) => e.data?.id === p.id), []);
  });

  await t.test('review: a moderator\'s own post is not held', async () => {
    const p = await createPost(mod.ws, topic.id, 'Tarkista ohjeet');
    assert.equal(p.status, 'published');
    assert.deepEqual(await queue(mod, { postId: p.id }), []);
  });

  await t.test('review on post.edit: the post stays as it is and a review item is queued', async () => {
    const p = await createPost(m.ws, topic.id, 'Viaton viesti');
    const r = ok(await m.ws.request({ type: 'post.edit', post_id: p.id, body: 'Tarkista tämä' }));
    assert.equal(r.post.status, 'published', 'an edit does not take the post down');
    const seen = await seenPost(other.ws, topic.id, p.id);
    assert.equal(seen.status, 'published');
    const item = await itemFor(mod, p.id, 'review');
    assert.equal(item.why, 'watched_word');
    assert.deepEqual(item.words, ['tarkista']);
  });

  await t.test('review on topic.create: the topic waits', async () => {
    const r = ok(await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Tarkista otsikko', body: 'Hei' }));
    assert.equal(r.topic.status, 'pending');
    assert.equal(r.post.status, 'pending');
    const item = await itemFor(mod, r.post.id, 'review');
    assert.equal(item.why, 'watched_word');
    assert.deepEqual(item.words, ['tarkista']);
  });

  await t.test('block wins over review and replace in the same text', async () => {
    await blocked(m.ws, post('Tarkista tämä idiootti kirosana'), 'body', 'kirosana');
  });

  await t.test('a removed word no longer matches; an updated action applies at once', async () => {
    const list = ok(await mod.ws.request({ type: 'word.list' })).words;
    const kiro = list.find((w) => w.word === 'kirosana');
    ok(await mod.ws.request({ type: 'word.update', word_id: kiro.id, action: 'replace', replacement: '#' }));
    assert.equal((await createPost(m.ws, topic.id, 'Se kirosana')).body, 'Se #');
    ok(await mod.ws.request({ type: 'word.remove', word_id: kiro.id }));
    assert.equal((await createPost(m.ws, topic.id, 'Se kirosana')).body, 'Se kirosana');
  });
});

test('watched words: replacements that empty or overfill a text; review and replace together', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv);
  const period = await openPeriod(mod.ws, { members_may_open_topics: true });
  const { topic } = await createTopic(mod.ws, period.id);
  ok(await mod.ws.request({ type: 'word.add', word: 'pois', action: 'replace', replacement: '' }));
  ok(await mod.ws.request({ type: 'word.add', word: 'pitkä', action: 'replace', replacement: 'y'.repeat(100) }));
  ok(await mod.ws.request({ type: 'word.add', word: 'tarkista', action: 'review' }));
  ok(await mod.ws.request({ type: 'word.add', word: 'tollo', action: 'replace', replacement: 'kukkanen' }));

  await t.test('a text the replacements leave empty is invalid_field; nothing written', async () => {
    await refused(srv, m.ws, { type: 'post.create', topic_id: topic.id, body: 'pois' }, 'invalid_field', 'body');
    await refused(srv, m.ws, { type: 'post.create', topic_id: topic.id, body: '  Pois  POIS ' }, 'invalid_field', 'body');
    await refused(srv, m.ws, { type: 'topic.create', period_id: period.id, title: 'pois', body: 'Hei' }, 'invalid_field', 'title');
  });

  await t.test('a text the replacements make too long is too_long, with the limit', async () => {
    const body = `${'a'.repeat(19990)} pitkä`;
    const e = await refused(srv, m.ws, { type: 'post.create', topic_id: topic.id, body }, 'too_long', 'body');
    assert.equal(e.limit, 20000);
    const title = `${'o'.repeat(190)} pitkä`;
    const e2 = await refused(srv, m.ws, { type: 'topic.create', period_id: period.id, title, body: 'Hei' }, 'too_long', 'title');
    assert.equal(e2.limit, 200);
  });

  await t.test('a review word does not stop a replace word: the pending post is already replaced', async () => {
    const p = ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Tarkista tuo tollo' })).post;
    assert.equal(p.status, 'pending');
    assert.equal(p.body, 'Tarkista tuo kukkanen');
    const item = await itemFor(mod, p.id, 'review');
    assert.deepEqual(item.words, ['tarkista']);
    assert.equal(item.post.body, 'Tarkista tuo kukkanen');
  });
});
