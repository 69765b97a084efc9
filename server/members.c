/* members.c: see members.h. */
#include "members.h"
#include "results.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "json_util.h"
#include "log.h"

static const char *const role_names[] = {"anonymous", "member", "moderator", "admin"};

int role_parse(const char *s)
{
    for (int r = ROLE_MEMBER; r <= ROLE_ADMIN; r++)
        if (s && !strcmp(s, role_names[r]))
            return r;
    return -1;
}

const char *role_name(int role)
{
    return role >= ROLE_ANON && role <= ROLE_ADMIN ? role_names[role] : "anonymous";
}

int current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

raati_code member_normalize_email(const char *in, char out[256], raati_error *err)
{
    while (*in == ' ' || *in == '\t')
        in++;
    size_t len = strlen(in);
    while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
        len--;
    if (len < 3 || len > 254)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "email",
                          "email must be an address like nimi@example.fi");
    const char *at = NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= ' ' || c == 0x7f || (c == '@' && at))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "email",
                              "email must be an address like nimi@example.fi");
        if (c == '@')
            at = in + i;
        out[i] = (char)tolower(c);
        /* À..Þ but × (C3 80..C3 9E) lower-case to C3 A0..C3 BE. */
        unsigned char next = i + 1 < len ? (unsigned char)in[i + 1] : 0;
        if (c == 0xc3 && next >= 0x80 && next <= 0x9e && next != 0x97) {
            out[++i] = (char)(next + 0x20);
        }
    }
    out[len] = '\0';
    const char *dot = at ? memchr(at, '.', len - (at - in)) : NULL;
    if (!at || at == in || at - in > 64 || !dot || dot == at + 1 || in[len - 1] == '.')
        return raati_fail(err, RAATI_E_INVALID_FIELD, "email",
                          "email must be an address like nimi@example.fi");
    return RAATI_OK;
}

raati_code member_check_password(size_t len, const char *field, raati_error *err)
{
    if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                          "the password must be %d to %d bytes long", AUTH_PASSWORD_MIN,
                          AUTH_PASSWORD_MAX);
    return RAATI_OK;
}

/* 1 for characters a name may not hold: C0 and C1 controls, invisible
 * characters (soft hyphen, zero-width spaces and joiners, direction marks,
 * word joiners, the BOM) and the bidi embedding, override and isolate
 * controls, all of which can make a name show as nothing or as something
 * else. */
static int forbidden_in_name(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xad ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

/* 1 for the spaces a name may hold but not consist of. */
static int space_in_name(unsigned cp)
{
    return cp == 0x20 || cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
           cp == 0x205f || cp == 0x3000;
}

/* Trims the name into out and checks it: 1-60 characters, none of them
 * forbidden_in_name(), not all of them spaces. jansson has already checked
 * the UTF-8. */
static raati_code check_display_name(const char *in, char out[256], raati_error *err)
{
    while (*in == ' ')
        in++;
    size_t len = strlen(in);
    while (len && in[len - 1] == ' ')
        len--;
    size_t chars = 0, visible = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)in[i];
        int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        unsigned cp = n == 1 ? c : c & (0x3f >> (n - 1));
        for (int k = 1; k < n && i + k < len; k++)
            cp = cp << 6 | ((unsigned char)in[i + k] & 0x3f);
        if (forbidden_in_name(cp))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "display_name",
                              "display_name may not contain control or invisible characters");
        visible += !space_in_name(cp);
        chars++;
        i += n;
    }
    if (!visible || chars > MEMBER_NAME_MAX_CHARS || len > 255)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "display_name",
                          "display_name must be 1 to %d characters", MEMBER_NAME_MAX_CHARS);
    memcpy(out, in, len);
    out[len] = '\0';
    return RAATI_OK;
}

static raati_code check_birth_year(long long year, raati_error *err)
{
    int now = current_year();
    if (year < now - 120 || year > now)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "birth_year",
                          "birth_year must be a year from %d to %d", now - 120, now);
    if (year > now - MEMBER_MINIMUM_AGE)
        return raati_fail(err, RAATI_E_TOO_YOUNG, "birth_year",
                          "members must be at least %d: born in %d or earlier", MEMBER_MINIMUM_AGE,
                          now - MEMBER_MINIMUM_AGE);
    return RAATI_OK;
}

static raati_code check_municipality(const config *cfg, const char *id, raati_error *err)
{
    if (!config_find_item(&cfg->municipalities, id))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "municipality",
                          "municipality must be one of the region's municipalities");
    return RAATI_OK;
}

