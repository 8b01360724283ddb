/*
 * admin_iam — the admin API's users, groups, policies and service-account
 * endpoints (see admin_iam.c for the list).  Internal to server/admin*.c.
 */
#ifndef CAIRN_ADMIN_IAM_H
#define CAIRN_ADMIN_IAM_H

#include <jansson.h>

#include "admin.h"

/* The admin action an IAM endpoint needs: NULL when op is not one, ""
 * when the method is wrong. */
const char *admin_iam_action(const char *op, const char *method);
/* 1 when caller may call op (a user may manage its own service accounts). */
int admin_iam_may(const admin_config *c, const char *op, http_exchange *ex, const char *body, size_t len,
                  const iam_identity *caller);
/* Answers op when it is an IAM endpoint (returns 1), else returns 0. */
int admin_iam_handle(const admin_config *c, http_exchange *ex, const char *op, const char *body, size_t len,
                     const iam_identity *caller);

/* Shared with admin.c. */
void admin_reply_json(http_exchange *ex, int status, json_t *j);
void admin_reply_error(http_exchange *ex, int status, const char *code, const char *msg);
const char *admin_query_value(arena *a, const char *query, const char *name);

#endif
