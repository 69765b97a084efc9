/* hub.c: see hub.h. Channels live in a chained hash table by name; each
 * keeps an array of its subscribers, and each connection keeps where it
 * sits in each of its channels' arrays, so leaving is O(1). Distinct
 * members are counted in a small open-addressing table per topic
 * channel. */
#include "hub.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ws.h"

#define BUCKETS 4096

struct member_count {
    int64_t member_id; /* 0: empty slot */
    int count;
};

struct channel {
    struct channel *next; /* in its bucket */
    char name[HUB_CHANNEL_MAX];
    struct conn **subs;
    int n, cap;
    struct member_count *members; /* open addressing, linear probing */
    int members_cap, viewers;     /* viewers: slots in use */
    int dirty;                    /* viewers changed since the last flush */
    int sent;                     /* viewers as last flushed */
};

struct hub_sub {
    struct channel *ch;
    int index; /* c's place in ch->subs */
};

struct hub {
    struct channel *buckets[BUCKETS];
    int dirty;
};

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

hub *hub_new(void)
{
    return calloc(1, sizeof(hub));
}

static void channel_free(struct channel *ch)
{
    free(ch->subs);
    free(ch->members);
    free(ch);
}

void hub_free(hub *h)
{
    if (!h)
        return;
    for (int i = 0; i < BUCKETS; i++)
        while (h->buckets[i]) {
            struct channel *ch = h->buckets[i];
            h->buckets[i] = ch->next;
            channel_free(ch);
        }
    free(h);
}

static struct channel *find(hub *h, const char *name, struct channel ***link_out)
{
    struct channel **link = &h->buckets[name_hash(name) % BUCKETS];
    while (*link && strcmp((*link)->name, name))
        link = &(*link)->next;
    if (link_out)
        *link_out = link;
    return *link;
}

/* The slot for member_id: its own, or the empty one where it would go. */
static struct member_count *member_slot(struct channel *ch, int64_t member_id)
{
    unsigned mask = (unsigned)ch->members_cap - 1;
    unsigned i = (unsigned)((uint64_t)member_id * 0x9E3779B97F4A7C15ull >> 32) & mask;
    while (ch->members[i].member_id && ch->members[i].member_id != member_id)
        i = (i + 1) & mask;
    return &ch->members[i];
}

static int member_add(hub *h, struct channel *ch, int64_t member_id)
{
    if ((ch->viewers + 1) * 2 > ch->members_cap) {
        int cap = ch->members_cap ? ch->members_cap * 2 : 8;
        struct member_count *old = ch->members;
        int old_cap = ch->members_cap;
        ch->members = calloc((size_t)cap, sizeof *ch->members);
        if (!ch->members) {
            ch->members = old;
            return -1;
        }
        ch->members_cap = cap;
        for (int i = 0; i < old_cap; i++)
            if (old[i].member_id)
                *member_slot(ch, old[i].member_id) = old[i];
        free(old);
    }
    struct member_count *m = member_slot(ch, member_id);
    if (!m->member_id) {
        m->member_id = member_id;
        ch->viewers++;
        ch->dirty = h->dirty = 1;
    }
    m->count++;
    return 0;
}

static void member_remove(hub *h, struct channel *ch, int64_t member_id)
{
    if (!ch->members_cap)
        return;
    struct member_count *m = member_slot(ch, member_id);
    if (!m->member_id || --m->count > 0)
        return;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    unsigned mask = (unsigned)ch->members_cap - 1;
    unsigned i = (unsigned)(m - ch->members), j = i;
    ch->members[i].member_id = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!ch->members[j].member_id)
            break;
        unsigned home =
            (unsigned)((uint64_t)ch->members[j].member_id * 0x9E3779B97F4A7C15ull >> 32) & mask;
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
            ch->members[i] = ch->members[j];
            ch->members[j].member_id = 0;
            i = j;
        }
    }
    ch->viewers--;
    ch->dirty = h->dirty = 1;
}

