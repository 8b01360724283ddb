/*
 * metrics — request counters and the Prometheus text exposition
 * (/minio/v2/metrics/cluster, /minio/v2/metrics/node, /metrics).
 *
 * Counting happens on the loop thread, once per exchange, from the HTTP
 * server's done hook: a table lookup of the API name (a static string
 * compared by address first) and a handful of integer increments,
 * histogram buckets as an array.  No locks, no allocation.
 *
 * Rendering reads the counters, the drives (store_drive_info: one statvfs
 * each), the layout, the last bucket-usage pass (usage.h, never a listing
 * on the scrape) and the process (/proc/self).  Names follow MinIO's
 * metrics v2 where MinIO has a metric meaning the same thing; MinIO's
 * names that break Prometheus naming lints (gauges ending in _total,
 * counters not ending in it) are declared untyped so promtool accepts the
 * exposition and dashboards written for MinIO still find the series.
 */
#ifndef CAIRN_METRICS_H
#define CAIRN_METRICS_H

#include "../common/arena.h"
#include "../storage/store.h"
#include "http.h"
#include "usage.h"

typedef struct metrics metrics;

typedef struct metrics_sources {
    store *st;
    usage_scanner *usage;
    const char *server;       /* "host:port" label, as MinIO's server="" */
    const char *version;
    int nodes_online, nodes_total;   /* distributed deployments (0: one node, this one) */
} metrics_sources;

enum { METRICS_NODE = 1, METRICS_CLUSTER = 2, METRICS_ALL = 3 };

metrics *metrics_new(void);
void metrics_free(metrics *m);
/* An S3 request begins (for minio_s3_requests_inflight_total); every
 * begun request is observed exactly once when it ends. */
void metrics_begin(metrics *m);
/* One finished (or abandoned) exchange.  Only S3 requests are counted as
 * minio_s3_*: those s3api named with http_set_log_fields. */
void metrics_observe(metrics *m, http_exchange *ex);
/* Scrapes of the metrics endpoints themselves. */
void metrics_count_scrape(metrics *m);
void metrics_render(metrics *m, const metrics_sources *src, int which, strbuf *out);

/* Cumulative S3 counters since start, summed over every API: what the
 * console's live charts sample (the browser turns two samples into rates). */
typedef struct metrics_totals {
    uint64_t requests, errors, e4xx, e5xx, canceled;
    uint64_t rx_bytes, tx_bytes, inflight;
} metrics_totals;
void metrics_get_totals(const metrics *m, metrics_totals *out);

#endif
