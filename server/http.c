/* http.c: see http.h. */
#include "http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "forum_routes.h"
#include "json_util.h"
#include "log.h"
#include "members.h"
#include "results.h"
#include "results_page.h"
#include "surveys.h"
#include "ws.h"

enum method { M_OTHER, M_GET, M_POST, M_HEAD };

/* lws's per-session data for the http protocol: one per HTTP connection,
 * reset for each request on a kept-alive connection. */
struct http_req {
    struct lws *wsi;
    uint64_t id;
    struct http_req *next_waiting;
    int waiting; /* on app->waiting: a worker job will answer */
    enum method method;
    char path[128];
    char addr[64];
    char *body;
    size_t body_len;
    int body_done; /* the whole body is in */
    int answered;  /* a response is queued or written */

    int status;
    char *resp; /* JSON body */
    size_t resp_len;
    char cookie[192];
    int retry_after;
    const char *allow;
    int close_after;              /* unread request body: close rather than keep alive */
    const char *content_type;     /* NULL: JSON */
    char disposition[96];         /* Content-Disposition, or empty */
    const char *cache_control;    /* NULL: no-store */
    char etag[RESULTS_ETAG_SIZE]; /* ETag, or empty */
    const char *content_language; /* Content-Language, or NULL */
    int vary_language;            /* Vary: Accept-Language */
};

static int responding;
int http_responding(app *a)
{
    return responding + (a->waiting != NULL);
}

static void reset(struct http_req *r)
{
    if (r->body) /* may hold a password */
        sodium_memzero(r->body, r->body_len);
    free(r->body);
    free(r->resp);
    struct lws *wsi = r->wsi;
    memset(r, 0, sizeof *r);
    r->wsi = wsi;
}

/* Queues status + body (owned, len bytes) for writing. A 304 says how long
 * the body would be and sends none. */
static void respond_n(struct http_req *r, int status, char *body, size_t len)
{
    if (r->answered) {
        free(body);
        return;
    }
    r->answered = 1;
    r->status = status;
    r->resp = body;
    r->resp_len = len;
    if (!body) {
        r->resp = strdup("{\"ok\":false}");
        r->resp_len = r->resp ? strlen(r->resp) : 0;
    }
    responding++;
    lws_callback_on_writable(r->wsi);
}

/* Queues status + body (owned, a string) for writing. */
static void respond(struct http_req *r, int status, char *body)
{
    respond_n(r, status, body, body ? strlen(body) : 0);
}

static void respond_error(struct http_req *r, const raati_error *err)
{
    if (err->code == RAATI_E_RATE_LIMITED)
        r->retry_after = err->retry_after;
    /* Refused before its body was read: the rest of the body would be
     * taken for the next request, so the connection closes instead. */
    r->close_after = r->method == M_POST && !r->body_done;
    respond(r, raati_code_http_status(err->code), jerror_body(err));
}

static void fail(struct http_req *r, raati_code code, const char *field, const char *msg)
{
    raati_error err = {0};
    raati_fail(&err, code, field, "%s", msg);
    respond_error(r, &err);
}

static void respond_json(struct http_req *r, int status, json_t *obj)
{
    char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!s) {
        fail(r, RAATI_E_INTERNAL, NULL, "could not build the response");
        return;
    }
    respond(r, status, s);
}

static void set_session_cookie(app *a, struct http_req *r, const char *token)
{
    snprintf(r->cookie, sizeof r->cookie,
             SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", token ? token : "",
             token ? AUTH_SESSION_DAYS * 86400 : 0, a->cfg.secure ? "; Secure" : "");
}

