// A dropped connection in the middle of a discussion: the server restarts
// on the same database and port, another member writes while this browser
// is still away, and the client reconnects with backoff, subscribes again
// with `since` and applies the catch-up, without a reload and without
// losing the reply being written. Past 500 changes the server answers
// `resync` and the view loads again, still keeping the reply.
//
// The browser's socket goes through page.routeWebSocket so that the test
// decides when it may connect again (the gate), making "written while the
// browser was away" certain rather than a race with the backoff timer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, SERVER_ENV } from './lib.mjs';
import {
    ok, member, moderator, openPeriod, createTopic, createPost, pipeline, openWs, pageAs, openAt, postWith, postId,
} from './forum.mjs';

let server, browser, dir, port;
before(async () => {
    server = await startServer({ env: SERVER_ENV, keepDir: true });
    ({ dir, port } = server);
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
    await server?.stop();
});

// Routes the page's WebSocket through the test: connections are passed to
// the server while the gate is open and refused while it is shut.
async function gated(page) {
    const gate = { shut: false, current: null, sent: [] };
    await page.routeWebSocket(/\/ws$/, (ws) => {
        if (gate.shut) {
            ws.close();
            return;
        }
        gate.current = ws;
        const upstream = ws.connectToServer();
        // What the page says, kept for the test to read, then passed on.
        ws.onMessage((message) => {
            try {
                gate.sent.push(JSON.parse(message));
            } catch {
                gate.sent.push(message);
            }
            upstream.send(message);
        });
    });
    return gate;
}

// Lets the browser connect again now (as when the network comes back)
// instead of waiting out its backoff.
async function letIn(page, gate) {
    gate.shut = false;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
}

