#include "metrics.h"

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { MAX_APIS = 128, API_NAME_MAX = 48, MAX_DRIVES = 64 };

/* Time to first byte, seconds (upper bounds; +Inf implied). */
static const double ttfb_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
enum { N_TTFB = sizeof ttfb_bounds / sizeof ttfb_bounds[0] };

typedef struct api_stats {
    const char *key;              /* the pointer s3api gave (a static string) */
    char name[API_NAME_MAX];      /* lower-cased, as MinIO labels it */
    uint64_t requests, errors, e4xx, e5xx, canceled, rejected_auth;
    uint64_t ttfb[N_TTFB + 1];    /* per bucket, not cumulative; last is +Inf */
    uint64_t ttfb_count;
    double ttfb_sum;
} api_stats;

struct metrics {
    api_stats apis[MAX_APIS];
    int n_apis;
    uint64_t rx_bytes, tx_bytes;
    uint64_t inflight;
    uint64_t scrapes;
    int64_t start_unix;
    double start_unix_f;
};

metrics *metrics_new(void)
{
    metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->start_unix = ts.tv_sec;
    m->start_unix_f = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    return m;
}

void metrics_free(metrics *m) { free(m); }

void metrics_count_scrape(metrics *m) { m->scrapes++; }

static api_stats *api_slot(metrics *m, const char *api)
{
    for (int i = 0; i < m->n_apis; i++)
        if (m->apis[i].key == api) return &m->apis[i];
    /* not the same pointer: the same name from elsewhere, or a new one */
    char lower[API_NAME_MAX];
    size_t n = 0;
    for (; api[n] && n + 1 < sizeof lower; n++) lower[n] = (char)tolower((unsigned char)api[n]);
    lower[n] = '\0';
    for (int i = 0; i < m->n_apis; i++)
        if (strcmp(m->apis[i].name, lower) == 0) return &m->apis[i];
    if (m->n_apis >= MAX_APIS) return &m->apis[MAX_APIS - 1];  /* bounded: lumped into the last */
    api_stats *s = &m->apis[m->n_apis++];
    s->key = api;
    memcpy(s->name, lower, n + 1);
    return s;
}

void metrics_begin(metrics *m) { m->inflight++; }

void metrics_observe(metrics *m, http_exchange *ex)
{
    if (m->inflight) m->inflight--;
    const http_log_fields *lf = http_log_fields_of(ex);
    /* s3api names every request it routes; the few it refuses before
     * that (a malformed query or path) count as "unknown" */
    api_stats *s = api_slot(m, lf->api ? lf->api : "Unknown");
    s->requests++;
    m->rx_bytes += http_body_bytes_in(ex);
    m->tx_bytes += http_body_bytes_out(ex);
    int status = http_response_status(ex);
    if (!http_exchange_finished(ex)) s->canceled++;
    if (status >= 400) {
        s->errors++;
        if (status < 500) s->e4xx++; else s->e5xx++;
        if (status == 403 && !lf->user) s->rejected_auth++;
    }
    uint64_t head = http_exchange_head_ns(ex);
    if (head) {
        double secs = (double)(head - http_exchange_start_ns(ex)) / 1e9;
        int b = 0;
        while (b < N_TTFB && secs > ttfb_bounds[b]) b++;
        s->ttfb[b]++;
        s->ttfb_count++;
        s->ttfb_sum += secs;
    }
}

void metrics_get_totals(const metrics *m, metrics_totals *out)
{
    *out = (metrics_totals){ .rx_bytes = m->rx_bytes, .tx_bytes = m->tx_bytes, .inflight = m->inflight };
    for (int i = 0; i < m->n_apis; i++) {
        const api_stats *s = &m->apis[i];
        out->requests += s->requests;
        out->errors += s->errors;
        out->e4xx += s->e4xx;
        out->e5xx += s->e5xx;
        out->canceled += s->canceled;
    }
}

/* ---- rendering ---- */

static void label_escape(strbuf *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\') strbuf_puts(o, "\\\\");
        else if (*s == '"') strbuf_puts(o, "\\\"");
        else if (*s == '\n') strbuf_puts(o, "\\n");
        else strbuf_append(o, s, 1);
    }
}

