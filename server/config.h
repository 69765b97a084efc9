/* config.h: every setting of `raati serve`, from defaults, then environment
 * variables (RAATI_*), then command-line flags. One table in config.c lists
 * them all; `raati serve --help` and the README's table come from it. */
#ifndef RAATI_CONFIG_H
#define RAATI_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

enum { LANG_FI, LANG_SV, LANG_EN, LANG_COUNT };
#define CONFIG_MAX_ITEMS 64

/* A configured list entry: a slug id and its name in fi, sv and en. */
typedef struct {
    char id[32];
    char name[LANG_COUNT][96];
} config_item;

typedef struct {
    config_item items[CONFIG_MAX_ITEMS];
    int count;
} config_items;

typedef struct {
    int port;
    char listen[64];
    char db_path[1024];
    char web_root[1024];
    char public_url[256];
    int demo;
    int max_message;
    int max_post_chars;
    int trust_proxy;
    char region_name[LANG_COUNT][128];
    config_items municipalities;
    config_items interest_areas;
    char privacy_version[32];
    char contact_email[256];
    int login_limit_account;
    int login_limit_address;
    int register_limit_address;
    int post_limit;     /* posts (and topics) per minute per member */
    int post_limit_new; /* the same for members who joined in the last new_member_days */
    int new_member_days;
    int auto_hide_reports; /* reports that hide a post (0: never) */
    int premoderate_days;  /* members younger than this post through the queue (0: off) */
    char time_zone[64];    /* for times written for people, e.g. in CSV exports */
    int ping_interval;
    int workers;
    char log_level[16];

    /* Derived by config_finish(): the public origin (scheme://host[:port]),
     * whether it is https, and the origins a WebSocket upgrade may carry. */
    int secure;
    char origins[2][256];
    int origin_count;
} config;

/* Fills cfg with the defaults. */
void config_defaults(config *cfg);
/* Applies RAATI_* environment variables; on a bad value fills err. */
raati_code config_from_env(config *cfg, raati_error *err);
/* Applies `--flag value` / `--flag=value` arguments of `raati serve`. */
raati_code config_from_args(config *cfg, int argc, char **argv, raati_error *err);
/* Derives origins once the listening port is known (port 0 binds a free one). */
raati_code config_finish(config *cfg, int bound_port, raati_error *err);
/* Parses "id=fi/sv/en;id2=..." into items (sv and en default to fi). */
raati_code config_parse_items(config_items *items, const char *s, raati_error *err);
/* Finds id in items; NULL if absent. */
const config_item *config_find_item(const config_items *items, const char *id);
/* Prints the settings table (flag, variable, default, meaning). */
void config_print_help(FILE *out);
/* 0, 1 or 2 for "fi", "sv", "en"; -1 otherwise. */
int config_lang_parse(const char *s);
extern const char *const config_lang_names[LANG_COUNT];

#endif
