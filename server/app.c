/* app.c: builds the lws context around the app, runs the loop, and shuts
 * down cleanly on SIGINT/SIGTERM. */
#include "app.h"

#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "demo.h"
#include "forum_routes.h"
#include "http.h"
#include "hub.h"
#include "log.h"
#include "results_page.h"
#include "walsync.h"
#include "ws.h"

#define SHUTDOWN_GRACE_MS 3000
#define JOB_QUEUE_MAX 256

app *app_of(struct lws *wsi)
{
    return wsi ? lws_context_user(lws_get_context(wsi)) : NULL;
}

static void wake_loop(void *arg)
{
    app *a = arg;
    lws_cancel_service(a->ctx);
}

/* Guards a->ctx between the signal thread and the teardown. */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;

/* SIGINT and SIGTERM are blocked in every thread; this one waits for them,
 * so the loop is woken the same way whichever thread the kernel picks. */
static void *signal_thread(void *arg)
{
    app *a = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig))
            continue;
        if (a->stop_requested) {
            log_warn("server.killed", "signal=%d reason=second_signal", sig);
            _exit(1);
        }
        log_info("server.stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
        a->stop_requested = 1;
        pthread_mutex_lock(&ctx_lock);
        if (a->ctx)
            lws_cancel_service(a->ctx);
        pthread_mutex_unlock(&ctx_lock);
    }
    return NULL;
}

static void lws_log(int level, const char *line)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", line);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    for (char *c = msg; *c; c++)
        if (*c == '"')
            *c = '\'';
    log_write(level & LLL_ERR ? LOG_ERROR : LOG_WARN, "lws", "msg=\"%s\"", msg);
}

/* Every HTTP response carries these (lws adds vhost headers to each status
 * line, files and errors included). */
static void build_headers(app *a)
{
    const char *ws_scheme = a->cfg.secure ? "wss" : "ws";
    const char *host = strstr(a->cfg.origins[0], "://") + 3;
    snprintf(a->csp, sizeof a->csp,
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "font-src 'self'; connect-src 'self' %s://%s; object-src 'none'; "
             "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
             ws_scheme, host);
    static const char *const names[] = {"content-security-policy:", "x-content-type-options:",
                                        "referrer-policy:", "x-frame-options:"};
    const char *values[] = {a->csp, "nosniff", "same-origin", "DENY"};
    for (int i = 0; i < 4; i++) {
        a->headers[i].next = i < 3 ? &a->headers[i + 1] : NULL;
        a->headers[i].name = names[i];
        a->headers[i].value = values[i];
    }
}

static void shutdown_tick(lws_sorted_usec_list_t *sul)
{
    (void)sul;
}

