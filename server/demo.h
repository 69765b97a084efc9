/* demo.h: the Finnish demo community that `make run` starts with. Seeded
 * once into an empty database; never again (the meta table remembers). */
#ifndef RAATI_DEMO_H
#define RAATI_DEMO_H

#include <stdio.h>

#include "config.h"
#include "db.h"

/* The demo's contact address, when RAATI_CONTACT_EMAIL is not set. */
#define DEMO_CONTACT_EMAIL "asukaskehittajat@raati.example"

/* Seeds the demo unless it was seeded before or the database already has
 * members. Hashes a few passwords: call before the loop starts. -1 on a
 * database error (logged). */
int demo_seed(db *d, const config *cfg);
/* Prints the demo logins for people starting `make run`. */
void demo_print_logins(FILE *out, const char *url);

#endif