static int write_response(struct http_req *r)
{
    size_t cap = LWS_PRE + 3072 + r->resp_len;
    unsigned char *buf = malloc(cap), *start, *p, *end;
    if (!buf)
        return -1;
    start = p = buf + LWS_PRE;
    end = buf + cap - 1;
    char num[16];
    const char *type = r->content_type ? r->content_type : "application/json; charset=utf-8";
    const char *cache = r->cache_control ? r->cache_control : "no-store";
    int bad = lws_add_http_common_headers(r->wsi, r->status, type, r->resp_len, &p, end) ||
              lws_add_http_header_by_name(
                  r->wsi, (const unsigned char *)"cache-control:", (const unsigned char *)cache,
                  (int)strlen(cache), &p, end);
    if (!bad && r->etag[0])
        bad = lws_add_http_header_by_name(
            r->wsi, (const unsigned char *)"etag:", (const unsigned char *)r->etag,
            (int)strlen(r->etag), &p, end);
    if (!bad && r->content_language)
        bad = lws_add_http_header_by_name(r->wsi, (const unsigned char *)"content-language:",
                                          (const unsigned char *)r->content_language,
                                          (int)strlen(r->content_language), &p, end);
    if (!bad && r->vary_language)
        bad = lws_add_http_header_by_name(r->wsi, (const unsigned char *)"vary:",
                                          (const unsigned char *)"Accept-Language", 15, &p, end);
    if (!bad && r->cookie[0])
        bad = lws_add_http_header_by_name(
            r->wsi, (const unsigned char *)"set-cookie:", (const unsigned char *)r->cookie,
            (int)strlen(r->cookie), &p, end);
    if (!bad && r->retry_after) {
        int n = snprintf(num, sizeof num, "%d", r->retry_after);
        bad = lws_add_http_header_by_name(
            r->wsi, (const unsigned char *)"retry-after:", (const unsigned char *)num, n, &p, end);
    }
    if (!bad && r->allow)
        bad = lws_add_http_header_by_name(
            r->wsi, (const unsigned char *)"allow:", (const unsigned char *)r->allow,
            (int)strlen(r->allow), &p, end);
    if (!bad && r->disposition[0])
        bad = lws_add_http_header_by_name(r->wsi, (const unsigned char *)"content-disposition:",
                                          (const unsigned char *)r->disposition,
                                          (int)strlen(r->disposition), &p, end);
    if (!bad && r->close_after)
        bad = lws_add_http_header_by_name(r->wsi, (const unsigned char *)"connection:",
                                          (const unsigned char *)"close", 5, &p, end);
    if (!bad)
        bad = lws_finalize_http_header(r->wsi, &p, end);
    if (bad || (size_t)(end - p) < r->resp_len) {
        free(buf);
        return -1;
    }
    if (r->method != M_HEAD && r->status != 304) {
        memcpy(p, r->resp, r->resp_len);
        p += r->resp_len;
    }
    /* HTTP/1 only: headers and body go out in one write. */
    int n = lws_write(r->wsi, start, p - start, LWS_WRITE_HTTP_FINAL);
    free(buf);
    responding--;
    int close_after = r->close_after;
    reset(r);
    if (n < 0 || close_after)
        return -1;
    return lws_http_transaction_completed(r->wsi) ? -1 : 0;
}

/* ---- waiting for workers ---- */

static void wait_for_job(app *a, struct http_req *r)
{
    r->id = ++a->next_id;
    r->waiting = 1;
    r->next_waiting = a->waiting;
    a->waiting = r;
}

static void stop_waiting(app *a, struct http_req *r)
{
    for (struct http_req **pp = &a->waiting; *pp; pp = &(*pp)->next_waiting)
        if (*pp == r) {
            *pp = r->next_waiting;
            break;
        }
    r->waiting = 0;
    r->next_waiting = NULL;
}

/* The request a finished job answers, or NULL if its client left. */
static struct http_req *claim(app *a, uint64_t id)
{
    for (struct http_req *r = a->waiting; r; r = r->next_waiting)
        if (r->id == id) {
            stop_waiting(a, r);
            return r;
        }
    return NULL;
}

