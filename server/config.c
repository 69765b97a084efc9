/* config.c: the settings table and its parsers. */
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const config_lang_names[LANG_COUNT] = {"fi", "sv", "en"};

typedef enum { OPT_INT, OPT_STR, OPT_BOOL, OPT_ITEMS, OPT_NAMES } opt_kind;

static const struct opt {
    const char *flag;
    const char *env;
    opt_kind kind;
    size_t off;
    size_t size;
    long min, max;
    const char *def;
    const char *help;
} opts[] = {
#define F(m) offsetof(config, m), sizeof(((config *)0)->m)
    {"port", "RAATI_PORT", OPT_INT, F(port), 0, 65535, "8080",
     "TCP port to listen on (0 picks a free one)"},
    {"listen", "RAATI_LISTEN", OPT_STR, F(listen), 0, 0, "127.0.0.1",
     "address to listen on (0.0.0.0 for all interfaces)"},
    {"db", "RAATI_DB", OPT_STR, F(db_path), 0, 0, "data/raati.db", "SQLite database file"},
    {"web-root", "RAATI_WEB_ROOT", OPT_STR, F(web_root), 0, 0, "web",
     "directory of the browser client"},
    {"public-url", "RAATI_PUBLIC_URL", OPT_STR, F(public_url), 0, 0, "http://localhost:PORT",
     "URL people use to reach Raati; sets the allowed Origin and CSP"},
    {"demo", "RAATI_DEMO", OPT_BOOL, F(demo), 0, 1, "off",
     "seed the Finnish demo community into an empty database"},
    {"max-message", "RAATI_MAX_MESSAGE", OPT_INT, F(max_message), 1024, 16 << 20, "131072",
     "largest WebSocket message in bytes; larger closes with 1009"},
    {"max-post-chars", "RAATI_MAX_POST_CHARS", OPT_INT, F(max_post_chars), 100, 100000, "20000",
     "longest post in characters; longer gets a too_long error"},
    {"trust-proxy", "RAATI_TRUST_PROXY", OPT_BOOL, F(trust_proxy), 0, 1, "off",
     "take the client address from X-Forwarded-For (only behind your own proxy)"},
    {"region-name", "RAATI_REGION_NAME", OPT_NAMES, F(region_name), 0, 0,
     "Keski-Uudenmaan hyvinvointialue/...", "the region's name as fi/sv/en"},
    {"municipalities", "RAATI_MUNICIPALITIES", OPT_ITEMS, F(municipalities), 0, 0,
     "hyvinkaa=Hyvinkää/Hyvinge;...", "home municipalities, id=fi/sv/en;..."},
    {"interest-areas", "RAATI_INTEREST_AREAS", OPT_ITEMS, F(interest_areas), 0, 0,
     "ikaihmiset=ikäihmisten palvelut/...;...", "interest areas, id=fi/sv/en;..."},
    {"privacy-version", "RAATI_PRIVACY_VERSION", OPT_STR, F(privacy_version), 0, 0, "2026-1",
     "version of the privacy notice members consent to"},
    {"contact-email", "RAATI_CONTACT_EMAIL", OPT_STR, F(contact_email), 0, 0, "none",
     "where members write for help: a forgotten password, their data"},
    {"login-limit-account", "RAATI_LOGIN_LIMIT_ACCOUNT", OPT_INT, F(login_limit_account), 1,
     1000000, "5", "failed sign-ins per account per 15 minutes"},
    {"login-limit-address", "RAATI_LOGIN_LIMIT_ADDRESS", OPT_INT, F(login_limit_address), 1,
     1000000, "30", "sign-in attempts per client address per 5 minutes"},
    {"register-limit-address", "RAATI_REGISTER_LIMIT_ADDRESS", OPT_INT, F(register_limit_address),
     1, 1000000, "50", "registrations per client address per hour"},
    {"post-limit", "RAATI_POST_LIMIT", OPT_INT, F(post_limit), 1, 1000000, "10",
     "posts and new topics per member per minute (moderators: no limit)"},
    {"post-limit-new", "RAATI_POST_LIMIT_NEW", OPT_INT, F(post_limit_new), 1, 1000000, "3",
     "the same for members who joined less than --new-member-days ago"},
    {"new-member-days", "RAATI_NEW_MEMBER_DAYS", OPT_INT, F(new_member_days), 0, 3650, "7",
     "how long a member counts as new"},
    {"auto-hide-reports", "RAATI_AUTO_HIDE_REPORTS", OPT_INT, F(auto_hide_reports), 0, 1000, "3",
     "reports that hide a post until a moderator reviews it (0: never)"},
    {"premoderate-days", "RAATI_PREMODERATE_DAYS", OPT_INT, F(premoderate_days), 0, 3650, "0",
     "members who joined less than this many days ago post through the queue (0: off)"},
    {"time-zone", "RAATI_TIME_ZONE", OPT_STR, F(time_zone), 0, 0, "Europe/Helsinki",
     "time zone of times in exports (an IANA name)"},
    {"ping-interval", "RAATI_PING_INTERVAL", OPT_INT, F(ping_interval), 1, 3600, "60",
     "seconds a WebSocket may idle before a ping; no pong in 10 s closes it"},
    {"workers", "RAATI_WORKERS", OPT_INT, F(workers), 1, 64, "cores",
     "worker threads for password hashing (at most one hash per worker)"},
    {"log-level", "RAATI_LOG_LEVEL", OPT_STR, F(log_level), 0, 0, "info",
     "debug, info, warn or error"},
#undef F
};
enum { OPT_COUNT = sizeof opts / sizeof opts[0] };

