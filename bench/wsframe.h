/* wsframe.h: the length fields of a WebSocket frame's header (RFC 6455,
 * 5.2), read by both the load generator and the raw-epoll reference. */
#ifndef RAATI_BENCH_WSFRAME_H
#define RAATI_BENCH_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

/* From the avail bytes at b: the header's length without any masking key
 * (*hdr: 2, 4 or 10) and the payload's (*len). 0 while the bytes that say
 * so have not all arrived. */
static inline int ws_frame_lengths(const unsigned char *b, size_t avail, size_t *hdr, uint64_t *len)
{
    if (avail < 2)
        return 0;
    *hdr = 2;
    *len = b[1] & 127;
    if (*len == 126) {
        *hdr = 4;
        if (avail < 4)
            return 0;
        *len = (uint64_t)b[2] << 8 | b[3];
    } else if (*len == 127) {
        *hdr = 10;
        if (avail < 10)
            return 0;
        *len = 0;
        for (int i = 2; i < 10; i++)
            *len = *len << 8 | b[i];
    }
    return 1;
}

#endif
