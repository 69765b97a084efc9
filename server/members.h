/* members.h: the member register: registration rules, profiles, roles.
 * Plain functions over a db; no sockets. Rules are in docs/protocol.md
 * under POST /api/register. */
#ifndef RAATI_MEMBERS_H
#define RAATI_MEMBERS_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "db.h"

#define MEMBER_MINIMUM_AGE 15
#define MEMBER_NAME_MAX_CHARS 60

enum role { ROLE_ANON = 0, ROLE_MEMBER, ROLE_MODERATOR, ROLE_ADMIN };
/* ROLE_MEMBER.. for "member", "moderator", "admin"; -1 otherwise. */
int role_parse(const char *s);
const char *role_name(int role);

/* The current UTC year. */
int current_year(void);

typedef struct {
    char email[256];
    char display_name[256];
    char password[AUTH_PASSWORD_MAX + 1];
    size_t password_len;
    int birth_year;
    char municipality[32];
    char interests[CONFIG_MAX_ITEMS][32];
    int interest_count;
    int language;
    char privacy_version[32];
} registration;

/* Checks a registration body against every rule and fills out. The
 * password is copied: wipe out with sodium_memzero when done. */
raati_code member_parse_registration(const config *cfg, json_t *body, registration *out,
                                     raati_error *err);
/* Trims, lower-cases and checks an email address into out. */
raati_code member_normalize_email(const char *in, char out[256], raati_error *err);
/* Checks a new password's length (field names the request field). */
raati_code member_check_password(size_t len, const char *field, raati_error *err);

/* 1 if an account has this (normalized) email. */
int member_email_taken(db *d, const char *email);
/* Inserts the member, their interest areas and their consent. Call inside
 * a transaction; email_taken if the email was registered meanwhile. */
raati_code member_create(db *d, const registration *r, const char *password_hash, int64_t *id,
                         raati_error *err);
/* A staff account (no resident details), for `raati user add`. */
raati_code member_add_staff(db *d, const char *email, const char *name, int role,
                            const char *password_hash, int64_t *id, raati_error *err);
/* The member object of docs/protocol.md; NULL if there is no such member.
 * The caller owns it. */
json_t *member_json(db *d, int64_t id);
/* Applies a profile.update message's fields, all or none. */
raati_code member_update(db *d, const config *cfg, int64_t id, json_t *msg, raati_error *err);
/* For sign-in: the id and password hash of email; not_found if none. */
raati_code member_login_info(db *d, const char *email, int64_t *id, char hash[AUTH_HASH_MAX]);
/* The password hash and email of member id. */
raati_code member_password_info(db *d, int64_t id, char hash[AUTH_HASH_MAX], char email[256]);
raati_code member_set_password(db *d, int64_t id, const char *password_hash);
/* The member's role, or ROLE_ANON if there is no such member. */
int member_role(db *d, int64_t id);
raati_code member_set_role(db *d, const char *email, int role, raati_error *err);
/* How many members there are. */
int64_t member_count(db *d);

#endif
