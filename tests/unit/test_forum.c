/* Periods and discussions against an in-memory database: times, markdown,
 * text limits, the period clock, thread order, tombstones and reactions,
 * and the hub's viewer counts. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "db.h"
#include "discussions.h"
#include "hub.h"
#include "markdown.h"
#include "members.h"
#include "periods.h"
#include "ws.h"

static config cfg;

static void iso_times_round_trip(void)
{
    int64_t ms;
    char buf[TIME_ISO_SIZE];
    CHECK(time_parse_iso("2026-11-17T07:00:00Z", &ms) == 0);
    time_iso(ms, buf);
    CHECK_STR(buf, "2026-11-17T07:00:00.000Z");
    CHECK(time_parse_iso("2024-02-29T23:59:59.5Z", &ms) == 0);
    time_iso(ms, buf);
    CHECK_STR(buf, "2024-02-29T23:59:59.500Z");
    CHECK(time_parse_iso("2025-02-29T00:00:00Z", &ms) == -1); /* not a leap year */
    CHECK(time_parse_iso("2026-11-17 07:00:00Z", &ms) == -1); /* no T */
    CHECK(time_parse_iso("2026-11-17T07:00:00+02:00", &ms) == -1);
    CHECK(time_parse_iso("2026-11-17T24:00:00Z", &ms) == -1);
    CHECK(time_parse_iso("2026-11-17T07:00:00.Z", &ms) == -1);
}

static void markdown_is_safe_and_shifted(void)
{
    char *html = markdown_html("# Otsikko\n[linkki](https://example.fi) <script>alert(1)</script>"
                               " [x](javascript:alert(1))\nrivi");
    CHECK(html && strstr(html, "<h3>Otsikko</h3>"));
    CHECK(html && strstr(html, "<a rel=\"nofollow noopener ugc\" href=\"https://example.fi\">"));
    CHECK(html && !strstr(html, "<script"));
    CHECK(html && !strstr(html, "javascript:"));
    CHECK(html && strstr(html, "<br />")); /* Enter is a line break */
    free(html);
    html = markdown_html("`<a href=\"x\">` teksti");
    CHECK(html && !strstr(html, "rel=")); /* code is escaped, not a link */
    free(html);
}

static void text_fields_trim_and_limit(void)
{
    json_t *msg =
        json_pack("{s:s, s:s, s:s, s:i}", "a", "  hei  ", "b", "   ", "c", "ääääää", "d", 5);
    char *out;
    raati_error err = {0};
    CHECK(text_field(msg, "a", 1, 1, 10, &out, &err) == RAATI_OK);
    CHECK_STR(out, "hei");
    free(out);
    CHECK(text_field(msg, "b", 1, 1, 10, &out, &err) == RAATI_E_INVALID_FIELD);
    CHECK(text_field(msg, "c", 1, 1, 6, &out, &err) == RAATI_OK); /* 6 characters, 12 bytes */
    free(out);
    CHECK(text_field(msg, "c", 1, 1, 5, &out, &err) == RAATI_E_TOO_LONG && err.limit == 5);
    CHECK_STR(err.field, "c");
    CHECK(text_field(msg, "d", 1, 1, 5, &out, &err) == RAATI_E_INVALID_FIELD);
    CHECK(text_field(msg, "e", 1, 1, 5, &out, &err) == RAATI_E_MISSING_FIELD);
    CHECK(text_field(msg, "e", 0, 1, 5, &out, &err) == RAATI_OK && out == NULL);
    json_decref(msg);
    /* No-break, em and ideographic spaces and a BOM around: trimmed. */
    msg = json_pack("{s:s, s:s}", "f", "\xC2\xA0\xE2\x80\x83\xE3\x80\x80\xEF\xBB\xBF", "g",
                    "\xC2\xA0 moi\xE3\x80\x80 \xE2\x80\x83");
    CHECK(text_field(msg, "f", 1, 1, 10, &out, &err) == RAATI_E_INVALID_FIELD);
    CHECK(text_field(msg, "g", 1, 1, 10, &out, &err) == RAATI_OK);
    CHECK_STR(out, "moi");
    free(out);
    json_decref(msg);
}