static const char default_municipalities[] = "hyvinkaa=Hyvinkää/Hyvinge/Hyvinkää;"
                                             "jarvenpaa=Järvenpää/Träskända/Järvenpää;"
                                             "mantsala=Mäntsälä/Mäntsälä/Mäntsälä;"
                                             "nurmijarvi=Nurmijärvi/Nurmijärvi/Nurmijärvi;"
                                             "pornainen=Pornainen/Borgnäs/Pornainen;"
                                             "tuusula=Tuusula/Tusby/Tuusula";

static const char default_interest_areas[] =
    "ikaihmiset=ikäihmisten palvelut/tjänster för äldre/services for older people;"
    "perhepalvelut=perhepalvelut/familjetjänster/family services;"
    "mielenterveys=mielenterveys- ja päihdepalvelut/mentalvårds- och missbrukartjänster/"
    "mental health and substance abuse services;"
    "vammaispalvelut=vammaispalvelut/handikappservice/disability services;"
    "digipalvelut=digitaaliset palvelut/digitala tjänster/digital services;"
    "terveyspalvelut=terveysasemat ja sairaalat/hälsostationer och sjukhus/"
    "health centres and hospitals";

static const char default_region[] = "Keski-Uudenmaan hyvinvointialue/"
                                     "Mellersta Nylands välfärdsområde/"
                                     "Central Uusimaa Wellbeing Services County";

int config_lang_parse(const char *s)
{
    for (int i = 0; i < LANG_COUNT; i++)
        if (s && !strcmp(s, config_lang_names[i]))
            return i;
    return -1;
}

/* Splits "fi/sv/en" into names; sv and en default to fi. */
static raati_code parse_names(char *names, size_t each, const char *s, const char *what,
                              raati_error *err)
{
    const char *p = s;
    for (int lang = 0; lang < LANG_COUNT; lang++) {
        char *dst = names + lang * each;
        if (!*p && lang > 0) {
            memcpy(dst, names, each);
            continue;
        }
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || len >= each)
            return raati_fail(err, RAATI_E_INVALID_FIELD, what, "%s: each name must be 1-%zu bytes",
                              what, each - 1);
        memcpy(dst, p, len);
        dst[len] = '\0';
        p = end ? end + 1 : p + len;
    }
    if (*p)
        return raati_fail(err, RAATI_E_INVALID_FIELD, what, "%s: at most three names (fi/sv/en)",
                          what);
    return RAATI_OK;
}