static int submit(app *a, struct http_req *r, job *j)
{
    /* A body completed during shutdown finds the pool already stopped. */
    if (a->stopping || !a->jobs) {
        fail(r, RAATI_E_BUSY, NULL, "the server is shutting down: try again shortly");
        return -1;
    }
    if (jobs_submit(a->jobs, j)) {
        fail(r, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
        return -1;
    }
    wait_for_job(a, r);
    return 0;
}

static json_t *member_reply(app *a, int64_t id)
{
    json_t *m = member_json(a->db, id);
    return m ? json_pack("{s:b, s:o}", "ok", 1, "member", m) : NULL;
}

/* ---- POST /api/login ---- */

struct login_job {
    job base;
    app *a;
    uint64_t req_id;
    int64_t member_id; /* 0: unknown email, checked against the dummy hash */
    char email[256];
    char hash[AUTH_HASH_MAX];
    char password[AUTH_PASSWORD_MAX + 1];
    size_t password_len;
    int ok;
    char new_hash[AUTH_HASH_MAX]; /* set when the stored hash needed rehashing */
};

static void login_run(job *j)
{
    struct login_job *l = (struct login_job *)j;
    l->ok = auth_verify_password(l->hash, l->password, l->password_len) && l->member_id;
    if (l->ok && auth_needs_rehash(l->hash) &&
        auth_hash_password(l->password, l->password_len, l->new_hash))
        l->new_hash[0] = '\0';
    sodium_memzero(l->password, sizeof l->password);
}

static void login_done(job *j, int cancelled, void *loop_ctx)
{
    struct login_job *l = (struct login_job *)j;
    app *a = l->a;
    struct http_req *r = claim(a, l->req_id);
    if (!r)
        goto out;
    if (cancelled) {
        fail(r, RAATI_E_BUSY, NULL, "the server is shutting down: try again shortly");
        goto out;
    }
    if (!l->ok) {
        log_info("member.signin_failed", "known=%d", l->member_id != 0);
        fail(r, RAATI_E_BAD_CREDENTIALS, NULL, "wrong email or password");
        goto out;
    }
    char token[AUTH_TOKEN_CHARS + 1];
    if (l->new_hash[0])
        member_set_password(a->db, l->member_id, l->new_hash);
    if (session_create(a->db, l->member_id, token, NULL)) {
        fail(r, RAATI_E_INTERNAL, NULL, "could not sign in");
        goto out;
    }
    ratelimit_clear(a->login_account, l->email);
    log_info("member.signed_in", "member=%lld", (long long)l->member_id);
    set_session_cookie(a, r, token);
    sodium_memzero(token, sizeof token);
    respond_json(r, 200, member_reply(a, l->member_id));
out:
    sodium_memzero(l, sizeof *l);
    free(l);
}

static void api_login(app *a, struct http_req *r, json_t *body)
{
    raati_error err = {0};
    const char *email, *password;
    size_t password_len;
    if (jfield_string(body, "email", 1, &email, NULL, &err) ||
        jfield_string(body, "password", 1, &password, &password_len, &err))
        return respond_error(r, &err);
    time_t now = time(NULL);
    int wait = ratelimit_check(a->login_address, r->addr, now);
    struct login_job *l = calloc(1, sizeof *l);
    if (!l)
        return fail(r, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
    /* An address that is not an email can match no account: same answer. */
    if (member_normalize_email(email, l->email, NULL))
        snprintf(l->email, sizeof l->email, "%.255s", email);
    if (!wait)
        wait = ratelimit_check(a->login_account, l->email, now);
    if (wait) {
        free(l);
        err.retry_after = wait;
        raati_fail(&err, RAATI_E_RATE_LIMITED, NULL,
                   "too many sign-in attempts: try again in %d seconds", wait);
        log_info("member.signin_limited", "retry_after=%d", wait);
        return respond_error(r, &err);
    }
    /* Counted now, not when the hash is done, so attempts in flight are
     * limited too; a successful sign-in clears the account's count. */
    ratelimit_hit(a->login_address, r->addr, now);
    ratelimit_hit(a->login_account, l->email, now);
    if (member_login_info(a->db, l->email, &l->member_id, l->hash) != RAATI_OK) {
        l->member_id = 0;
        snprintf(l->hash, sizeof l->hash, "%s", auth_dummy_hash());
    }
    l->base.run = login_run;
    l->base.done = login_done;
    l->a = a;
    /* Longer than any password can be: checked anyway, always fails. */
    l->password_len = password_len > AUTH_PASSWORD_MAX ? AUTH_PASSWORD_MAX : password_len;
    memcpy(l->password, password, l->password_len);
    if (password_len > AUTH_PASSWORD_MAX)
        l->member_id = 0;
    l->req_id = 0;
    if (submit(a, r, &l->base)) {
        sodium_memzero(l, sizeof *l);
        free(l);
        return;
    }
    l->req_id = r->id;
}

/* ---- POST /api/register ---- */

struct register_job {
    job base;
    app *a;
    uint64_t req_id;
    registration reg;
    raati_code rc;
    char hash[AUTH_HASH_MAX];
};

static void register_run(job *j)
{
    struct register_job *g = (struct register_job *)j;
    g->rc = auth_hash_password(g->reg.password, g->reg.password_len, g->hash);
    sodium_memzero(g->reg.password, sizeof g->reg.password);
}

static void register_done(job *j, int cancelled, void *loop_ctx)
{
    struct register_job *g = (struct register_job *)j;
    app *a = g->a;
    struct http_req *r = claim(a, g->req_id);
    raati_error err = {0};
    int64_t id = 0;
    char token[AUTH_TOKEN_CHARS + 1];
    if (!r)
        goto out;
    if (cancelled) {
        fail(r, RAATI_E_BUSY, NULL, "the server is shutting down: try again shortly");
        goto out;
    }
    if (g->rc) {
        fail(r, g->rc, NULL, "the server is busy: try again shortly");
        goto out;
    }
    if (db_begin(a->db)) {
        fail(r, RAATI_E_INTERNAL, NULL, "could not save the registration");
        goto out;
    }
    if (member_create(a->db, &g->reg, g->hash, &id, &err) ||
        session_create(a->db, id, token, NULL) || db_commit(a->db)) {
        db_rollback(a->db);
        if (!err.code)
            raati_fail(&err, RAATI_E_INTERNAL, NULL, "could not save the registration");
        respond_error(r, &err);
        goto out;
    }
    log_info("member.registered", "member=%lld municipality=%s", (long long)id,
             g->reg.municipality);
    set_session_cookie(a, r, token);
    sodium_memzero(token, sizeof token);
    respond_json(r, 201, member_reply(a, id));
out:
    sodium_memzero(g, sizeof *g);
    free(g);
}

static void api_register(app *a, struct http_req *r, json_t *body)
{
    raati_error err = {0};
    time_t now = time(NULL);
    int wait = ratelimit_check(a->register_address, r->addr, now);
    if (wait) {
        err.retry_after = wait;
        raati_fail(&err, RAATI_E_RATE_LIMITED, NULL,
                   "too many registrations from this address: try again in %d seconds", wait);
        return respond_error(r, &err);
    }
    struct register_job *g = calloc(1, sizeof *g);
    if (!g)
        return fail(r, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
    if (member_parse_registration(&a->cfg, body, &g->reg, &err)) {
        sodium_memzero(g, sizeof *g);
        free(g);
        return respond_error(r, &err);
    }
    /* Counted before the email is looked up, so probing for members'
     * emails is limited like registering. */
    ratelimit_hit(a->register_address, r->addr, now);
    if (member_email_taken(a->db, g->reg.email)) {
        sodium_memzero(g, sizeof *g);
        free(g);
        return fail(r, RAATI_E_EMAIL_TAKEN, "email", "an account with this email already exists");
    }
    g->base.run = register_run;
    g->base.done = register_done;
    g->a = a;
    if (submit(a, r, &g->base)) {
        sodium_memzero(g, sizeof *g);
        free(g);
        return;
    }
    g->req_id = r->id;
}

/* ---- the rest ---- */

static int read_cookie(struct lws *wsi, char *buf, size_t size)
{
    size_t max = size;
    if (lws_http_cookie_get(wsi, SESSION_COOKIE, buf, &max))
        return -1;
    buf[max < size ? max : size - 1] = '\0';
    return 0;
}

static void api_logout(app *a, struct http_req *r)
{
    char token[128];
    if (!read_cookie(r->wsi, token, sizeof token)) {
        int64_t session = session_delete(a->db, token);
        sodium_memzero(token, sizeof token);
        if (session) {
            ws_end_sessions(a, session, 0, 0);
            log_info("member.signed_out", "session=%lld", (long long)session);
        }
    }
    set_session_cookie(a, r, NULL);
    respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void api_me(app *a, struct http_req *r)
{
    char token[128];
    int64_t member = 0;
    if (!read_cookie(r->wsi, token, sizeof token)) {
        member = session_lookup(a->db, token, NULL);
        sodium_memzero(token, sizeof token);
    }
    json_t *reply = member ? member_reply(a, member) : NULL;
    if (!reply)
        return fail(r, RAATI_E_UNAUTHENTICATED, NULL, "not signed in");
    respond_json(r, 200, reply);
}

/* GET /api/surveys/<id>/responses.csv: a moderator's export. */
static void survey_export(app *a, struct http_req *r, int64_t survey_id)
{
    char token[128];
    int64_t member = 0;
    if (!read_cookie(r->wsi, token, sizeof token)) {
        member = session_lookup(a->db, token, NULL);
        sodium_memzero(token, sizeof token);
    }
    if (!member)
        return fail(r, RAATI_E_UNAUTHENTICATED, NULL, "not signed in");
    if (member_role(a->db, member) < ROLE_MODERATOR)
        return fail(r, RAATI_E_FORBIDDEN, NULL, "only moderators can export responses");
    int64_t period_id;
    raati_error err = {0};
    json_t *m = member_json(a->db, member);
    const char *lang = json_string_value(json_object_get(m, "language"));
    int l = 0;
    for (int i = 0; lang && i < LANG_COUNT; i++)
        if (!strcmp(lang, config_lang_names[i]))
            l = i;
    json_decref(m);
    /* Finnish and Swedish spreadsheets split cells at ';' (the comma is
     * their decimal mark); ?sep=comma gives ',' for English ones. */
    char sep_arg[16] = "";
    const char *sep_s = lws_get_urlarg_by_name(r->wsi, "sep=", sep_arg, sizeof sep_arg);
    if (sep_s && strcmp(sep_s, "comma") && strcmp(sep_s, "semicolon"))
        return fail(r, RAATI_E_INVALID_FIELD, "sep", "sep must be comma or semicolon");
    char *csv = NULL;
    if (!survey_period(a->db, survey_id, ROLE_ADMIN, &period_id, NULL, &err))
        csv = survey_csv(a->db, survey_id, l, sep_s && !strcmp(sep_s, "comma") ? ',' : ';', &err);
    if (!csv)
        return respond_error(r, &err);
    static const char *const names[LANG_COUNT] = {
        "kysely-%lld-vastaukset.csv", "enkat-%lld-svar.csv", "survey-%lld-responses.csv"};
    char name[64];
    snprintf(name, sizeof name, names[l], (long long)survey_id);
    snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"", name);
    r->content_type = "text/csv; charset=utf-8";
    log_info("survey.exported", "survey=%lld by=%lld", (long long)survey_id, (long long)member);
    respond(r, 200, csv);
}

/* The survey id of "/api/surveys/<id>/responses.csv", or 0. */
static int64_t survey_export_path(const char *path)
{
    static const char prefix[] = "/api/surveys/", suffix[] = "/responses.csv";
    if (strncmp(path, prefix, sizeof prefix - 1))
        return 0;
    const char *digits = path + sizeof prefix - 1;
    size_t n = strspn(digits, "0123456789");
    if (!n || n > 15 || digits[0] == '0' || strcmp(digits + n, suffix))
        return 0;
    return atoll(digits);
}

static void healthz(app *a, struct http_req *r)
{
    int ok = db_ping(a->db);
    respond_json(r, ok ? 200 : 503,
                 json_pack("{s:s, s:s, s:s}", "status", ok ? "ok" : "error", "version",
                           RAATI_VERSION, "database", ok ? "ok" : "error"));
}

int http_build_config(app *a)
{
    const config *cfg = &a->cfg;
    json_t *region = json_object(), *munis = json_array(), *areas = json_array();
    for (int l = 0; l < LANG_COUNT; l++)
        json_object_set_new(region, config_lang_names[l], json_string(cfg->region_name[l]));
    const config_items *lists[2] = {&cfg->municipalities, &cfg->interest_areas};
    json_t *arrays[2] = {munis, areas};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < lists[k]->count; i++) {
            const config_item *it = &lists[k]->items[i];
            json_t *names = json_object();
            for (int l = 0; l < LANG_COUNT; l++)
                json_object_set_new(names, config_lang_names[l], json_string(it->name[l]));
            json_array_append_new(arrays[k], json_pack("{s:s, s:o}", "id", it->id, "name", names));
        }
    json_t *contact = cfg->contact_email[0] ? json_string(cfg->contact_email) : json_null();
    json_t *body =
        json_pack("{s:b, s:o, s:o, s:o, s:s, s:o, s:i, s:i, s:i, s:s}", "ok", 1, "region", region,
                  "municipalities", munis, "interest_areas", areas, "privacy_notice_version",
                  cfg->privacy_version, "contact_email", contact, "minimum_age", MEMBER_MINIMUM_AGE,
                  "current_year", current_year(), "max_post_chars", cfg->max_post_chars, "version",
                  RAATI_VERSION);
    free(a->config_body);
    a->config_body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return a->config_body ? 0 : -1;
}

static void api_config(app *a, struct http_req *r)
{
    /* Rebuilt when the year turns, so current_year stays true. */
    static int built_for;
    if (built_for != current_year()) {
        http_build_config(a);
        built_for = current_year();
    }
    respond(r, 200, a->config_body ? strdup(a->config_body) : NULL);
}

/* ---- dispatch ---- */

static const struct route {
    const char *path;
    enum method method;
} api_routes[] = {
    {"/healthz", M_GET},       {"/api/config", M_GET}, {"/api/me", M_GET},
    {"/api/register", M_POST}, {"/api/login", M_POST}, {"/api/logout", M_POST},
};

static void dispatch_post(app *a, struct http_req *r)
{
    json_t *body = NULL;
    if (r->body_len || strcmp(r->path, "/api/logout")) {
        json_error_t jerr;
        body = json_loadb(r->body ? r->body : "", r->body_len,
                          JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!body)
            return fail(r, RAATI_E_BAD_JSON, NULL, "the body is not valid JSON");
        if (!json_is_object(body)) {
            json_decref(body);
            return fail(r, RAATI_E_NOT_OBJECT, NULL, "the body must be a JSON object");
        }
    }
    if (!strcmp(r->path, "/api/register"))
        api_register(a, r, body);
    else if (!strcmp(r->path, "/api/login"))
        api_login(a, r, body);
    else
        api_logout(a, r);
    jwipe_secrets(body);
    json_decref(body);
}

static void client_address(app *a, struct http_req *r)
{
    char fwd[256];
    if (a->cfg.trust_proxy &&
        lws_hdr_copy(r->wsi, fwd, sizeof fwd, WSI_TOKEN_X_FORWARDED_FOR) > 0) {
        /* Our proxy appends the address it saw last. */
        char *last = strrchr(fwd, ',');
        last = last ? last + 1 : fwd;
        while (*last == ' ')
            last++;
        snprintf(r->addr, sizeof r->addr, "%.63s", last);
        return;
    }
    lws_get_peer_simple(r->wsi, r->addr, sizeof r->addr);
}

int http_origin_allowed(app *a, struct lws *wsi, int allow_missing)
{
    char origin[256];
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) <= 0)
        return allow_missing;
    for (int i = 0; i < a->cfg.origin_count; i++)
        if (!strcasecmp(origin, a->cfg.origins[i]))
            return 1;
    return 0;
}