static void head(strbuf *o, const char *name, const char *type, const char *help)
{
    strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{server="..."[,extra]} value */
static void sample_u(strbuf *o, const char *name, const char *server, const char *lk, const char *lv, uint64_t v)
{
    strbuf_printf(o, "%s{server=\"", name);
    label_escape(o, server);
    strbuf_puts(o, "\"");
    if (lk) {
        strbuf_printf(o, ",%s=\"", lk);
        label_escape(o, lv);
        strbuf_puts(o, "\"");
    }
    strbuf_printf(o, "} %llu\n", (unsigned long long)v);
}

static void sample_d(strbuf *o, const char *name, const char *server, double v)
{
    strbuf_printf(o, "%s{server=\"", name);
    label_escape(o, server);
    strbuf_printf(o, "\"} %.6f\n", v);
}

typedef struct proc_stat {
    double cpu_seconds;
    uint64_t rss_bytes, vsize_bytes;
    int open_fds;
    uint64_t max_fds;
    int ok;
} proc_stat;

static void read_proc(proc_stat *p)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) {
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* fields after the command name, which is in parentheses and may hold spaces */
        char *q = strrchr(buf, ')');
        if (q) {
            unsigned long utime = 0, stime = 0, vsize = 0;
            long rss = 0;
            /* state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
             * cutime cstime priority nice threads itrealvalue starttime(22) vsize(23) rss(24) */
            if (sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %lu %ld",
                       &utime, &stime, &vsize, &rss) == 4) {
                long hz = sysconf(_SC_CLK_TCK);
                p->cpu_seconds = (double)(utime + stime) / (double)(hz > 0 ? hz : 100);
                p->vsize_bytes = vsize;
                p->rss_bytes = (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
                p->ok = 1;
            }
        }
    }
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) if (e->d_name[0] != '.') p->open_fds++;
        closedir(d);
        p->open_fds--;            /* the directory stream itself */
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) p->max_fds = rl.rlim_cur;
}

static void render_s3(metrics *m, const char *srv, uint64_t inflight, strbuf *o)
{
    static const struct { const char *name, *type, *help; size_t off; } counters[] = {
        { "minio_s3_requests_total", "counter", "Total number of S3 requests", offsetof(api_stats, requests) },
        { "minio_s3_requests_errors_total", "counter", "Total number of S3 requests with (4xx and 5xx) errors",
          offsetof(api_stats, errors) },
        { "minio_s3_requests_4xx_errors_total", "counter", "Total number of S3 requests with (4xx) errors",
          offsetof(api_stats, e4xx) },
        { "minio_s3_requests_5xx_errors_total", "counter", "Total number of S3 requests with (5xx) errors",
          offsetof(api_stats, e5xx) },
        { "minio_s3_requests_canceled_total", "counter", "Total number of S3 requests the client abandoned",
          offsetof(api_stats, canceled) },
        { "minio_s3_requests_rejected_auth_total", "counter", "Total number of S3 requests rejected for auth failure",
          offsetof(api_stats, rejected_auth) },
    };
    for (size_t c = 0; c < sizeof counters / sizeof counters[0]; c++) {
        head(o, counters[c].name, counters[c].type, counters[c].help);
        for (int i = 0; i < m->n_apis; i++) {
            uint64_t v = *(const uint64_t *)((const char *)&m->apis[i] + counters[c].off);
            sample_u(o, counters[c].name, srv, "api", m->apis[i].name, v);
        }
    }
    head(o, "minio_s3_requests_inflight_total", "untyped", "Total number of S3 requests currently in flight");
    sample_u(o, "minio_s3_requests_inflight_total", srv, NULL, NULL, inflight);
    head(o, "minio_s3_traffic_received_bytes", "untyped", "Total number of s3 bytes received (counter)");
    sample_u(o, "minio_s3_traffic_received_bytes", srv, NULL, NULL, m->rx_bytes);
    head(o, "minio_s3_traffic_sent_bytes", "untyped", "Total number of s3 bytes sent (counter)");
    sample_u(o, "minio_s3_traffic_sent_bytes", srv, NULL, NULL, m->tx_bytes);
    const char *hn = "minio_s3_requests_ttfb_seconds_distribution";
    head(o, hn, "histogram", "Distribution of the time to first byte across API calls");
    for (int i = 0; i < m->n_apis; i++) {
        const api_stats *s = &m->apis[i];
        uint64_t cum = 0;
        for (int b = 0; b <= N_TTFB; b++) {
            cum += s->ttfb[b];
            strbuf_printf(o, "%s_bucket{server=\"", hn);
            label_escape(o, srv);
            strbuf_printf(o, "\",api=\"%s\",le=\"", s->name);
            if (b < N_TTFB) strbuf_printf(o, "%g", ttfb_bounds[b]);
            else strbuf_puts(o, "+Inf");
            strbuf_printf(o, "\"} %llu\n", (unsigned long long)cum);
        }
        strbuf_printf(o, "%s_sum{server=\"", hn);
        label_escape(o, srv);
        strbuf_printf(o, "\",api=\"%s\"} %.9f\n", s->name, s->ttfb_sum);
        strbuf_printf(o, "%s_count{server=\"", hn);
        label_escape(o, srv);
        strbuf_printf(o, "\",api=\"%s\"} %llu\n", s->name, (unsigned long long)s->ttfb_count);
    }
}