raati_code config_parse_items(config_items *items, const char *s, raati_error *err)
{
    config_items out = {0};
    char buf[8192];
    if (strlen(s) >= sizeof buf)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "items", "list is too long");
    strcpy(buf, s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        if (!*tok)
            continue;
        if (out.count == CONFIG_MAX_ITEMS)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "items", "at most %d items",
                              CONFIG_MAX_ITEMS);
        config_item *it = &out.items[out.count];
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || eq - tok >= (long)sizeof it->id)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "items",
                              "'%.40s' is not id=name (id of 1-31 characters)", tok);
        for (char *c = tok; c < eq; c++)
            if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_' ||
                  *c == '-'))
                return raati_fail(err, RAATI_E_INVALID_FIELD, "items",
                                  "id '%.*s' may only have a-z, 0-9, _ and -", (int)(eq - tok),
                                  tok);
        memcpy(it->id, tok, eq - tok);
        it->id[eq - tok] = '\0';
        if (config_find_item(&out, it->id))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "items", "id '%s' appears twice", it->id);
        raati_code rc = parse_names(&it->name[0][0], sizeof it->name[0], eq + 1, it->id, err);
        if (rc)
            return rc;
        out.count++;
    }
    if (out.count == 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "items", "the list is empty");
    *items = out;
    return RAATI_OK;
}

const config_item *config_find_item(const config_items *items, const char *id)
{
    for (int i = 0; i < items->count; i++)
        if (!strcmp(items->items[i].id, id))
            return &items->items[i];
    return NULL;
}

void config_defaults(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->port = 8080;
    strcpy(cfg->listen, "127.0.0.1");
    strcpy(cfg->db_path, "data/raati.db");
    strcpy(cfg->web_root, "web");
    cfg->max_message = 131072;
    cfg->max_post_chars = 20000;
    parse_names(&cfg->region_name[0][0], sizeof cfg->region_name[0], default_region, "region",
                NULL);
    config_parse_items(&cfg->municipalities, default_municipalities, NULL);
    config_parse_items(&cfg->interest_areas, default_interest_areas, NULL);
    strcpy(cfg->privacy_version, "2026-1");
    cfg->login_limit_account = 5;
    cfg->login_limit_address = 30;
    cfg->register_limit_address = 50;
    cfg->post_limit = 10;
    cfg->post_limit_new = 3;
    cfg->new_member_days = 7;
    cfg->auto_hide_reports = 3;
    cfg->premoderate_days = 0;
    strcpy(cfg->time_zone, "Europe/Helsinki");
    cfg->ping_interval = 60;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = cores > 0 ? (int)cores : 1;
    strcpy(cfg->log_level, "info");
}

static raati_code set_opt(config *cfg, const struct opt *o, const char *value, const char *src,
                          raati_error *err)
{
    char *dst = (char *)cfg + o->off;
    switch (o->kind) {
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max)
            return raati_fail(err, RAATI_E_INVALID_FIELD, o->flag,
                              "%s: '%.40s' is not a whole number from %ld to %ld", src, value,
                              o->min, o->max);
        *(int *)dst = (int)v;
        return RAATI_OK;
    }
    case OPT_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") ||
            !strcmp(value, "on"))
            *(int *)dst = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") ||
                 !strcmp(value, "off") || !*value)
            *(int *)dst = 0;
        else
            return raati_fail(err, RAATI_E_INVALID_FIELD, o->flag,
                              "%s: '%.40s' is not on/off (1/0)", src, value);
        return RAATI_OK;
    case OPT_STR:
        if (strlen(value) >= o->size)
            return raati_fail(err, RAATI_E_INVALID_FIELD, o->flag, "%s: longer than %zu bytes", src,
                              o->size - 1);
        strcpy(dst, value);
        return RAATI_OK;
    case OPT_NAMES: {
        char names[LANG_COUNT][sizeof cfg->region_name[0]];
        raati_code rc = parse_names(&names[0][0], sizeof names[0], value, src, err);
        if (rc)
            return rc;
        memcpy(cfg->region_name, names, sizeof names);
        return RAATI_OK;
    }
    case OPT_ITEMS: {
        raati_code rc = config_parse_items((config_items *)dst, value, err);
        if (rc)
            snprintf(err->field, sizeof err->field, "%s", o->flag);
        return rc;
    }
    }
    return RAATI_E_INTERNAL;
}