static raati_code check_interests(const config *cfg, json_t *arr, char out[CONFIG_MAX_ITEMS][32],
                                  int *count, raati_error *err)
{
    size_t i;
    json_t *v;
    *count = 0;
    json_array_foreach(arr, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !config_find_item(&cfg->interest_areas, id))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "interest_areas",
                              "interest_areas must list the configured interest areas");
        for (int k = 0; k < *count; k++)
            if (!strcmp(out[k], id))
                return raati_fail(err, RAATI_E_INVALID_FIELD, "interest_areas",
                                  "interest area '%s' is listed twice", id);
        snprintf(out[(*count)++], 32, "%s", id);
    }
    return RAATI_OK;
}

static raati_code check_language(const char *s, int *out, raati_error *err)
{
    int lang = config_lang_parse(s);
    if (lang < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "language", "language must be fi, sv or en");
    *out = lang;
    return RAATI_OK;
}

raati_code member_parse_registration(const config *cfg, json_t *body, registration *r,
                                     raati_error *err)
{
    memset(r, 0, sizeof *r);
    const char *email, *name, *password, *municipality, *version, *language;
    size_t password_len;
    long long birth_year;
    int consent;
    json_t *interests;
    raati_code rc;
    /* Checked in form order, so the first error is the first field at fault. */
    if ((rc = jfield_string(body, "email", 1, &email, NULL, err)) ||
        (rc = member_normalize_email(email, r->email, err)) ||
        (rc = jfield_string(body, "display_name", 1, &name, NULL, err)) ||
        (rc = check_display_name(name, r->display_name, err)) ||
        (rc = jfield_string(body, "password", 1, &password, &password_len, err)) ||
        (rc = member_check_password(password_len, "password", err)) ||
        (rc = jfield_int(body, "birth_year", 1, &birth_year, NULL, err)) ||
        (rc = check_birth_year(birth_year, err)) ||
        (rc = jfield_string(body, "municipality", 1, &municipality, NULL, err)) ||
        (rc = check_municipality(cfg, municipality, err)) ||
        (rc = jfield_array(body, "interest_areas", 1, &interests, err)) ||
        (rc = check_interests(cfg, interests, r->interests, &r->interest_count, err)) ||
        (rc = jfield_bool(body, "privacy_consent", 1, &consent, NULL, err)))
        return rc;
    if (!consent)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "privacy_consent",
                          "joining needs consent to the privacy notice");
    if ((rc = jfield_string(body, "privacy_notice_version", 1, &version, NULL, err)))
        return rc;
    if (strcmp(version, cfg->privacy_version))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "privacy_notice_version",
                          "the privacy notice has changed to version %s: read it again",
                          cfg->privacy_version);
    if ((rc = jfield_string(body, "language", 0, &language, NULL, err)))
        return rc;
    r->language = LANG_FI;
    if (language && (rc = check_language(language, &r->language, err)))
        return rc;
    memcpy(r->password, password, password_len);
    r->password_len = password_len;
    r->birth_year = (int)birth_year;
    snprintf(r->municipality, sizeof r->municipality, "%s", municipality);
    snprintf(r->privacy_version, sizeof r->privacy_version, "%s", version);
    return RAATI_OK;
}

int member_email_taken(db *d, const char *email)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT 1 FROM member WHERE email = ?");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
    int taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken;
}

static raati_code step_done(db *d, sqlite3_stmt *st, const char *what, raati_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return RAATI_OK;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return raati_fail(err, RAATI_E_EMAIL_TAKEN, "email",
                          "an account with this email already exists");
    log_error("db.write_failed", "what=%s error=\"%s\"", what, sqlite3_errmsg(db_handle(d)));
    return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save %s", what);
}

static raati_code set_interests(db *d, int64_t id, char ids[][32], int count, raati_error *err)
{
    sqlite3_stmt *del = db_prepare(d, "DELETE FROM member_interest WHERE member_id = ?");
    if (!del)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save interest areas");
    sqlite3_bind_int64(del, 1, id);
    raati_code rc = step_done(d, del, "interest areas", err);
    for (int i = 0; !rc && i < count; i++) {
        sqlite3_stmt *st =
            db_prepare(d, "INSERT INTO member_interest (member_id, interest_area) VALUES (?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save interest areas");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_TRANSIENT);
        rc = step_done(d, st, "interest areas", err);
    }
    return rc;
}