void metrics_render(metrics *m, const metrics_sources *src, int which, strbuf *o)
{
    const char *srv = src->server ? src->server : "";
    drive_info drives[MAX_DRIVES];
    size_t nd = store_drive_info(src->st, drives, MAX_DRIVES);
    store_layout lay = store_get_layout(src->st);
    int online = 0;
    uint64_t raw_total = 0, raw_free = 0;
    for (size_t i = 0; i < nd; i++) {
        if (!drives[i].online) continue;
        online++;
        raw_total += drives[i].total_bytes;
        raw_free += drives[i].free_bytes;
    }

    /* S3 requests: per node; the cluster view of one node is the same. */
    render_s3(m, srv, m->inflight, o);

    if (which & METRICS_NODE) {
        head(o, "minio_node_drive_total_bytes", "gauge", "Total storage on a drive");
        for (size_t i = 0; i < nd; i++)
            sample_u(o, "minio_node_drive_total_bytes", srv, "drive", drives[i].path, drives[i].total_bytes);
        head(o, "minio_node_drive_free_bytes", "gauge", "Total storage available on a drive");
        for (size_t i = 0; i < nd; i++)
            sample_u(o, "minio_node_drive_free_bytes", srv, "drive", drives[i].path, drives[i].free_bytes);
        head(o, "minio_node_drive_used_bytes", "gauge", "Total storage used on a drive");
        for (size_t i = 0; i < nd; i++)
            sample_u(o, "minio_node_drive_used_bytes", srv, "drive", drives[i].path, drives[i].used_bytes);
        head(o, "minio_node_drive_online", "gauge", "1 when the drive is online (cairn)");
        for (size_t i = 0; i < nd; i++)
            sample_u(o, "minio_node_drive_online", srv, "drive", drives[i].path, (uint64_t)drives[i].online);

        proc_stat ps;
        read_proc(&ps);
        double now = (double)time(NULL);
        head(o, "minio_node_process_starttime_seconds", "gauge", "Start time for MinIO process per node, time in seconds since Unix epoc");
        sample_d(o, "minio_node_process_starttime_seconds", srv, m->start_unix_f);
        head(o, "minio_node_process_uptime_seconds", "gauge", "Uptime for MinIO process per node in seconds");
        sample_d(o, "minio_node_process_uptime_seconds", srv, now - (double)m->start_unix);
        head(o, "minio_node_file_descriptor_open_total", "untyped", "Total number of open file descriptors by the process");
        sample_u(o, "minio_node_file_descriptor_open_total", srv, NULL, NULL, (uint64_t)(ps.open_fds > 0 ? ps.open_fds : 0));
        head(o, "minio_node_file_descriptor_limit_total", "untyped", "Limit on total number of open file descriptors");
        sample_u(o, "minio_node_file_descriptor_limit_total", srv, NULL, NULL, ps.max_fds);
        /* The Prometheus client-library process collector's names. */
        head(o, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
        strbuf_printf(o, "process_cpu_seconds_total %.2f\n", ps.cpu_seconds);
        head(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        strbuf_printf(o, "process_resident_memory_bytes %llu\n", (unsigned long long)ps.rss_bytes);
        head(o, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
        strbuf_printf(o, "process_virtual_memory_bytes %llu\n", (unsigned long long)ps.vsize_bytes);
        head(o, "process_open_fds", "gauge", "Number of open file descriptors.");
        strbuf_printf(o, "process_open_fds %d\n", ps.open_fds > 0 ? ps.open_fds : 0);
        head(o, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
        strbuf_printf(o, "process_max_fds %llu\n", (unsigned long long)ps.max_fds);
        head(o, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
        strbuf_printf(o, "process_start_time_seconds %.3f\n", m->start_unix_f);
        head(o, "cairn_metrics_scrapes_total", "counter", "Scrapes of the metrics endpoints");
        strbuf_printf(o, "cairn_metrics_scrapes_total %llu\n", (unsigned long long)m->scrapes);
    }

    if (which & METRICS_CLUSTER) {
        /* Health: every erasure set keeps its write quorum of online drives. */
        int healthy = 1;
        for (int set = 0; set < (lay.n_sets > 0 ? lay.n_sets : 1); set++) {
            int n = 0;
            for (size_t i = 0; i < nd; i++) if (drives[i].set_index == set && drives[i].online) n++;
            if (n < lay.write_quorum) healthy = 0;
        }
        head(o, "minio_cluster_health_status", "gauge", "Get current cluster health status");
        sample_u(o, "minio_cluster_health_status", srv, NULL, NULL, (uint64_t)healthy);
        head(o, "minio_cluster_write_quorum", "gauge", "Maximum write quorum across all pools and sets");
        sample_u(o, "minio_cluster_write_quorum", srv, NULL, NULL, (uint64_t)lay.write_quorum);
        head(o, "minio_cluster_drive_online_total", "untyped", "Total drives online in the cluster");
        sample_u(o, "minio_cluster_drive_online_total", srv, NULL, NULL, (uint64_t)online);
        head(o, "minio_cluster_drive_offline_total", "untyped", "Total drives offline in the cluster");
        sample_u(o, "minio_cluster_drive_offline_total", srv, NULL, NULL, (uint64_t)nd - (uint64_t)online);
        head(o, "minio_cluster_drive_total", "untyped", "Total drives in the cluster");
        sample_u(o, "minio_cluster_drive_total", srv, NULL, NULL, (uint64_t)nd);
        head(o, "minio_cluster_nodes_online_total", "untyped", "Total number of MinIO nodes online");
        int nodes = src->nodes_total ? src->nodes_total : 1, nodes_up = src->nodes_total ? src->nodes_online : 1;
        sample_u(o, "minio_cluster_nodes_online_total", srv, NULL, NULL, (uint64_t)nodes_up);
        head(o, "minio_cluster_nodes_offline_total", "untyped", "Total number of MinIO nodes offline");
        sample_u(o, "minio_cluster_nodes_offline_total", srv, NULL, NULL, (uint64_t)(nodes - nodes_up));
        head(o, "minio_cluster_capacity_raw_total_bytes", "gauge", "Total capacity online in the cluster");
        sample_u(o, "minio_cluster_capacity_raw_total_bytes", srv, NULL, NULL, raw_total);
        head(o, "minio_cluster_capacity_raw_free_bytes", "gauge", "Total free capacity online in the cluster");
        sample_u(o, "minio_cluster_capacity_raw_free_bytes", srv, NULL, NULL, raw_free);
        int set_size = lay.set_size > 0 ? lay.set_size : 1;
        int data = set_size - lay.parity > 0 ? set_size - lay.parity : 1;
        head(o, "minio_cluster_capacity_usable_total_bytes", "gauge", "Total usable capacity online in the cluster");
        sample_u(o, "minio_cluster_capacity_usable_total_bytes", srv, NULL, NULL, raw_total / (uint64_t)set_size * (uint64_t)data);
        head(o, "minio_cluster_capacity_usable_free_bytes", "gauge", "Total free usable capacity online in the cluster");
        sample_u(o, "minio_cluster_capacity_usable_free_bytes", srv, NULL, NULL, raw_free / (uint64_t)set_size * (uint64_t)data);

        usage_snapshot us = { 0 };
        if (src->usage) us = usage_get(src->usage);
        if (us.updated_unix) {
            uint64_t objs = 0, bytes = 0;
            for (size_t i = 0; i < us.n; i++) { objs += us.buckets[i].objects; bytes += us.buckets[i].bytes; }
            head(o, "minio_cluster_bucket_total", "untyped", "Total number of buckets in the cluster");
            sample_u(o, "minio_cluster_bucket_total", srv, NULL, NULL, us.n);
            head(o, "minio_cluster_usage_object_total", "untyped", "Total number of objects in a cluster");
            sample_u(o, "minio_cluster_usage_object_total", srv, NULL, NULL, objs);
            head(o, "minio_cluster_usage_total_bytes", "gauge", "Total cluster usage in bytes");
            sample_u(o, "minio_cluster_usage_total_bytes", srv, NULL, NULL, bytes);
            head(o, "minio_bucket_usage_object_total", "untyped", "Total number of objects");
            for (size_t i = 0; i < us.n; i++)
                sample_u(o, "minio_bucket_usage_object_total", srv, "bucket", us.buckets[i].name, us.buckets[i].objects);
            head(o, "minio_bucket_usage_total_bytes", "gauge", "Total bucket size in bytes");
            for (size_t i = 0; i < us.n; i++)
                sample_u(o, "minio_bucket_usage_total_bytes", srv, "bucket", us.buckets[i].name, us.buckets[i].bytes);
            head(o, "minio_usage_last_activity_nano_seconds", "gauge", "Time elapsed (in nano seconds) since last scan activity.");
            sample_u(o, "minio_usage_last_activity_nano_seconds", srv, NULL, NULL,
                     (uint64_t)((int64_t)time(NULL) - us.updated_unix) * 1000000000ull);
        }
    }
    if (which & METRICS_CLUSTER) {
        store_heal_status h = store_heal_get_status(src->st);
        head(o, "minio_heal_objects_total", "untyped", "Objects scanned by the healer since start (counter)");
        sample_u(o, "minio_heal_objects_total", srv, NULL, NULL, h.objects_scanned);
        head(o, "minio_heal_objects_heal_total", "untyped", "Objects healed since start (counter)");
        sample_u(o, "minio_heal_objects_heal_total", srv, NULL, NULL, h.objects_healed);
        head(o, "minio_heal_objects_error_total", "untyped", "Objects the healer could not heal since start (counter)");
        sample_u(o, "minio_heal_objects_error_total", srv, NULL, NULL, h.objects_failed);
        head(o, "cairn_heal_shards_healed_total", "counter", "Shards rebuilt by the healer");
        sample_u(o, "cairn_heal_shards_healed_total", srv, NULL, NULL, h.shards_healed);
        head(o, "cairn_heal_bytes_healed_total", "counter", "Bytes of shards rebuilt by the healer");
        sample_u(o, "cairn_heal_bytes_healed_total", srv, NULL, NULL, h.bytes_healed);
        head(o, "cairn_heal_passes_total", "counter", "Full heal passes completed");
        sample_u(o, "cairn_heal_passes_total", srv, NULL, NULL, h.passes);
        head(o, "cairn_heal_queued", "gauge", "Objects waiting to be healed");
        sample_u(o, "cairn_heal_queued", srv, NULL, NULL, (uint64_t)h.queued);
        head(o, "cairn_heal_running", "gauge", "1 while a requested full heal pass runs");
        sample_u(o, "cairn_heal_running", srv, NULL, NULL, (uint64_t)h.running);
    }
    if (which == METRICS_ALL || (which & METRICS_CLUSTER)) {
        head(o, "minio_software_version_info", "gauge", "MinIO software version (cairn's version)");
        strbuf_printf(o, "minio_software_version_info{server=\"");
        label_escape(o, srv);
        strbuf_printf(o, "\",version=\"%s\"} 1\n", src->version ? src->version : "dev");
    }
}
