/*
 * usage — per-bucket object counts and bytes, for metrics and the admin API,
 * computed by a background pass instead of on request.
 *
 * A pass lists every bucket's objects through store_object_list, one page
 * (USAGE_PAGE keys) per timer tick on the loop thread, so no tick holds the
 * loop for more than one LMDB range read of a page, whatever the bucket
 * size.  Passes start at most every interval_ms; readers see the last
 * complete pass (and when it finished), never a half-counted bucket.
 * Multipart uploads in progress are not counted (neither does MinIO's
 * bucket usage).
 *
 * Owns its timer and the published snapshot.  Uses only storage/store.h.
 */
#ifndef CAIRN_USAGE_H
#define CAIRN_USAGE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../storage/store.h"

enum { USAGE_PAGE = 1000, USAGE_MAX_BUCKETS = 10000 };

typedef struct bucket_usage {
    char *name;
    uint64_t objects;
    uint64_t bytes;
} bucket_usage;

typedef struct usage_snapshot {
    const bucket_usage *buckets;   /* sorted by name */
    size_t n;
    int64_t updated_unix;          /* 0: no pass has finished yet */
    uint64_t pass_ms;              /* how long the last pass took */
    uint64_t passes;
} usage_snapshot;

typedef struct usage_scanner usage_scanner;

/* The first pass starts after first_delay_ms, later ones interval_ms after
 * the previous one started (or right after it ended, if it took longer). */
usage_scanner *usage_new(uv_loop_t *loop, store *st, uint64_t first_delay_ms, uint64_t interval_ms);
usage_snapshot usage_get(const usage_scanner *u);
/* Stops the timer (closing its handle); the scanner is freed once closed. */
void usage_free(usage_scanner *u);

#endif