raati_code member_create(db *d, const registration *r, const char *password_hash, int64_t *id,
                         raati_error *err)
{
    sqlite3_stmt *st =
        db_prepare(d, "INSERT INTO member (email, display_name, password_hash, role, birth_year, "
                      "municipality, language) VALUES (?, ?, ?, 'member', ?, ?, ?)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the member");
    sqlite3_bind_text(st, 1, r->email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->display_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, r->birth_year);
    sqlite3_bind_text(st, 5, r->municipality, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, config_lang_names[r->language], -1, SQLITE_STATIC);
    raati_code rc = step_done(d, st, "member", err);
    if (rc)
        return rc;
    *id = sqlite3_last_insert_rowid(db_handle(d));
    if ((rc = set_interests(d, *id, (char(*)[32])r->interests, r->interest_count, err)))
        return rc;
    st = db_prepare(d, "INSERT INTO consent (member_id, kind, version, given) "
                       "VALUES (?, 'privacy_notice', ?, 1)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the consent");
    sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_text(st, 2, r->privacy_version, -1, SQLITE_TRANSIENT);
    return step_done(d, st, "consent", err);
}

raati_code member_add_staff(db *d, const char *email, const char *name, int role,
                            const char *password_hash, int64_t *id, raati_error *err)
{
    char norm_email[256], norm_name[256];
    raati_code rc;
    if ((rc = member_normalize_email(email, norm_email, err)) ||
        (rc = check_display_name(name, norm_name, err)))
        return rc;
    if (role < ROLE_MEMBER || role > ROLE_ADMIN)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "role",
                          "role must be member, moderator or admin");
    sqlite3_stmt *st = db_prepare(
        d, "INSERT INTO member (email, display_name, password_hash, role) VALUES (?, ?, ?, ?)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the member");
    sqlite3_bind_text(st, 1, norm_email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, norm_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, role_name(role), -1, SQLITE_STATIC);
    if ((rc = step_done(d, st, "member", err)))
        return rc;
    if (id)
        *id = sqlite3_last_insert_rowid(db_handle(d));
    return RAATI_OK;
}

json_t *member_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT id, email, display_name, role, birth_year, municipality, language, "
           "created_at, CASE WHEN suspended_until > strftime('%Y-%m-%dT%H:%M:%fZ', "
           "'now') THEN suspended_until END, suspension_reason, quote_consent FROM member "
           "WHERE id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return NULL;
    }
    json_t *m = json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
        "email", (const char *)sqlite3_column_text(st, 1), "display_name",
        (const char *)sqlite3_column_text(st, 2), "role", (const char *)sqlite3_column_text(st, 3),
        "birth_year",
        sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null()
                                                  : json_integer(sqlite3_column_int(st, 4)),
        "municipality",
        sqlite3_column_type(st, 5) == SQLITE_NULL
            ? json_null()
            : json_string((const char *)sqlite3_column_text(st, 5)),
        "language", (const char *)sqlite3_column_text(st, 6), "created_at",
        (const char *)sqlite3_column_text(st, 7));
    if (m)
        json_object_set_new(
            m, "suspension",
            sqlite3_column_type(st, 8) == SQLITE_NULL
                ? json_null()
                : json_pack(
                      "{s:s, s:s}", "until", (const char *)sqlite3_column_text(st, 8), "reason",
                      sqlite3_column_text(st, 9) ? (const char *)sqlite3_column_text(st, 9) : ""));
    if (m)
        json_object_set_new(m, "quote_consent", json_boolean(sqlite3_column_int(st, 10)));
    sqlite3_reset(st);
    if (!m)
        return NULL;

    json_t *interests = json_array();
    st = db_prepare(d, "SELECT interest_area FROM member_interest WHERE member_id = ? "
                       "ORDER BY interest_area");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(interests, json_string((const char *)sqlite3_column_text(st, 0)));
        sqlite3_reset(st);
    }
    json_object_set_new(m, "interest_areas", interests);

    json_t *consent = json_null();
    st = db_prepare(d, "SELECT version, at, given FROM consent WHERE member_id = ? "
                       "AND kind = 'privacy_notice' ORDER BY id DESC LIMIT 1");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 2))
            consent = json_pack("{s:s, s:s}", "version", (const char *)sqlite3_column_text(st, 0),
                                "at", (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
    }
    json_object_set_new(m, "privacy_consent", consent ? consent : json_null());
    return m;
}