test('after a server restart the topic catches up without a reload, and the half-written reply is kept', async () => {
    let mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const aino = await member(server, { display_name: 'Aino' });
    const period = await openPeriod(mod.ws, { title: 'Katkosjakso' });
    const { topic } = await createTopic(mod.ws, period.id, { title: 'Yhteys katkeaa', body: 'Aloitus.' });
    const first = await createPost(mod.ws, topic.id, 'Ennen katkosta.');
    const liked = await createPost(mod.ws, topic.id, 'Tähän tulee reaktio.');

    const page = await pageAs(browser, server.url, aino);
    const gate = await gated(page);
    await openAt(page, server.url, `/topics/${topic.id}`, topic.title);
    await page.evaluate(() => { window.sameDocument = true; });
    await page.fill('#reply-top-body', 'Puoliksi kirjoitettu vastaus, jota ei saa kadottaa');
    await page.click(`[data-focus-key="reply-${first.id}"]`);
    await page.fill(`#reply-${first.id}-body`, 'Sisäkkäinen luonnos');

    // The server goes down (SIGTERM closes every socket with 1001).
    gate.shut = true;
    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
    await page.locator('#connection-status', { hasText: 'Yhteys palvelimeen katkesi' }).waitFor({ timeout: 10000 });

    // Up again on the same database and port; the moderator, back first,
    // writes, edits and reacts while the browser is still away.
    server = await startServer({ env: SERVER_ENV, dir, keepDir: true, args: ['--port', String(port)] });
    assert.equal(server.port, port);
    const { ws } = await openWs(server, { cookie: mod.cookie });
    mod = { ...mod, ws };
    const during = await createPost(mod.ws, topic.id, 'Kirjoitettu katkon aikana.', first.id);
    ok(await mod.ws.request({ type: 'post.edit', post_id: first.id, body: 'Ennen katkosta, muokattu katkon aikana.' }));
    const other = await member(server, { display_name: 'Bertta' });
    ok(await other.ws.request({ type: 'reaction.add', post_id: liked.id, reaction: 'thanks' }));

    gate.sent.length = 0;
    await letIn(page, gate);
    await postWith(page, 'Kirjoitettu katkon aikana.').waitFor({ timeout: 15000 });
    await page.waitForFunction((id) => /muokattu katkon aikana/.test(document.getElementById(`post-${id}`)?.textContent ?? ''), first.id);
    await page.waitForFunction((id) => /Kiitos\s*1/.test(document.querySelector(`#post-${id} .reactions`)?.textContent ?? ''), liked.id);
    await page.locator('#connection-status', { hasText: 'Yhteys palautui.' }).waitFor();

    // Caught up from where it left off: subscriptions again with `since`
    // (the member's own channel `me`, for notices, too), and no reload of
    // the topic.
    const again = gate.sent.filter((m) => m.type === 'subscribe');
    assert.deepEqual(again.map((m) => m.channel).sort(), ['me', `period:${period.id}`, `topic:${topic.id}`]);
    assert.ok(again.every((m) => Number.isInteger(m.since) && m.since > 0), JSON.stringify(again));
    assert.equal(gate.sent.filter((m) => m.type === 'topic.get').length, 0);

    // Not reloaded, nothing twice, nothing typed lost; the new post sits
    // under the one it answers.
    assert.equal(await page.evaluate(() => window.sameDocument), true);
    assert.equal(await page.locator(`[id="post-${during.id}"]`).count(), 1);
    assert.equal(await page.locator('ol.thread article.post').count(), 3);
    assert.equal(await page.evaluate((id) => document.getElementById(`post-${id}`).closest('ol').closest('li').querySelector('article').id, during.id),
        `post-${first.id}`);
    assert.equal(await page.inputValue('#reply-top-body'), 'Puoliksi kirjoitettu vastaus, jota ei saa kadottaa');
    assert.equal(await page.inputValue(`#reply-${first.id}-body`), 'Sisäkkäinen luonnos');

    // And the kept reply goes out on the new connection.
    await page.click('#reply-top button[type=submit]');
    await postWith(page, 'jota ei saa kadottaa').waitFor();
    assert.equal(await page.inputValue('#reply-top-body'), '');
    const sent = await postId(page, 'jota ei saa kadottaa');
    const r = ok(await mod.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.ok(r.posts.some((x) => x.id === sent && x.author.id === aino.member.id));

    // Even a reload of the page keeps the nested reply being written.
    await page.reload();
    await page.locator(`#reply-${first.id}-body`).waitFor();
    assert.equal(await page.inputValue(`#reply-${first.id}-body`), 'Sisäkkäinen luonnos');

    mod.ws.destroy();
    other.ws.destroy();
    aino.ws.destroy();
    await page.context().close();
});

test('a reply sent while the connection is down fails with a clear message and stays in the box', async () => {
    const mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const aino = await member(server, { display_name: 'Aino' });
    const period = await openPeriod(mod.ws, { title: 'Katkos lähettäessä' });
    const { topic } = await createTopic(mod.ws, period.id, { title: 'Lähetys katkeaa', body: 'Aloitus.' });
    const page = await pageAs(browser, server.url, aino);
    const gate = await gated(page);
    await openAt(page, server.url, `/topics/${topic.id}`, topic.title);

    gate.shut = true;
    await gate.current.close();
    await page.fill('#reply-top-body', 'Lähtee vasta, kun yhteys palaa');
    await page.click('#reply-top button[type=submit]');
    // The request waits for the connection; once it is known to be down
    // (the socket's queue is dropped on the next failure) it fails.
    await page.locator('#reply-top-error:not([hidden])').waitFor({ timeout: 25000 });
    assert.match(await page.textContent('#reply-top-error'), /Viesti ei lähtenyt, koska yhteys palvelimeen katkesi\. Tekstisi on tallessa/);
    assert.equal(await page.inputValue('#reply-top-body'), 'Lähtee vasta, kun yhteys palaa');
    await page.locator('#connection-status', { hasText: 'Yhteys palvelimeen katkesi' }).waitFor({ timeout: 10000 });

    await letIn(page, gate);
    await page.locator('#connection-status', { hasText: 'Yhteys palautui.' }).waitFor({ timeout: 10000 });
    await page.click('#reply-top button[type=submit]');
    await postWith(page, 'Lähtee vasta, kun yhteys palaa').waitFor();
    assert.equal(await page.locator('#reply-top-error').isHidden(), true);
    mod.ws.destroy();
    aino.ws.destroy();
    await page.context().close();
});

test('more than 500 changes while away: resync loads the topic again and keeps the reply being written', async () => {
    const mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const aino = await member(server, { display_name: 'Aino' });
    const period = await openPeriod(mod.ws, { title: 'Kiireinen jakso' });
    const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Vilkas aihe', body: 'Aloitus.' });
    const page = await pageAs(browser, server.url, aino);
    const gate = await gated(page);
    await openAt(page, server.url, `/topics/${topic.id}`, topic.title);
    await page.evaluate(() => { window.sameDocument = true; });
    await page.fill('#reply-top-body', 'Kirjoitan tätä koko ajan');

    gate.shut = true;
    await gate.current.close();
    await page.locator('#connection-status', { hasText: 'Yhteys palvelimeen katkesi' }).waitFor({ timeout: 10000 });
    const msgs = Array.from({ length: 510 }, (_, i) => ({ type: 'post.create', topic_id: topic.id, parent_id: opening.id, body: `Viesti ${i + 1}` }));
    for (const r of await pipeline(mod.ws, msgs)) ok(r);

    await letIn(page, gate);
    await page.waitForFunction(() => /\(510\)/.test(document.getElementById('thread-heading')?.textContent ?? ''), null, { timeout: 15000 });
    await page.locator('ol.thread article.post').first().waitFor();
    assert.equal(await page.evaluate(() => window.sameDocument), true);
    assert.equal(await page.inputValue('#reply-top-body'), 'Kirjoitan tätä koko ajan');
    // A window of the thread, with a way to the rest.
    assert.ok(await page.locator('ol.thread article.post').count() <= 50);
    assert.equal(await page.locator('#load-after').count(), 1);
    mod.ws.destroy();
    aino.ws.destroy();
    await page.context().close();
});