raati_code config_from_env(config *cfg, raati_error *err)
{
    for (int i = 0; i < OPT_COUNT; i++) {
        const char *v = getenv(opts[i].env);
        if (v) {
            raati_code rc = set_opt(cfg, &opts[i], v, opts[i].env, err);
            if (rc)
                return rc;
        }
    }
    return RAATI_OK;
}

raati_code config_from_args(config *cfg, int argc, char **argv, raati_error *err)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2))
            return raati_fail(err, RAATI_E_INVALID_FIELD, a, "unexpected argument '%.60s'", a);
        a += 2;
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const struct opt *o = NULL;
        for (int k = 0; k < OPT_COUNT; k++)
            if (strlen(opts[k].flag) == len && !strncmp(opts[k].flag, a, len))
                o = &opts[k];
        if (!o)
            return raati_fail(err, RAATI_E_INVALID_FIELD, argv[i], "unknown option '%.60s'",
                              argv[i]);
        const char *value;
        if (eq)
            value = eq + 1;
        else if (o->kind == OPT_BOOL)
            value = "1";
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return raati_fail(err, RAATI_E_MISSING_FIELD, o->flag, "--%s needs a value", o->flag);
        char src[64];
        snprintf(src, sizeof src, "--%s", o->flag);
        raati_code rc = set_opt(cfg, o, value, src, err);
        if (rc)
            return rc;
    }
    return RAATI_OK;
}

/* Reduces an http(s) URL to its origin: scheme://host[:port], lower case. */
static raati_code url_origin(const char *url, char *out, size_t size, int *secure, raati_error *err)
{
    const char *rest;
    if (!strncasecmp(url, "http://", 7)) {
        *secure = 0;
        rest = url + 7;
    } else if (!strncasecmp(url, "https://", 8)) {
        *secure = 1;
        rest = url + 8;
    } else
        return raati_fail(err, RAATI_E_INVALID_FIELD, "public-url",
                          "public URL must start with http:// or https://");
    size_t host = strcspn(rest, "/?#");
    if (host == 0 || host + 9 > size)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "public-url", "public URL has no host");
    snprintf(out, size, "%s://%.*s", *secure ? "https" : "http", (int)host, rest);
    for (char *c = out; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    /* The default port is not part of a browser's Origin. */
    size_t n = strlen(out);
    if (*secure && n > 4 && !strcmp(out + n - 4, ":443"))
        out[n - 4] = '\0';
    if (!*secure && n > 3 && !strcmp(out + n - 3, ":80"))
        out[n - 3] = '\0';
    return RAATI_OK;
}

raati_code config_finish(config *cfg, int bound_port, raati_error *err)
{
    if (log_level_parse(cfg->log_level) < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "log-level",
                          "log level must be debug, info, warn or error");
    if (cfg->public_url[0]) {
        raati_code rc =
            url_origin(cfg->public_url, cfg->origins[0], sizeof cfg->origins[0], &cfg->secure, err);
        if (rc)
            return rc;
        cfg->origin_count = 1;
    } else {
        /* Unconfigured: a developer on this machine, by either name. */
        snprintf(cfg->public_url, sizeof cfg->public_url, "http://localhost:%d", bound_port);
        snprintf(cfg->origins[0], sizeof cfg->origins[0], "http://localhost:%d", bound_port);
        snprintf(cfg->origins[1], sizeof cfg->origins[1], "http://127.0.0.1:%d", bound_port);
        cfg->secure = 0;
        cfg->origin_count = 2;
    }
    return RAATI_OK;
}

void config_print_help(FILE *out)
{
    for (int i = 0; i < OPT_COUNT; i++) {
        char flag[48];
        snprintf(flag, sizeof flag, "--%s%s", opts[i].flag, opts[i].kind == OPT_BOOL ? "" : " V");
        fprintf(out, "  %-28s %-30s %s (default: %s)\n", flag, opts[i].env, opts[i].help,
                opts[i].def);
    }
}