static db *fresh_db(int64_t *mod, int64_t *m1, int64_t *m2)
{
    db *d;
    raati_error err;
    CHECK(db_open(&d, ":memory:", &err) == RAATI_OK);
    CHECK(db_exec(d, "INSERT INTO member (id, email, display_name, password_hash, role, "
                     "birth_year, municipality) VALUES "
                     "(1, 'mod@x.fi', 'Mod', 'h', 'moderator', NULL, NULL), "
                     "(2, 'a@x.fi', 'Anna', 'h', 'member', 1980, 'hyvinkaa'), "
                     "(3, 'b@x.fi', 'Bertta', 'h', 'member', 2005, 'tuusula')") == RAATI_OK);
    *mod = 1, *m1 = 2, *m2 = 3;
    return d;
}

static int64_t open_period(forum_ctx *f)
{
    char s[TIME_ISO_SIZE], e[TIME_ISO_SIZE];
    time_iso(f->now_ms - 1000, s);
    time_iso(f->now_ms + 3600000, e);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Jakso", "description", "Kuvaus",
                            "starts_at", s, "ends_at", e, "status", "upcoming");
    int64_t id = 0;
    raati_error err = {0};
    CHECK(period_create(f, msg, &id, &err) == RAATI_OK);
    json_decref(msg);
    return id;
}

static void as(forum_ctx *f, int64_t member, int role)
{
    f->member_id = member;
    f->role = role;
    f->seq++;
}

static void period_clock_and_transitions(void)
{
    int64_t mod, m1, m2;
    db *d = fresh_db(&mod, &m1, &m2);
    forum_ctx f;
    raati_error err = {0};
    forum_ctx_init(&f, d, &cfg, mod, ROLE_MODERATOR, 1);
    int64_t id = open_period(&f);
    period_status st;
    CHECK(period_visible(d, id, ROLE_MEMBER, &st, &err) == RAATI_OK && st == PERIOD_OPEN);
    CHECK(period_transition(&f, id, "open", &err) == RAATI_E_CONFLICT);
    /* An hour and a bit later the clock closes it. */
    f.now_ms += 3601000;
    time_iso(f.now_ms, f.now);
    f.seq++;
    int64_t ids[4];
    CHECK(period_apply_due(&f, ids, 4) == 1 && ids[0] == id);
    CHECK(period_visible(d, id, ROLE_MEMBER, &st, &err) == RAATI_OK && st == PERIOD_CLOSED);
    CHECK(period_apply_due(&f, ids, 4) == 0);
    CHECK(period_next_due_ms(d) == -1);
    json_t *upd = json_pack("{s:s}", "title", "Uusi");
    CHECK(period_update(&f, id, upd, &err) == RAATI_E_PERIOD_CLOSED);
    json_decref(upd);
    db_close(d);
}

