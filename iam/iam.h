/*
 * iam — who may sign requests, and which policies speak for them.
 *
 * Owns: the root identity, IAM users (the access key is the user name, as
 * in MinIO), groups, named policies (the built-in readonly, readwrite,
 * writeonly, diagnostics and consoleAdmin, plus custom ones), service
 * accounts (keys bound to a parent user, optionally narrowed by an inline
 * policy, optionally expiring), and temporary credentials (sts.h).
 *
 * State lives in memory on the event-loop thread and is persisted as one
 * JSON document in the metadata store (system configuration "iam", on
 * every drive like all metadata).  Secrets in that document are sealed
 * with AES-256-GCM under a key derived from CAIRN_KMS_SECRET_KEY when set,
 * else from the root secret (so changing the root secret without setting
 * that key makes stored secrets unreadable: the server then refuses to
 * start rather than run without its users).
 *
 * A mutation changes the memory state at once (the event loop serializes
 * them) and then writes the whole document; the caller answers when the
 * write is durable.  Documents are small: tens of users and policies.
 *
 * Decisions (iam_authorize) follow AWS: an explicit Deny anywhere (identity
 * policies, the key's own narrowing policy, the bucket policy) wins; else
 * the request is allowed when the identity's policies allow it (and the
 * narrowing policy too, when there is one) or the bucket policy allows it
 * for this principal; else it is denied.  Root is always allowed.
 */
#ifndef CAIRN_IAM_H
#define CAIRN_IAM_H

#include <stddef.h>
#include <stdint.h>

#include "../storage/store.h"
#include "policy.h"

enum {
    IAM_MAX_KEY = 128,         /* access key / user / group / policy names */
    IAM_MAX_SECRET = 128,
    IAM_MIN_SECRET = 8,
};

typedef enum { IAM_ROOT, IAM_USER, IAM_SERVICE_ACCOUNT, IAM_TEMPORARY } iam_kind;

typedef enum {
    IAM_OK = 0,
    IAM_NO_SUCH_KEY,           /* InvalidAccessKeyId */
    IAM_DISABLED,              /* the user, its parent or its key is disabled */
    IAM_EXPIRED,               /* a service account or token past its expiry: ExpiredToken */
    IAM_BAD_TOKEN,             /* temporary key without a valid session token: InvalidToken */
    IAM_UNAVAILABLE,           /* the stored state cannot be read yet (too few drives): retry */
} iam_status;

/* Who signed a request.  Valid until the next IAM call on this thread:
 * resolve again after any asynchronous step. */
typedef struct iam_identity {
    iam_kind kind;
    const char *access_key;
    const char *secret_key;
    const char *username;        /* the user (a key's parent; root's access key for root) */
    const policy *const *policies;   /* the user's and its groups' policies */
    size_t n_policies;
    const policy *narrowing;     /* service-account inline or session policy; NULL none */
    int parent_is_root;          /* a key of root's: root's power, narrowed */
} iam_identity;

typedef struct iam iam;

/* Loads the state from the store.  Returns 0, or -1 with *err set to a
 * static reason (secrets unreadable, document corrupt). */
int iam_open(store *st, const char *root_access_key, const char *root_secret, const char *kms_secret, iam **out,
             const char **err);
void iam_free(iam *m);

/* 1 when the stored state has been read (at start, or on a retry now:
 * at most one a second).  Until then only root is served and nothing is
 * saved, so a state nobody read is never overwritten. */
int iam_ready(iam *m, int64_t now);

/* Resolves an access key (and, for temporary keys, the session token). */
iam_status iam_lookup(iam *m, const char *access_key, const char *session_token, int64_t now, iam_identity *out);

/* The decision for one request.  id NULL: anonymous.  bucket_policy NULL:
 * the bucket has none.  req->principal_arn and username are filled from
 * id here. */
int iam_authorize(iam *m, const iam_identity *id, const policy *bucket_policy, policy_request *req);

/* The principal ARN cairn uses for an identity ("arn:aws:iam::cairn:user/NAME"). */
void iam_principal_arn(const iam_identity *id, char *out, size_t cap);

/* ---- management (admin API); every call validates its input and
 * answers NULL or a one-line reason (with *status an HTTP status) ---- */

typedef void (*iam_saved_cb)(void *arg, int ok);
/* Writes the state; cb(arg, 1) when durable.  Call after mutations. */
void iam_save(iam *m, iam_saved_cb cb, void *arg);

const char *iam_user_set(iam *m, const char *name, const char *secret, int *status);   /* add or rotate */
const char *iam_user_remove(iam *m, const char *name, int *status);
const char *iam_user_set_enabled(iam *m, const char *name, int enabled, int *status);
const char *iam_group_members(iam *m, const char *group, const char *const *members, size_t n, int remove,
                              int *status);
const char *iam_group_set_enabled(iam *m, const char *group, int enabled, int *status);
const char *iam_group_remove(iam *m, const char *group, int *status);   /* only when empty, as MinIO */
const char *iam_policy_put(iam *m, const char *name, const char *doc, size_t len, int *status);
const char *iam_policy_remove(iam *m, const char *name, int *status);
/* Replaces the policies attached to a user or group (names, comma-separated; "" detaches all). */
const char *iam_policy_attach(iam *m, const char *names, const char *entity, int is_group, int *status);

typedef struct iam_svcacct_spec {
    const char *parent;          /* a user, or root's access key */
    const char *access_key;      /* NULL: generated */
    const char *secret_key;      /* NULL: generated */
    const char *policy;          /* inline narrowing policy; NULL none */
    size_t policy_len;
    int64_t expires;             /* unix seconds; 0 never */
    const char *name, *description;
} iam_svcacct_spec;
/* Creates a service account; out_ak/out_sk get its credentials. */
const char *iam_svcacct_add(iam *m, const iam_svcacct_spec *spec, int64_t now, char out_ak[IAM_MAX_KEY + 1],
                            char out_sk[IAM_MAX_SECRET + 1], int *status);
/* Changes what is given: enabled -1 keeps; secret/policy NULL keep
 * (policy "" removes it); expires -1 keeps. */
const char *iam_svcacct_update(iam *m, const char *access_key, int enabled, const char *secret, const char *policy,
                               size_t policy_len, int64_t expires, int *status);
const char *iam_svcacct_remove(iam *m, const char *access_key, int *status);

/* JSON views for the admin API (caller frees with free()); NULL + reason
 * when the entity does not exist.  Never contain a secret. */
char *iam_json_users(iam *m);
char *iam_json_user(iam *m, const char *name, int *status);
char *iam_json_groups(iam *m);
char *iam_json_group(iam *m, const char *name, int *status);
char *iam_json_policies(iam *m);
char *iam_json_policy(iam *m, const char *name, int *status);
char *iam_json_svcaccts(iam *m, const char *parent);
char *iam_json_svcacct(iam *m, const char *access_key, int *status);

/* The key temporary credentials are sealed with (sts.c). */
const unsigned char *iam_sts_key(const iam *m);

#endif
