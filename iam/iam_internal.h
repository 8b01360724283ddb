/*
 * iam_internal — what the iam/ modules share: the in-memory model (users,
 * groups, named policies, service accounts, the temporary-credential
 * cache) and the helpers over it.  iam.c owns lookups, decisions and the
 * life of the state; iam_store.c the persisted document; iam_manage.c the
 * admin mutations and JSON views.  Not for use outside iam/.
 */
#ifndef CAIRN_IAM_INTERNAL_H
#define CAIRN_IAM_INTERNAL_H

#include <jansson.h>

#include "iam.h"
#include "sts.h"

#define IAM_DOC "iam"

typedef struct names { char **v; size_t n; } names;

typedef struct named_policy {
    char *name;
    char *doc;
    policy *compiled;
    int builtin;
} named_policy;

typedef struct user {
    char *name, *secret;
    int enabled;
    names policies;
    const policy **effective;    /* own + enabled groups', resolved */
    size_t n_effective;
} user;

typedef struct group {
    char *name;
    int enabled;
    names members, policies;
} group;

typedef struct svcacct {
    char *access_key, *secret, *parent, *name, *description;
    char *policy_doc;
    policy *compiled;
    int64_t expires;
    int enabled;
} svcacct;

/* Temporary credentials' session policies, parsed once per key. */
enum { STS_CACHE = 64 };
typedef struct sts_entry {
    char access_key[STS_ACCESS_KEY_LEN + 1];
    sts_claims claims;
    policy *compiled;
    char secret[STS_SECRET_LEN + 1];
    char *token;                 /* the token that opened: another one is checked afresh */
} sts_entry;

struct iam {
    store *st;
    char root_ak[IAM_MAX_KEY + 1], root_sk[IAM_MAX_SECRET + 1];
    unsigned char seal_key[32], sts_key[32];
    named_policy **policies; size_t n_policies;
    user **users; size_t n_users;
    group **groups; size_t n_groups;
    svcacct **svcs; size_t n_svcs;
    sts_entry sts[STS_CACHE];
    size_t sts_next;
    int unreadable;              /* the stored state could not be read at start */
    int64_t retry_at;            /* next attempt (unix seconds) */
    uint64_t generation;         /* the store's system-document generation read */
};

void *iam_grow(void *arr, size_t n, size_t elem);
void iam_names_free(names *ns);
int iam_names_has(const names *ns, const char *s);
int iam_names_add(names *ns, const char *s);
void iam_names_del(names *ns, const char *s);
int iam_valid_name(const char *s, size_t min);
int iam_valid_secret(const char *s);
const char *iam_fail(int *status, int code, const char *why);
void iam_random_string(char *out, size_t n, const char *alphabet);
named_policy *iam_find_policy(const iam *m, const char *name);
user *iam_find_user(const iam *m, const char *name);
group *iam_find_group(const iam *m, const char *name);
svcacct *iam_find_svc(const iam *m, const char *ak);
int iam_key_taken(const iam *m, const char *ak);
void iam_resolve_all(iam *m);
named_policy *iam_policy_new(const char *name, const char *doc, size_t len, int builtin, char *err, size_t cap);
void iam_named_policy_free(named_policy *p);
void iam_user_free(user *u);
void iam_group_free(group *g);
void iam_svc_free(svcacct *s);
store_status iam_read_state(iam *m, const char **why);
json_t *iam_names_json(const names *ns);

#endif
