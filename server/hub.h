/* hub.h: channels and their subscribers (docs/protocol.md, "Live"). An
 * event is serialized once into one frame that every subscriber's queue
 * shares. Each topic channel also counts the distinct members subscribed
 * to it (the "5 paikalla" of a topic); a change in that count marks the channel,
 * and hub_flush_viewers() reports the marked ones, so a flood of joins
 * becomes one update. Everything here runs on the event loop thread. */
#ifndef RAATI_HUB_H
#define RAATI_HUB_H

#include <jansson.h>
#include <stdint.h>

/* Most channels one connection may hold, hidden ones (a poll's results
 * channel) included; the protocol lets a client ask for CHANNELS_MAX. */
#define HUB_MAX_SUBSCRIPTIONS 64
#define CHANNELS_MAX 32
/* Longest channel name, e.g. "period:123456789". */
#define HUB_CHANNEL_MAX 40

struct conn;
typedef struct hub hub;

hub *hub_new(void);
/* Frees every channel; connections must have been dropped first. */
void hub_free(hub *h);

/* Adds c to channel. 0 when subscribed (also when it already was), -2 when
 * c holds HUB_MAX_SUBSCRIPTIONS channels, -1 when out of memory. */
int hub_subscribe(hub *h, struct conn *c, const char *channel);
void hub_unsubscribe(hub *h, struct conn *c, const char *channel);
/* Removes c from every channel; called when it closes. */
void hub_drop(hub *h, struct conn *c);

/* Sends {"type":"event","channel":…,"event":…,"seq":…,"data":…} to every
 * subscriber of channel (seq 0 leaves "seq" out). Does not consume data. */
void hub_publish(hub *h, const char *channel, const char *event, int64_t seq, json_t *data);
/* The same, but the frame names the channel shown (for hidden channels
 * such as poll:<id>:results, whose events read as poll:<id>'s). */
void hub_publish_as(hub *h, const char *channel, const char *shown, const char *event, int64_t seq,
                    json_t *data);
/* Calls fn for each subscriber of channel; fn must not change that
 * channel's subscribers (other channels' it may). */
void hub_each(hub *h, const char *channel, void (*fn)(void *ctx, struct conn *c), void *ctx);
/* 1 if c is subscribed to channel. */
int hub_has(struct conn *c, const char *channel);
/* Copies the names of the channels c holds (up to max); returns how many. */
int hub_names(struct conn *c, char names[][HUB_CHANNEL_MAX], int max);
/* How many channels c holds whose names have no second colon, i.e. the
 * ones it asked for (hidden channels are named like poll:5:results). */
int hub_asked(struct conn *c);
/* 1 if any connection is subscribed to channel. */
int hub_has_subscribers(hub *h, const char *name);
/* Distinct members subscribed to a topic:<id> channel now (other channels
 * are not counted: 0). */
int hub_viewers(hub *h, const char *channel);
/* Calls fn for each channel whose viewer count changed since the last
 * flush and still has subscribers; returns how many there were. */
int hub_flush_viewers(hub *h, void (*fn)(void *ctx, const char *channel, int viewers), void *ctx);
/* 1 if some channel's viewer count changed since the last flush. */
int hub_viewers_dirty(hub *h);

#endif