/* A page for a person who followed a wrong link: the static mount sends
 * requests for files that do not exist here. */
static void not_found_page(struct http_req *r)
{
    static const char page[] =
        "<!doctype html>\n<html lang=\"fi\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Sivua ei löytynyt – Raati</title>"
        "<link rel=\"stylesheet\" href=\"/css/raati.css\"></head>"
        "<body><main id=\"main\" class=\"container\">"
        "<h1>Sivua ei löytynyt</h1>"
        "<p>Osoitteessa ei ole sivua. <a href=\"/\">Siirry etusivulle</a>.</p>"
        "<p lang=\"sv\">Sidan hittades inte. <a href=\"/\">Till startsidan</a>.</p>"
        "<p lang=\"en\">Page not found. <a href=\"/\">Go to the front page</a>.</p>"
        "</main></body></html>\n";
    r->content_type = "text/html; charset=utf-8";
    respond(r, 404, strdup(page));
}

/* ---- the public results pages ---- */

/* The signed-in member of the request's session cookie, or 0. */
static int64_t cookie_member(app *a, struct http_req *r)
{
    char token[128];
    int64_t member = 0;
    if (!read_cookie(r->wsi, token, sizeof token)) {
        member = session_lookup(a->db, token, NULL);
        sodium_memzero(token, sizeof token);
    }
    return member;
}