static void threads_keep_their_order(void)
{
    int64_t mod, m1, m2;
    db *d = fresh_db(&mod, &m1, &m2);
    forum_ctx f;
    raati_error err = {0};
    forum_ctx_init(&f, d, &cfg, mod, ROLE_MODERATOR, 1);
    int64_t period = open_period(&f), topic, opening, a, b, c, e;
    as(&f, mod, ROLE_MODERATOR);
    json_t *msg = json_pack("{s:I, s:s, s:s}", "period_id", (json_int_t)period, "title", "Aihe",
                            "body", "Avaus");
    CHECK(topic_create(&f, msg, &topic, &opening, &err) == RAATI_OK);
    json_decref(msg);
    /* a (to topic), b (to topic), c (to a), e (to c): order opening a c e b */
    as(&f, m1, ROLE_MEMBER);
    msg = json_pack("{s:I, s:s}", "topic_id", (json_int_t)topic, "body", "a");
    CHECK(post_create(&f, msg, &a, &err) == RAATI_OK);
    json_decref(msg);
    as(&f, m2, ROLE_MEMBER);
    msg = json_pack("{s:I, s:s}", "topic_id", (json_int_t)topic, "body", "b");
    CHECK(post_create(&f, msg, &b, &err) == RAATI_OK);
    json_decref(msg);
    msg = json_pack("{s:I, s:I, s:s}", "topic_id", (json_int_t)topic, "parent_id", (json_int_t)a,
                    "body", "c");
    CHECK(post_create(&f, msg, &c, &err) == RAATI_OK);
    json_decref(msg);
    as(&f, m1, ROLE_MEMBER);
    msg = json_pack("{s:I, s:I, s:s}", "topic_id", (json_int_t)topic, "parent_id", (json_int_t)c,
                    "body", "e");
    CHECK(post_create(&f, msg, &e, &err) == RAATI_OK);
    json_decref(msg);

    json_t *reply = json_object();
    msg = json_pack("{s:I}", "topic_id", (json_int_t)topic);
    CHECK(topic_get(&f, msg, reply, &err) == RAATI_OK);
    json_decref(msg);
    json_t *posts = json_object_get(reply, "posts");
    int64_t want[] = {opening, a, c, e, b};
    int depths[] = {0, 1, 2, 3, 1};
    CHECK(json_array_size(posts) == 5);
    for (int i = 0; i < 5 && i < (int)json_array_size(posts); i++) {
        json_t *p = json_array_get(posts, (size_t)i);
        CHECK(json_integer_value(json_object_get(p, "id")) == want[i]);
        CHECK(json_integer_value(json_object_get(p, "depth")) == depths[i]);
    }
    /* m1 has not read b (by m2), c (by m2) or the opening post. */
    CHECK(json_integer_value(json_object_get(json_object_get(reply, "topic"), "unread")) == 3);
    json_decref(reply);

    /* Deleting c keeps e under it; m2 may not delete a; m1 reacts once. */
    as(&f, m1, ROLE_MEMBER);
    msg = json_pack("{s:I}", "post_id", (json_int_t)a);
    int64_t pid;
    as(&f, m2, ROLE_MEMBER);
    CHECK(post_delete(&f, msg, &pid, &err) == RAATI_E_FORBIDDEN);
    json_decref(msg);
    msg = json_pack("{s:I}", "post_id", (json_int_t)c);
    CHECK(post_delete(&f, msg, &pid, &err) == RAATI_OK);
    CHECK(post_delete(&f, msg, &pid, &err) == RAATI_E_INVALID_FIELD);
    json_decref(msg);
    json_t *pe = post_json(d, e, 0, 0), *pc = post_json(d, c, 0, 0);
    CHECK(json_integer_value(json_object_get(pe, "parent_id")) == c);
    CHECK(json_is_null(json_object_get(json_object_get(pe, "reply_to"), "display_name")));
    CHECK(json_is_true(json_object_get(pc, "deleted")) &&
          json_is_null(json_object_get(pc, "author")));
    json_decref(pe);
    json_decref(pc);
    as(&f, m2, ROLE_MEMBER);
    msg = json_pack("{s:I, s:s}", "post_id", (json_int_t)a, "reaction", "thanks");
    int changed;
    const char *kind;
    reply = json_object();
    CHECK(reaction_set(&f, msg, 1, reply, &changed, &kind, &err) == RAATI_OK && changed);
    CHECK(reaction_set(&f, msg, 1, reply, &changed, &kind, &err) == RAATI_OK && !changed);
    CHECK(json_integer_value(json_object_get(json_object_get(reply, "reactions"), "thanks")) == 1);
    json_decref(reply);
    json_decref(msg);
    json_t *mine = period_mine(d, period, m2);
    CHECK(json_integer_value(json_object_get(mine, "posts")) == 2);
    CHECK(json_integer_value(json_object_get(mine, "reactions")) == 1);
    json_decref(mine);
    db_close(d);
}

static void hub_counts_distinct_members(void)
{
    hub *h = hub_new();
    struct conn c[4];
    memset(c, 0, sizeof c);
    c[0].member_id = 7, c[1].member_id = 7, c[2].member_id = 8, c[3].member_id = 9;
    for (int i = 0; i < 4; i++)
        CHECK(hub_subscribe(h, &c[i], "topic:1") == 0);
    CHECK(hub_subscribe(h, &c[0], "topic:1") == 0); /* again: no change */
    CHECK(hub_viewers(h, "topic:1") == 3);
    hub_unsubscribe(h, &c[0], "topic:1");
    CHECK(hub_viewers(h, "topic:1") == 3); /* member 7 still has a tab open */
    hub_drop(h, &c[1]);
    CHECK(hub_viewers(h, "topic:1") == 2);
    char name[HUB_CHANNEL_MAX];
    for (int i = 0; i < HUB_MAX_SUBSCRIPTIONS; i++) {
        snprintf(name, sizeof name, "period:%d", i + 1);
        CHECK(hub_subscribe(h, &c[2], name) == (i < HUB_MAX_SUBSCRIPTIONS - 1 ? 0 : -2));
    }
    for (int i = 0; i < 4; i++)
        hub_drop(h, &c[i]);
    CHECK(hub_viewers(h, "topic:1") == 0);
    hub_free(h);
}

int main(void)
{
    config_defaults(&cfg);
    RUN(iso_times_round_trip);
    RUN(markdown_is_safe_and_shifted);
    RUN(text_fields_trim_and_limit);
    RUN(period_clock_and_transitions);
    RUN(threads_keep_their_order);
    RUN(hub_counts_distinct_members);
    return CHECK_DONE();
}
