/* Fixed-window limits in bounded memory. */
#include <sodium.h>

#include "check.h"
#include "ratelimit.h"

static void limits_then_forgets(void)
{
    ratelimit *rl = ratelimit_new(3, 60);
    time_t t = 1000;
    for (int i = 0; i < 3; i++) {
        CHECK(ratelimit_check(rl, "maija@example.fi", t) == 0);
        ratelimit_hit(rl, "maija@example.fi", t);
    }
    CHECK(ratelimit_check(rl, "maija@example.fi", t) == 60);
    CHECK(ratelimit_check(rl, "maija@example.fi", t + 45) == 15);
    CHECK(ratelimit_check(rl, "pekka@example.fi", t) == 0);
    CHECK(ratelimit_check(rl, "maija@example.fi", t + 60) == 0);
    ratelimit_hit(rl, "maija@example.fi", t + 60);
    CHECK(ratelimit_check(rl, "maija@example.fi", t + 60) == 0);
    ratelimit_free(rl);
}

static void clear_resets(void)
{
    ratelimit *rl = ratelimit_new(1, 600);
    ratelimit_hit(rl, "10.0.0.1", 5);
    CHECK(ratelimit_check(rl, "10.0.0.1", 5) > 0);
    ratelimit_clear(rl, "10.0.0.1");
    CHECK(ratelimit_check(rl, "10.0.0.1", 5) == 0);
    ratelimit_free(rl);
}

static void many_keys_stay_bounded(void)
{
    /* 100k keys into a fixed table: no growth, and a key hit just now is
     * still limited afterwards (oldest windows are forgotten first). */
    ratelimit *rl = ratelimit_new(1, 600);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ratelimit_hit(rl, key, i / 1000);
    }
    ratelimit_hit(rl, "latest", 100);
    CHECK(ratelimit_check(rl, "latest", 100) > 0);
    ratelimit_free(rl);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    RUN(limits_then_forgets);
    RUN(clear_resets);
    RUN(many_keys_stay_bounded);
    return CHECK_DONE();
}