/* GET /tulokset/<slug>?preview=1: the working copy, for moderators only;
 * anyone else gets the 404 of a page that does not exist. Never cached. */
static void results_preview(app *a, struct http_req *r, const char *slug, int lang)
{
    int64_t member = cookie_member(a, r);
    if (!member || member_role(a->db, member) < ROLE_MODERATOR)
        return not_found_page(r);
    json_t *doc = results_page_document(a->db, &a->cfg, slug, 1);
    if (!doc)
        return not_found_page(r);
    int status;
    int published = results_cache_get(a->db, &a->cfg, RESULTS_PAGE, slug, lang, &status) != NULL;
    char *html = results_page_html(&a->cfg, doc, lang,
                                   published ? RESULTS_PREVIEW_EDITS : RESULTS_PREVIEW_DRAFT);
    json_decref(doc);
    if (!html)
        return fail(r, RAATI_E_INTERNAL, NULL, "could not render the page");
    r->content_type = "text/html; charset=utf-8";
    r->content_language = config_lang_names[lang];
    r->vary_language = 1;
    respond(r, 200, html);
}

/* GET/HEAD of a results page, the index, the feed or the accessibility
 * statement: from the cache, 304 when the client has it already. */
static void results_public(app *a, struct http_req *r, const results_route *route)
{
    if (r->method != M_GET && r->method != M_HEAD) {
        r->allow = "GET, HEAD";
        return fail(r, RAATI_E_METHOD_NOT_ALLOWED, NULL, "method not allowed here");
    }
    if (route->what == RESULTS_NONE)
        return not_found_page(r);
    /* lws copies the whole "name=value" into these before matching. */
    char arg[32], accept[256];
    const char *lang_arg = lws_get_urlarg_by_name(r->wsi, "lang=", arg, sizeof arg);
    int lang = results_pick_lang(
        lang_arg, lws_hdr_copy(r->wsi, accept, sizeof accept, WSI_TOKEN_HTTP_ACCEPT_LANGUAGE) > 0
                      ? accept
                      : NULL);
    char preview[32];
    const char *p = lws_get_urlarg_by_name(r->wsi, "preview=", preview, sizeof preview);
    if (route->what == RESULTS_PAGE && p && !strcmp(p, "1"))
        return results_preview(a, r, route->slug, lang);

    int status;
    const results_cached *c =
        results_cache_get(a->db, &a->cfg, route->what, route->slug, lang, &status);
    if (!c && status == 404)
        return not_found_page(r);
    char *body = c ? malloc(c->len + 1) : NULL;
    if (!body)
        return fail(r, RAATI_E_INTERNAL, NULL, "could not render the page");
    memcpy(body, c->body, c->len + 1);
    r->content_type = c->content_type;
    r->content_language = config_lang_names[lang];
    r->vary_language = 1;
    r->cache_control = "public, no-cache";
    snprintf(r->etag, sizeof r->etag, "%s", c->etag);
    char inm[512];
    int fresh = lws_hdr_copy(r->wsi, inm, sizeof inm, WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 &&
                results_etag_matches(inm, c->etag);
    respond_n(r, fresh ? 304 : 200, body, c->len);
}

/* LWS_CALLBACK_HTTP: a new request's headers are in. */
static int on_request(app *a, struct http_req *r)
{
    static const struct {
        enum lws_token_indexes token;
        enum method method;
    } methods[] = {{WSI_TOKEN_GET_URI, M_GET},      {WSI_TOKEN_POST_URI, M_POST},
                   {WSI_TOKEN_HEAD_URI, M_HEAD},    {WSI_TOKEN_PUT_URI, M_OTHER},
                   {WSI_TOKEN_PATCH_URI, M_OTHER},  {WSI_TOKEN_DELETE_URI, M_OTHER},
                   {WSI_TOKEN_OPTIONS_URI, M_OTHER}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (lws_hdr_total_length(r->wsi, methods[i].token) > 0) {
            lws_hdr_copy(r->wsi, r->path, sizeof r->path, methods[i].token);
            r->method = methods[i].method;
            break;
        }
    client_address(a, r);
    if (a->stopping)
        return fail(r, RAATI_E_BUSY, NULL, "the server is shutting down"), 0;

    results_route results;
    if (results_route_parse(r->path, &results))
        return results_public(a, r, &results), 0;
    int64_t survey_id = survey_export_path(r->path);
    if (survey_id) {
        if (r->method != M_GET && r->method != M_HEAD) {
            r->allow = "GET";
            return fail(r, RAATI_E_METHOD_NOT_ALLOWED, NULL, "method not allowed here"), 0;
        }
        return survey_export(a, r, survey_id), 0;
    }
    const struct route *route = NULL;
    int path_known = 0;
    for (size_t i = 0; i < sizeof api_routes / sizeof api_routes[0]; i++)
        if (!strcmp(api_routes[i].path, r->path)) {
            path_known = 1;
            if (api_routes[i].method == r->method)
                route = &api_routes[i];
            else
                r->allow = api_routes[i].method == M_GET ? "GET" : "POST";
        }
    if (!path_known && strncmp(r->path, "/api/", 5) && strcmp(r->path, "/api") &&
        (r->method == M_GET || r->method == M_HEAD))
        return not_found_page(r), 0;
    if (!path_known)
        return fail(r, RAATI_E_NOT_FOUND, NULL, "no such route"), 0;
    if (!route)
        return fail(r, RAATI_E_METHOD_NOT_ALLOWED, NULL, "method not allowed here"), 0;

    if (route->method == M_GET) {
        if (!strcmp(r->path, "/healthz"))
            healthz(a, r);
        else if (!strcmp(r->path, "/api/config"))
            api_config(a, r);
        else
            api_me(a, r);
        return 0;
    }

    char buf[128];
    if (lws_hdr_copy(r->wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0 ||
        strncasecmp(buf, "application/json", 16) || (buf[16] && buf[16] != ';' && buf[16] != ' '))
        return fail(r, RAATI_E_UNSUPPORTED_MEDIA_TYPE, NULL,
                    "send the body as Content-Type: application/json"),
               0;
    /* No Origin: not a browser's cross-site request. */
    if (!http_origin_allowed(a, r->wsi, 1))
        return fail(r, RAATI_E_BAD_ORIGIN, NULL, "requests must come from this site"), 0;
    long long length = 0;
    if (lws_hdr_copy(r->wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
        length = atoll(buf);
    else if (lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
        return fail(r, RAATI_E_LENGTH_REQUIRED, NULL, "send the body with a Content-Length"), 0;
    if (length > HTTP_BODY_MAX)
        return fail(r, RAATI_E_TOO_LARGE, NULL, "the body is larger than 16 KiB"), 0;
    if (length <= 0) { /* no body will come */
        r->body_done = 1;
        dispatch_post(a, r);
    }
    return 0;
}

int http_confirm_upgrade(app *a, struct lws *wsi)
{
    raati_error err = {0};
    char path[128];
    if (a->stopping)
        raati_fail(&err, RAATI_E_BUSY, NULL, "the server is shutting down");
    else if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) <= 0 || strcmp(path, "/ws"))
        raati_fail(&err, RAATI_E_NOT_FOUND, NULL, "WebSocket connections go to /ws");
    else if (!http_origin_allowed(a, wsi, 0))
        raati_fail(&err, RAATI_E_BAD_ORIGIN, NULL, "connections must come from this site");
    else
        return 0;
    log_info("ws.refused", "code=%s", raati_code_name(err.code));
    char *body = jerror_body(&err);
    size_t len = body ? strlen(body) : 0;
    unsigned char buf[LWS_PRE + 3072], *start = buf + LWS_PRE, *p = start,
                                       *end = buf + sizeof buf - 1;
    if (body &&
        !lws_add_http_common_headers(wsi, raati_code_http_status(err.code),
                                     "application/json; charset=utf-8", len, &p, end) &&
        !lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                     (const unsigned char *)"close", 5, &p, end) &&
        !lws_finalize_http_header(wsi, &p, end) && (size_t)(end - p) > len) {
        memcpy(p, body, len);
        p += len;
        lws_write(wsi, start, p - start, LWS_WRITE_HTTP_FINAL);
    }
    free(body);
    return -1; /* hang up */
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct http_req *r = user;
    app *a = app_of(wsi);
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        forum_group_commit(a); /* never read what is not yet committed */
        reset(r);
        r->wsi = wsi;
        return on_request(a, r);
    case LWS_CALLBACK_HTTP_BODY:
        if (r->answered || r->waiting)
            return 0;
        if (r->body_len + len > HTTP_BODY_MAX) {
            fail(r, RAATI_E_TOO_LARGE, NULL, "the body is larger than 16 KiB");
            return 0;
        }
        char *grown = realloc(r->body, r->body_len + len + 1);
        if (!grown)
            return -1;
        r->body = grown;
        memcpy(r->body + r->body_len, in, len);
        r->body_len += len;
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        /* lws repeats this while bytes of a pipelined next request wait
         * behind an answer deferred to a worker, spinning the loop;
         * browsers never pipeline, so hang up. It also comes once after a
         * POST without a body, which was dispatched already. */
        if (r->waiting)
            return -1;
        if (!r->body_done) {
            r->body_done = 1;
            if (!r->answered)
                dispatch_post(a, r);
        }
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!r->answered || !r->resp)
            return 0;
        return write_response(r);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL: /* lws frees r after this */
    case LWS_CALLBACK_CLOSED_HTTP:
        if (r && r->wsi) {
            if (r->waiting)
                stop_waiting(a, r);
            if (r->answered && r->resp)
                responding--;
            reset(r);
            r->wsi = NULL;
        }
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return http_confirm_upgrade(a, wsi);
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        if (a)
            forum_group_synced(a);
        if (a && a->jobs && jobs_finished(a->jobs)) {
            forum_group_commit(a); /* a job's answer may read or write */
            jobs_drain(a->jobs, a);
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

const struct lws_protocols http_protocol = {
    .name = "http",
    .callback = callback,
    .per_session_data_size = sizeof(struct http_req),
    /* A response goes to the socket whole (lws would cut it into 4 KiB
     * writes, one a turn, copying the rest aside). */
    .tx_packet_size = 1u << 20,
};