raati_code member_update(db *d, const config *cfg, int64_t id, json_t *msg, raati_error *err)
{
    const char *name = NULL, *municipality = NULL, *language = NULL;
    long long birth_year = 0;
    int has_year = 0, lang = 0, interest_count = 0;
    json_t *interests = NULL;
    char norm_name[256];
    char interest_ids[CONFIG_MAX_ITEMS][32];
    raati_code rc;
    /* Check everything first, so a bad field changes nothing. */
    if ((rc = jfield_string(msg, "display_name", 0, &name, NULL, err)) ||
        (name && (rc = check_display_name(name, norm_name, err))) ||
        (rc = jfield_int(msg, "birth_year", 0, &birth_year, &has_year, err)) ||
        (has_year && (rc = check_birth_year(birth_year, err))) ||
        (rc = jfield_string(msg, "municipality", 0, &municipality, NULL, err)) ||
        (municipality && (rc = check_municipality(cfg, municipality, err))) ||
        (rc = jfield_array(msg, "interest_areas", 0, &interests, err)) ||
        (interests && (rc = check_interests(cfg, interests, interest_ids, &interest_count, err))) ||
        (rc = jfield_string(msg, "language", 0, &language, NULL, err)) ||
        (language && (rc = check_language(language, &lang, err))))
        return rc;
    json_t *consent = json_object_get(msg, "quote_consent");
    if (consent && json_is_null(consent))
        consent = NULL;
    if (consent && !json_is_boolean(consent))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "quote_consent",
                          "quote_consent must be true or false");

    if (db_begin(d))
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the profile");
    sqlite3_stmt *st = db_prepare(
        d, "UPDATE member SET display_name = coalesce(?, display_name), "
           "birth_year = coalesce(?, birth_year), municipality = coalesce(?, municipality), "
           "language = coalesce(?, language), quote_consent = coalesce(?6, quote_consent), "
           "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?5");
    if (!st) {
        db_rollback(d);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the profile");
    }
    if (name)
        sqlite3_bind_text(st, 1, norm_name, -1, SQLITE_TRANSIENT);
    if (has_year)
        sqlite3_bind_int(st, 2, (int)birth_year);
    if (municipality)
        sqlite3_bind_text(st, 3, municipality, -1, SQLITE_TRANSIENT);
    if (language)
        sqlite3_bind_text(st, 4, config_lang_names[lang], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, id);
    if (consent)
        sqlite3_bind_int(st, 6, json_is_true(consent));
    rc = step_done(d, st, "profile", err);
    if (!rc && interests)
        rc = set_interests(d, id, interest_ids, interest_count, err);
    if (!rc && db_commit(d))
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the profile");
    if (rc)
        db_rollback(d);
    else if (consent) /* quotes of the member show or go on public pages */
        results_touch();
    return rc;
}

raati_code member_login_info(db *d, const char *email, int64_t *id, char hash[AUTH_HASH_MAX])
{
    sqlite3_stmt *st = db_prepare(d, "SELECT id, password_hash FROM member WHERE email = ?");
    if (!st)
        return RAATI_E_INTERNAL;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
    raati_code rc = RAATI_E_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(hash, AUTH_HASH_MAX, "%s", (const char *)sqlite3_column_text(st, 1));
        rc = RAATI_OK;
    }
    sqlite3_reset(st);
    return rc;
}

raati_code member_password_info(db *d, int64_t id, char hash[AUTH_HASH_MAX], char email[256])
{
    sqlite3_stmt *st = db_prepare(d, "SELECT password_hash, email FROM member WHERE id = ?");
    if (!st)
        return RAATI_E_INTERNAL;
    sqlite3_bind_int64(st, 1, id);
    raati_code rc = RAATI_E_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(hash, AUTH_HASH_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(email, 256, "%s", (const char *)sqlite3_column_text(st, 1));
        rc = RAATI_OK;
    }
    sqlite3_reset(st);
    return rc;
}

raati_code member_set_password(db *d, int64_t id, const char *password_hash)
{
    sqlite3_stmt *st = db_prepare(d, "UPDATE member SET password_hash = ?, "
                                     "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                                     "WHERE id = ?");
    if (!st)
        return RAATI_E_INTERNAL;
    sqlite3_bind_text(st, 1, password_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    return step_done(d, st, "password", NULL);
}

int member_role(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT role FROM member WHERE id = ?");
    if (!st)
        return ROLE_ANON;
    sqlite3_bind_int64(st, 1, id);
    int role = ROLE_ANON;
    if (sqlite3_step(st) == SQLITE_ROW)
        role = role_parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return role < 0 ? ROLE_ANON : role;
}

raati_code member_set_role(db *d, const char *email, int role, raati_error *err)
{
    char norm[256];
    raati_code rc = member_normalize_email(email, norm, err);
    if (rc)
        return rc;
    if (role < ROLE_MEMBER || role > ROLE_ADMIN)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "role",
                          "role must be member, moderator or admin");
    sqlite3_stmt *st = db_prepare(d, "UPDATE member SET role = ?, "
                                     "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                                     "WHERE email = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not change the role");
    sqlite3_bind_text(st, 1, role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, norm, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(d, st, "role", err)))
        return rc;
    if (sqlite3_changes(db_handle(d)) == 0)
        return raati_fail(err, RAATI_E_NOT_FOUND, "email", "no member has the email %s", norm);
    return RAATI_OK;
}

int64_t member_count(db *d)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT count(*) FROM member");
    int64_t n = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}