int app_serve(const config *cfg)
{
    static app a_static;
    app *a = &a_static;
    memset(a, 0, sizeof *a);
    a->cfg = *cfg;
    raati_error err = {0};
    int status = 1;
    /* Each post's savepoint journal (some 150 KB) is freed at the top of
     * the heap; by default glibc hands that back to the kernel and asks for
     * it again with the next post, two system calls and page faults a
     * post. Keep up to 1 MiB of freed heap instead. */
    mallopt(M_TRIM_THRESHOLD, 1 << 20);

    char web_root[PATH_MAX];
    if (!realpath(a->cfg.web_root, web_root)) {
        log_error("server.start_failed", "reason=\"web root %s not found\"", a->cfg.web_root);
        return 1;
    }
    /* Times for people (CSV exports) are local; everything else is UTC. */
    setenv("TZ", a->cfg.time_zone, 1);
    tzset();
    if (auth_init()) {
        log_error("server.start_failed", "reason=\"libsodium failed to start\"");
        return 1;
    }
    if (db_open(&a->db, a->cfg.db_path, &err)) {
        log_error("server.start_failed", "reason=\"%s\"", err.message);
        return 1;
    }
    if (a->cfg.demo && demo_seed(a->db, &a->cfg))
        goto out;
    if (a->cfg.demo && !a->cfg.contact_email[0])
        snprintf(a->cfg.contact_email, sizeof a->cfg.contact_email, "%s", DEMO_CONTACT_EMAIL);
    a->login_account = ratelimit_new(a->cfg.login_limit_account, 15 * 60);
    a->login_address = ratelimit_new(a->cfg.login_limit_address, 5 * 60);
    a->register_address = ratelimit_new(a->cfg.register_limit_address, 60 * 60);
    a->posts = ratelimit_new(a->cfg.post_limit, 60);
    a->posts_new = ratelimit_new(a->cfg.post_limit_new, 60);
    a->hub = hub_new();
    if (!a->login_account || !a->login_address || !a->register_address || !a->hub ||
        http_build_config(a))
        goto out;

    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
    /* Blocked here, before any thread starts, so every thread inherits it. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.user = a;
    info.count_threads = 1;
    a->ctx = lws_create_context(&info);
    if (!a->ctx) {
        log_error("server.start_failed", "reason=\"cannot create the lws context\"");
        goto out;
    }

    static struct lws_protocols protocols[3];
    protocols[0] = http_protocol;
    protocols[1] = ws_protocol;
    /* Browsers send no subprotocol: make "raati" the default for /ws. */
    static const struct lws_protocol_vhost_options pvo_default = {NULL, NULL, "default", ""};
    static const struct lws_protocol_vhost_options pvo = {NULL, &pvo_default, "raati", ""};
    static const struct lws_protocol_vhost_options mimes[] = {
        {&mimes[1], NULL, ".html", "text/html; charset=utf-8"},
        {&mimes[2], NULL, ".js", "text/javascript; charset=utf-8"},
        {&mimes[3], NULL, ".mjs", "text/javascript; charset=utf-8"},
        {&mimes[4], NULL, ".css", "text/css; charset=utf-8"},
        {&mimes[5], NULL, ".json", "application/json; charset=utf-8"},
        {&mimes[6], NULL, ".svg", "image/svg+xml"},
        {&mimes[7], NULL, ".txt", "text/plain; charset=utf-8"},
        {&mimes[8], NULL, ".webmanifest", "application/manifest+json"},
        {&mimes[9], NULL, ".woff2", "font/woff2"},
        {NULL, NULL, ".webp", "image/webp"},
    };
    static struct lws_http_mount files, healthz, api, results[RESULTS_MOUNT_COUNT];
    files = (struct lws_http_mount){
        .mountpoint = "/",
        .mountpoint_len = 1,
        .origin = web_root,
        .def = "index.html",
        .origin_protocol = LWSMPRO_FILE,
        /* A missing file goes to http.c as LWS_CALLBACK_HTTP: a 404 page. */
        .protocol = "http",
        .extra_mimetypes = mimes,
        /* Revalidated with the ETag after a minute. */
        .cache_max_age = 60,
        .cache_reusable = 1,
        .cache_revalidate = 1,
        .cache_intermediaries = 1,
    };
    /* The public results pages: rendered by http.c, never looked for as
     * files. */
    for (int i = 0; i < RESULTS_MOUNT_COUNT; i++)
        results[i] = (struct lws_http_mount){
            .mount_next = i + 1 < RESULTS_MOUNT_COUNT ? &results[i + 1] : &files,
            .mountpoint = results_mountpoints[i],
            .mountpoint_len = (unsigned char)strlen(results_mountpoints[i]),
            .origin = "http",
            .origin_protocol = LWSMPRO_CALLBACK};
    healthz = (struct lws_http_mount){.mount_next = &results[0],
                                      .mountpoint = "/healthz",
                                      .mountpoint_len = 8,
                                      .origin = "http",
                                      .origin_protocol = LWSMPRO_CALLBACK};
    api = (struct lws_http_mount){.mount_next = &healthz,
                                  .mountpoint = "/api",
                                  .mountpoint_len = 4,
                                  .origin = "http",
                                  .origin_protocol = LWSMPRO_CALLBACK};
    static lws_retry_bo_t idle;
    idle = (lws_retry_bo_t){.secs_since_valid_ping = (uint16_t)a->cfg.ping_interval,
                            .secs_since_valid_hangup = (uint16_t)(a->cfg.ping_interval + 10)};

    memset(&info, 0, sizeof info);
    info.port = a->cfg.port;
    info.iface = a->cfg.listen;
    info.protocols = protocols;
    info.pvo = &pvo;
    info.mounts = &api;
    info.headers = a->headers;
    info.retry_and_idle_policy = &idle;
    info.vhost_name = "raati";
    info.server_string = "raati";
    info.max_http_header_data = 4096;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    a->vhost = lws_create_vhost(a->ctx, &info);
    if (!a->vhost) {
        log_error("server.start_failed", "reason=\"cannot listen on %s:%d\"", a->cfg.listen,
                  a->cfg.port);
        goto out;
    }
    int port = lws_get_vhost_listen_port(a->vhost);
    if (config_finish(&a->cfg, port, &err)) {
        log_error("server.start_failed", "reason=\"%s\"", err.message);
        goto out;
    }
    /* Filled after binding: port 0 is only known now. lws reads these
     * strings on each response, and none has been served yet. */
    build_headers(a);

    a->jobs = jobs_start(a->cfg.workers, JOB_QUEUE_MAX, wake_loop, a);
    /* Without it the commit group waits for the disk on the loop. */
    a->walsync = walsync_start(a->cfg.db_path, wake_loop, a);
    pthread_t sig_thread;
    if (!a->jobs || pthread_create(&sig_thread, NULL, signal_thread, a)) {
        log_error("server.start_failed", "reason=\"cannot start threads\"");
        goto out;
    }
    pthread_detach(sig_thread);
    forum_start(a);

    log_info("server.listening", "port=%d listen=%s url=%s db=%s workers=%d version=%s", port,
             a->cfg.listen, a->cfg.public_url, a->cfg.db_path, a->cfg.workers, RAATI_VERSION);
    if (a->cfg.demo)
        demo_print_logins(stdout, a->cfg.public_url);

    while (!a->stop_requested)
        if (lws_service(a->ctx, 0) < 0)
            break;

    /* Stop taking work, answer what the workers finish, flush queued
     * frames, close every WebSocket with 1001, then tear down. */
    a->stopping = 1;
    forum_stop(a);
    jobs_stop(a->jobs, a);
    a->jobs = NULL;
    ws_shutdown(a);
    lws_sorted_usec_list_t tick;
    memset(&tick, 0, sizeof tick);
    for (int waited = 0; (a->conn_count || http_responding(a)) && waited < SHUTDOWN_GRACE_MS;
         waited += 50) {
        lws_sul_schedule(a->ctx, 0, &tick, shutdown_tick, 50 * LWS_US_PER_MS);
        lws_service(a->ctx, 0);
    }
    lws_sul_cancel(&tick);
    forum_group_commit(a); /* posts that came during the grace period */
    log_info("server.stopped", "open_connections=%d", a->conn_count);
    status = 0;

out:
    jobs_stop(a->jobs, a);
    pthread_mutex_lock(&ctx_lock);
    struct lws_context *ctx = a->ctx;
    a->ctx = NULL;
    pthread_mutex_unlock(&ctx_lock);
    if (ctx)
        lws_context_destroy(ctx);
    forum_free(a);
    walsync_stop(a->walsync);
    hub_free(a->hub);
    db_close(a->db);
    ratelimit_free(a->login_account);
    ratelimit_free(a->login_address);
    ratelimit_free(a->register_address);
    ratelimit_free(a->posts);
    ratelimit_free(a->posts_new);
    free(a->config_body);
    results_cache_clear();
    return status;
}
