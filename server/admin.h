/*
 * admin — the admin API: JSON under /minio/admin/v3/, SigV4-signed
 * (opsauth.h) by root or by a user whose policies allow the admin action
 * (admin:ServerInfo, admin:Heal, ...; the built-in consoleAdmin allows all).
 * The identity endpoints are admin_iam.c's.
 *
 *   GET  info                 version, uptime, the node, drives (state and
 *                             capacity), sets, parity and quorums
 *   GET  datausageinfo        per-bucket objects and bytes from the last
 *                             background usage pass (usage.h), with its time
 *   POST service?action=stop|restart
 *                             graceful stop (the SIGTERM path); restart
 *                             re-executes the same command line after it
 *   GET  config               runtime settings, and the read-only ones
 *   PUT  config               JSON object of runtime settings to change
 *   GET  prometheus/token[?ttl=SECONDS]
 *                             a bearer token for the metrics endpoints
 *   POST heal[?deep=true]     a full heal pass now (deep: verify every
 *                             shard's checksum); answers the heal status
 *   GET  heal/status          the healer's counters (background and
 *                             requested passes)
 *   *    heal/BUCKET/...      501: healing part of the namespace is not built
 *
 * Errors are JSON {"Code","Message","Resource","RequestId"} with the HTTP
 * status.  Request bodies are bounded (ADMIN_MAX_BODY, else 413).
 */
#ifndef CAIRN_ADMIN_H
#define CAIRN_ADMIN_H

#include "../iam/iam.h"
#include "../storage/store.h"
#include "accesslog.h"
#include "http.h"
#include "usage.h"

enum { ADMIN_MAX_BODY = 64 * 1024 };

#define ADMIN_PREFIX "/minio/admin/v3/"

typedef struct admin_config {
    store *st;
    usage_scanner *usage;
    accesslog *log;
    const char *access_key, *secret_key, *region, *version, *server, *data_dir;
    iam *iam;                      /* who may call, and the identities it manages */
    int *prometheus_public;        /* runtime setting shared with the metrics endpoint */
    uint64_t usage_interval_ms;
    uint64_t stale_upload_expiry_s, stale_upload_interval_s;
    int64_t start_unix;
    /* stop (restart = 0) or restart (1), after the response went out */
    void (*service)(void *arg, int restart);
    void *service_arg;
    const struct cluster *cluster;     /* distributed deployments: the nodes; NULL for one node */
} admin_config;

void admin_handle(const admin_config *cfg, http_exchange *ex);
/* A request another front door (the console's session) authenticated:
 * op is the API path after ADMIN_PREFIX ("info", "datausageinfo"),
 * access_key the caller. */
void admin_handle_as(const admin_config *cfg, http_exchange *ex, const char *op, const char *access_key);

#endif
