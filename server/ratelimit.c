/* ratelimit.c: open addressing over keyed 64-bit hashes (SipHash via
 * crypto_shorthash with a random key, so nobody can aim collisions). */
#include "ratelimit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192 /* power of two */
#define PROBE 16

struct slot {
    uint64_t key; /* 0 = empty */
    time_t start;
    int count;
};

struct ratelimit {
    int limit, window;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct slot slots[SLOTS];
};

ratelimit *ratelimit_new(int limit, int window_secs)
{
    ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->limit = limit;
    rl->window = window_secs;
    crypto_shorthash_keygen(rl->hash_key);
    return rl;
}

void ratelimit_free(ratelimit *rl)
{
    free(rl);
}

static uint64_t key_of(ratelimit *rl, const char *key)
{
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, strlen(key), rl->hash_key);
    return h ? h : 1;
}

/* The slot holding key, or NULL when create is 0 and there is none. With
 * create, an empty, expired or (failing those) the oldest slot is taken. */
static struct slot *find(ratelimit *rl, uint64_t k, time_t now, int create)
{
    struct slot *victim = NULL;
    int victim_reusable = 0;
    for (int i = 0; i < PROBE; i++) {
        struct slot *s = &rl->slots[(k + i) & (SLOTS - 1)];
        if (s->key == k)
            return s;
        if (!create || victim_reusable)
            continue;
        if (s->key == 0 || now - s->start >= rl->window) {
            victim = s;
            victim_reusable = 1;
        } else if (!victim || s->start < victim->start) {
            victim = s;
        }
    }
    if (victim) {
        victim->key = k;
        victim->start = now;
        victim->count = 0;
    }
    return victim;
}

int ratelimit_check(ratelimit *rl, const char *key, time_t now)
{
    struct slot *s = find(rl, key_of(rl, key), now, 0);
    if (!s || now - s->start >= rl->window || s->count < rl->limit)
        return 0;
    int wait = (int)(s->start + rl->window - now);
    return wait > 0 ? wait : 1;
}

void ratelimit_hit(ratelimit *rl, const char *key, time_t now)
{
    struct slot *s = find(rl, key_of(rl, key), now, 1);
    if (now - s->start >= rl->window) {
        s->start = now;
        s->count = 0;
    }
    s->count++;
}

void ratelimit_clear(ratelimit *rl, const char *key)
{
    struct slot *s = find(rl, key_of(rl, key), 0, 0);
    if (s)
        memset(s, 0, sizeof *s);
}