int hub_subscribe(hub *h, struct conn *c, const char *name)
{
    struct hub_sub *subs = c->subs;
    for (int i = 0; i < c->sub_count; i++)
        if (!strcmp(subs[i].ch->name, name))
            return 0;
    if (c->sub_count >= HUB_MAX_SUBSCRIPTIONS)
        return -2;
    if (c->sub_count == c->sub_cap) {
        int cap = c->sub_cap ? c->sub_cap * 2 : 2;
        struct hub_sub *grown = realloc(c->subs, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        c->subs = grown;
        c->sub_cap = cap;
    }
    struct channel **link;
    struct channel *ch = find(h, name, &link);
    if (!ch) {
        ch = calloc(1, sizeof *ch);
        if (!ch)
            return -1;
        snprintf(ch->name, sizeof ch->name, "%s", name);
        *link = ch;
    }
    if (ch->n == ch->cap) {
        int cap = ch->cap ? ch->cap * 2 : 4;
        struct conn **grown = realloc(ch->subs, (size_t)cap * sizeof *grown);
        if (!grown)
            goto fail;
        ch->subs = grown;
        ch->cap = cap;
    }
    /* Viewers are counted where they are shown: topics. A member's own
     * channels and the rest keep no table. */
    if (!strncmp(ch->name, "topic:", 6) && member_add(h, ch, c->member_id))
        goto fail;
    ch->subs[ch->n] = c;
    c->subs[c->sub_count++] = (struct hub_sub){ch, ch->n++};
    return 0;
fail:
    if (!ch->n) {
        *link = ch->next;
        channel_free(ch);
    }
    return -1;
}

/* Removes c's k-th subscription. */
static void leave(hub *h, struct conn *c, int k)
{
    struct channel *ch = c->subs[k].ch;
    int at = c->subs[k].index;
    struct conn *moved = ch->subs[--ch->n];
    ch->subs[at] = moved;
    if (moved != c)
        for (int i = 0; i < moved->sub_count; i++)
            if (moved->subs[i].ch == ch)
                moved->subs[i].index = at;
    c->subs[k] = c->subs[--c->sub_count];
    member_remove(h, ch, c->member_id);
    if (!ch->n) {
        struct channel **link;
        find(h, ch->name, &link);
        *link = ch->next;
        channel_free(ch);
    }
}

void hub_unsubscribe(hub *h, struct conn *c, const char *name)
{
    for (int i = 0; i < c->sub_count; i++)
        if (!strcmp(c->subs[i].ch->name, name)) {
            leave(h, c, i);
            return;
        }
}

void hub_drop(hub *h, struct conn *c)
{
    while (c->sub_count)
        leave(h, c, c->sub_count - 1);
    free(c->subs);
    c->subs = NULL;
    c->sub_cap = 0;
}

void hub_publish(hub *h, const char *name, const char *event, int64_t seq, json_t *data)
{
    hub_publish_as(h, name, name, event, seq, data);
}

void hub_publish_as(hub *h, const char *name, const char *shown, const char *event, int64_t seq,
                    json_t *data)
{
    struct channel *ch = find(h, name, NULL);
    if (!ch || !ch->n)
        return;
    json_t *msg = json_pack("{s:s, s:s, s:s, s:O}", "type", "event", "channel", shown, "event",
                            event, "data", data);
    if (!msg)
        return;
    if (seq)
        json_object_set_new(msg, "seq", json_integer(seq));
    struct frame *f = ws_frame_json(msg);
    json_decref(msg);
    if (!f)
        return;
    /* A subscriber may be dropped while sending (a full queue closes it,
     * but it stays subscribed until it is closed), so n does not change. */
    for (int i = 0; i < ch->n; i++)
        ws_send_frame(ch->subs[i], f);
    ws_frame_unref(f);
}

void hub_each(hub *h, const char *name, void (*fn)(void *ctx, struct conn *c), void *ctx)
{
    struct channel *ch = find(h, name, NULL);
    for (int i = 0; ch && i < ch->n; i++)
        fn(ctx, ch->subs[i]);
}

int hub_has(struct conn *c, const char *name)
{
    for (int i = 0; i < c->sub_count; i++)
        if (!strcmp(c->subs[i].ch->name, name))
            return 1;
    return 0;
}

int hub_names(struct conn *c, char names[][HUB_CHANNEL_MAX], int max)
{
    int n = 0;
    for (int i = 0; i < c->sub_count && n < max; i++)
        snprintf(names[n++], HUB_CHANNEL_MAX, "%s", c->subs[i].ch->name);
    return n;
}

int hub_asked(struct conn *c)
{
    int n = 0;
    for (int i = 0; i < c->sub_count; i++) {
        const char *colon = strchr(c->subs[i].ch->name, ':');
        n += !colon || !strchr(colon + 1, ':');
    }
    return n;
}

int hub_has_subscribers(hub *h, const char *name)
{
    struct channel *ch = find(h, name, NULL);
    return ch && ch->n > 0;
}

int hub_viewers(hub *h, const char *name)
{
    struct channel *ch = find(h, name, NULL);
    return ch ? ch->viewers : 0;
}

int hub_viewers_dirty(hub *h)
{
    return h->dirty;
}

int hub_flush_viewers(hub *h, void (*fn)(void *ctx, const char *channel, int viewers), void *ctx)
{
    int n = 0;
    if (!h->dirty)
        return 0;
    h->dirty = 0;
    for (int i = 0; i < BUCKETS; i++)
        for (struct channel *ch = h->buckets[i]; ch; ch = ch->next)
            if (ch->dirty) {
                ch->dirty = 0;
                if (ch->viewers != ch->sent) {
                    ch->sent = ch->viewers;
                    fn(ctx, ch->name, ch->viewers);
                    n++;
                }
            }
    return n;
}
