/*
 * iam — users, groups, named policies and service accounts in memory, the
 * persisted document, lookups by access key and the allow/deny decision.
 * See iam.h for the model; sts.c for temporary credentials.
 *
 * Lookups scan small arrays: the platform has tens of identities, and a
 * scan of those costs less than hashing would save.  Each user keeps its
 * effective policy list (its own plus its enabled groups'), rebuilt after
 * every mutation, so a request's decision does no name resolution.
 */
#include "iam.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/log.h"
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
};

/* ---------- small helpers ---------- */

static void *grow(void *arr, size_t n, size_t elem)
{
    return realloc(arr, (n + 1) * elem);
}

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++) free(ns->v[i]);
    free(ns->v);
    ns->v = NULL;
    ns->n = 0;
}

static int names_has(const names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++) if (strcmp(ns->v[i], s) == 0) return 1;
    return 0;
}

static int names_add(names *ns, const char *s)
{
    if (names_has(ns, s)) return 0;
    char **v = grow(ns->v, ns->n, sizeof *v);
    if (!v) return -1;
    ns->v = v;
    if (!(ns->v[ns->n] = strdup(s))) return -1;
    ns->n++;
    return 0;
}

static void names_del(names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++) {
        if (strcmp(ns->v[i], s) == 0) {
            free(ns->v[i]);
            ns->v[i] = ns->v[--ns->n];
            return;
        }
    }
}

/* Names: 3-128 printable ASCII characters without separators that the
 * admin API and the policy lists use. */
static int valid_name(const char *s, size_t min)
{
    size_t n = strlen(s);
    if (n < min || n > IAM_MAX_KEY) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == ',' || c == '/' || c == '\\' || c == '"') return 0;
    }
    return 1;
}

static int valid_secret(const char *s)
{
    size_t n = strlen(s);
    if (n < IAM_MIN_SECRET || n > IAM_MAX_SECRET) return 0;
    for (size_t i = 0; i < n; i++) if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return 0;
    return 1;
}

static int ct_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static const char *fail(int *status, int code, const char *why)
{
    *status = code;
    return why;
}

static void random_string(char *out, size_t n, const char *alphabet)
{
    unsigned char rnd[128];
    size_t al = strlen(alphabet);
    RAND_bytes(rnd, (int)n);
    for (size_t i = 0; i < n; i++) out[i] = alphabet[rnd[i] % al];
    out[n] = '\0';
}

/* ---------- lookups ---------- */

static named_policy *find_policy(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_policies; i++) if (strcmp(m->policies[i]->name, name) == 0) return m->policies[i];
    return NULL;
}

static user *find_user(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_users; i++) if (strcmp(m->users[i]->name, name) == 0) return m->users[i];
    return NULL;
}

static group *find_group(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_groups; i++) if (strcmp(m->groups[i]->name, name) == 0) return m->groups[i];
    return NULL;
}

static svcacct *find_svc(const iam *m, const char *ak)
{
    for (size_t i = 0; i < m->n_svcs; i++) if (strcmp(m->svcs[i]->access_key, ak) == 0) return m->svcs[i];
    return NULL;
}

/* Any identity by access key: taken keys cannot be reused. */
static int key_taken(const iam *m, const char *ak)
{
    return strcmp(ak, m->root_ak) == 0 || find_user(m, ak) || find_svc(m, ak);
}

static void resolve_user(iam *m, user *u)
{
    free(u->effective);
    u->effective = NULL;
    u->n_effective = 0;
    size_t cap = u->policies.n;
    for (size_t g = 0; g < m->n_groups; g++)
        if (m->groups[g]->enabled && names_has(&m->groups[g]->members, u->name)) cap += m->groups[g]->policies.n;
    if (!cap || !(u->effective = calloc(cap, sizeof *u->effective))) return;
    for (size_t i = 0; i < u->policies.n; i++) {
        named_policy *p = find_policy(m, u->policies.v[i]);
        if (p) u->effective[u->n_effective++] = p->compiled;
    }
    for (size_t g = 0; g < m->n_groups; g++) {
        group *gr = m->groups[g];
        if (!gr->enabled || !names_has(&gr->members, u->name)) continue;
        for (size_t i = 0; i < gr->policies.n; i++) {
            named_policy *p = find_policy(m, gr->policies.v[i]);
            if (p) u->effective[u->n_effective++] = p->compiled;
        }
    }
}

static void resolve_all(iam *m)
{
    for (size_t i = 0; i < m->n_users; i++) resolve_user(m, m->users[i]);
}

static sts_entry *sts_cached(iam *m, const char *ak, const char *token)
{
    for (size_t i = 0; i < STS_CACHE; i++)
        if (m->sts[i].access_key[0] && strcmp(m->sts[i].access_key, ak) == 0 && strcmp(m->sts[i].token, token) == 0)
            return &m->sts[i];
    sts_claims c;
    if (sts_open(m->sts_key, token, &c) != 0) return NULL;
    if (strcmp(c.access_key, ak) != 0) { sts_claims_free(&c); return NULL; }
    policy *p = NULL;
    if (c.policy) {
        char err[128];
        if (!(p = policy_parse(c.policy, strlen(c.policy), POLICY_IDENTITY, NULL, err, sizeof err))) {
            sts_claims_free(&c);
            return NULL;
        }
    }
    char *copy = strdup(token);
    if (!copy) { sts_claims_free(&c); policy_free(p); return NULL; }
    sts_entry *e = &m->sts[m->sts_next++ % STS_CACHE];
    sts_claims_free(&e->claims);
    policy_free(e->compiled);
    free(e->token);
    e->token = copy;
    snprintf(e->access_key, sizeof e->access_key, "%s", ak);
    e->claims = c;
    e->compiled = p;
    sts_secret(m->sts_key, ak, e->secret);
    return e;
}

/* The parent of a key: root or an enabled user. */
static iam_status parent_identity(iam *m, const char *parent, iam_identity *out)
{
    if (strcmp(parent, m->root_ak) == 0) {
        out->parent_is_root = 1;
        out->username = m->root_ak;
        return IAM_OK;
    }
    user *u = find_user(m, parent);
    if (!u) return IAM_NO_SUCH_KEY;
    if (!u->enabled) return IAM_DISABLED;
    out->username = u->name;
    out->policies = u->effective;
    out->n_policies = u->n_effective;
    return IAM_OK;
}

iam_status iam_lookup(iam *m, const char *access_key, const char *session_token, int64_t now, iam_identity *out)
{
    memset(out, 0, sizeof *out);
    out->access_key = access_key;
    int is_root = ct_equal(access_key, m->root_ak);
    if (!(is_root && !(session_token && *session_token)) && !iam_ready(m, now)) return IAM_UNAVAILABLE;
    if (session_token && *session_token) {
        sts_entry *e = sts_cached(m, access_key, session_token);
        if (!e) return IAM_BAD_TOKEN;
        /* the token names its key: one that opens is the one cached */
        if (now >= e->claims.expires) return IAM_EXPIRED;
        out->kind = IAM_TEMPORARY;
        out->secret_key = e->secret;
        out->narrowing = e->compiled;
        return parent_identity(m, e->claims.parent, out);
    }
    if (is_root) {
        out->kind = IAM_ROOT;
        out->secret_key = m->root_sk;
        out->username = m->root_ak;
        return IAM_OK;
    }
    user *u = find_user(m, access_key);
    if (u) {
        if (!u->enabled) return IAM_DISABLED;
        out->kind = IAM_USER;
        out->secret_key = u->secret;
        out->username = u->name;
        out->policies = u->effective;
        out->n_policies = u->n_effective;
        return IAM_OK;
    }
    svcacct *s = find_svc(m, access_key);
    if (!s) return IAM_NO_SUCH_KEY;
    if (!s->enabled) return IAM_DISABLED;
    if (s->expires && now >= s->expires) return IAM_EXPIRED;
    out->kind = IAM_SERVICE_ACCOUNT;
    out->secret_key = s->secret;
    out->narrowing = s->compiled;
    return parent_identity(m, s->parent, out);
}

void iam_principal_arn(const iam_identity *id, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:iam::cairn:%s/%s", id->kind == IAM_ROOT ? "root" : "user", id->username);
}

int iam_authorize(iam *m, const iam_identity *id, const policy *bucket_policy, policy_request *req)
{
    (void)m;
    if (id && (id->kind == IAM_ROOT || (id->parent_is_root && !id->narrowing))) return 1;
    char arn[IAM_MAX_KEY + 64];
    if (id) {
        iam_principal_arn(id, arn, sizeof arn);
        req->principal_arn = arn;
        req->username = id->username;
    } else {
        req->principal_arn = NULL;
        req->username = NULL;
    }
    policy_effect from_bucket = bucket_policy ? policy_evaluate(bucket_policy, req) : POLICY_NO_MATCH;
    if (from_bucket == POLICY_DENY) return 0;
    if (!id) return from_bucket == POLICY_ALLOW;
    policy_effect from_identity =
        id->parent_is_root ? POLICY_ALLOW : policy_evaluate_all(id->policies, id->n_policies, req);
    if (from_identity == POLICY_DENY) return 0;
    if (id->narrowing) {
        policy_effect narrow = policy_evaluate(id->narrowing, req);
        if (narrow == POLICY_DENY) return 0;
        /* a narrowed key never gains through the bucket policy what its
         * own policy does not grant */
        return narrow == POLICY_ALLOW && (from_identity == POLICY_ALLOW || from_bucket == POLICY_ALLOW);
    }
    return from_identity == POLICY_ALLOW || from_bucket == POLICY_ALLOW;
}

/* ---------- built-in policies ---------- */

static const struct { const char *name, *doc; } builtin_policies[] = {
    { "readwrite",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],"
      "\"Resource\":[\"arn:aws:s3:::*\"]}]}" },
    /* readonly lists as well as reads: a read-only operator must see what
     * there is (MinIO's readonly grants GetObject and GetBucketLocation only) */
    { "readonly",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
      "\"s3:GetObject\",\"s3:ListBucket\",\"s3:ListAllMyBuckets\"],\"Resource\":[\"arn:aws:s3:::*\"]}]}" },
    { "writeonly",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\"],"
      "\"Resource\":[\"arn:aws:s3:::*\"]}]}" },
    { "diagnostics",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"admin:ServerInfo\","
      "\"admin:ServerTrace\",\"admin:ConsoleLog\",\"admin:OBDInfo\",\"admin:TopLocksInfo\",\"admin:Profiling\","
      "\"admin:Prometheus\",\"admin:DataUsageInfo\",\"admin:StorageInfo\"],\"Resource\":[\"arn:aws:s3:::*\"]}]}" },
    { "consoleAdmin",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"admin:*\"]},"
      "{\"Effect\":\"Allow\",\"Action\":[\"kms:*\"]},"
      "{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":[\"arn:aws:s3:::*\"]}]}" },
};

static named_policy *policy_new(const char *name, const char *doc, size_t len, int builtin, char *err, size_t cap)
{
    policy *p = policy_parse(doc, len, POLICY_IDENTITY, NULL, err, cap);
    if (!p) return NULL;
    named_policy *np = calloc(1, sizeof *np);
    if (np) {
        np->name = strdup(name);
        np->doc = strndup(doc, len);
        np->compiled = p;
        np->builtin = builtin;
    }
    if (!np || !np->name || !np->doc) {
        if (np) { free(np->name); free(np->doc); free(np); }
        policy_free(p);
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    return np;
}

static void named_policy_free(named_policy *p)
{
    if (!p) return;
    policy_free(p->compiled);
    free(p->name);
    free(p->doc);
    free(p);
}

static void user_free(user *u)
{
    if (!u) return;
    if (u->secret) OPENSSL_cleanse(u->secret, strlen(u->secret));
    free(u->secret);
    free(u->name);
    names_free(&u->policies);
    free(u->effective);
    free(u);
}

static void group_free(group *g)
{
    if (!g) return;
    free(g->name);
    names_free(&g->members);
    names_free(&g->policies);
    free(g);
}

static void svc_free(svcacct *s)
{
    if (!s) return;
    if (s->secret) OPENSSL_cleanse(s->secret, strlen(s->secret));
    free(s->secret);
    free(s->access_key);
    free(s->parent);
    free(s->name);
    free(s->description);
    free(s->policy_doc);
    policy_free(s->compiled);
    free(s);
}

/* ---------- the persisted document ---------- */

static json_t *names_json(const names *ns)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ns->n; i++) json_array_append_new(a, json_string(ns->v[i]));
    return a;
}

static int names_from_json(json_t *a, names *ns)
{
    if (!a) return 0;
    if (!json_is_array(a)) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || names_add(ns, json_string_value(v)) != 0) return -1;
    }
    return 0;
}

static char *serialize(iam *m)
{
    json_t *root = json_object(), *us = json_object(), *gs = json_object(), *ps = json_object(), *ss = json_object();
    json_object_set_new(root, "version", json_integer(1));
    for (size_t i = 0; i < m->n_policies; i++)
        if (!m->policies[i]->builtin) json_object_set_new(ps, m->policies[i]->name, json_string(m->policies[i]->doc));
    for (size_t i = 0; i < m->n_users; i++) {
        user *u = m->users[i];
        char *sealed = sts_seal(m->seal_key, u->secret, strlen(u->secret));
        json_object_set_new(us, u->name, json_pack("{s:s?,s:s,s:o}", "secret", sealed, "status",
                                                   u->enabled ? "enabled" : "disabled", "policies",
                                                   names_json(&u->policies)));
        free(sealed);
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        group *g = m->groups[i];
        json_object_set_new(gs, g->name, json_pack("{s:s,s:o,s:o}", "status", g->enabled ? "enabled" : "disabled",
                                                   "members", names_json(&g->members), "policies",
                                                   names_json(&g->policies)));
    }
    for (size_t i = 0; i < m->n_svcs; i++) {
        svcacct *s = m->svcs[i];
        char *sealed = sts_seal(m->seal_key, s->secret, strlen(s->secret));
        json_object_set_new(ss, s->access_key,
                            json_pack("{s:s?,s:s,s:s?,s:I,s:s,s:s?,s:s?}", "secret", sealed, "parent", s->parent,
                                      "policy", s->policy_doc, "expires", (json_int_t)s->expires, "status",
                                      s->enabled ? "enabled" : "disabled", "name", s->name, "description",
                                      s->description));
        free(sealed);
    }
    json_object_set_new(root, "policies", ps);
    json_object_set_new(root, "users", us);
    json_object_set_new(root, "groups", gs);
    json_object_set_new(root, "serviceAccounts", ss);
    char *doc = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    return doc;
}

static char *unseal_string(iam *m, json_t *v)
{
    if (!json_is_string(v)) return NULL;
    size_t n;
    return sts_unseal(m->seal_key, json_string_value(v), &n);
}

static const char *load(iam *m, const char *doc, size_t len)
{
    json_t *root = json_loadb(doc, len, 0, NULL);
    if (!json_is_object(root)) { json_decref(root); return "the IAM document is not JSON"; }
    const char *why = NULL;
    const char *k;
    json_t *v;
    char err[256];
    json_object_foreach(json_object_get(root, "policies"), k, v) {
        named_policy *p = json_is_string(v) ? policy_new(k, json_string_value(v), json_string_length(v), 0, err,
                                                         sizeof err) : NULL;
        named_policy **arr = p ? grow(m->policies, m->n_policies, sizeof *arr) : NULL;
        if (!arr) { named_policy_free(p); why = "a stored policy does not parse"; goto out; }
        m->policies = arr;
        m->policies[m->n_policies++] = p;
    }
    json_object_foreach(json_object_get(root, "users"), k, v) {
        user *u = calloc(1, sizeof *u);
        user **arr = u ? grow(m->users, m->n_users, sizeof *arr) : NULL;
        if (!arr) { free(u); why = "out of memory"; goto out; }
        m->users = arr;
        m->users[m->n_users++] = u;
        u->name = strdup(k);
        u->secret = unseal_string(m, json_object_get(v, "secret"));
        u->enabled = !json_is_string(json_object_get(v, "status")) ||
                     strcmp(json_string_value(json_object_get(v, "status")), "enabled") == 0;
        if (!u->secret) { why = "stored secrets cannot be decrypted (was the root secret changed without CAIRN_KMS_SECRET_KEY?)"; goto out; }
        if (!u->name || names_from_json(json_object_get(v, "policies"), &u->policies) != 0) { why = "a stored user is malformed"; goto out; }
    }
    json_object_foreach(json_object_get(root, "groups"), k, v) {
        group *g = calloc(1, sizeof *g);
        group **arr = g ? grow(m->groups, m->n_groups, sizeof *arr) : NULL;
        if (!arr) { free(g); why = "out of memory"; goto out; }
        m->groups = arr;
        m->groups[m->n_groups++] = g;
        g->name = strdup(k);
        g->enabled = !json_is_string(json_object_get(v, "status")) ||
                     strcmp(json_string_value(json_object_get(v, "status")), "enabled") == 0;
        if (!g->name || names_from_json(json_object_get(v, "members"), &g->members) != 0 ||
            names_from_json(json_object_get(v, "policies"), &g->policies) != 0) { why = "a stored group is malformed"; goto out; }
    }
    json_object_foreach(json_object_get(root, "serviceAccounts"), k, v) {
        svcacct *s = calloc(1, sizeof *s);
        svcacct **arr = s ? grow(m->svcs, m->n_svcs, sizeof *arr) : NULL;
        if (!arr) { free(s); why = "out of memory"; goto out; }
        m->svcs = arr;
        m->svcs[m->n_svcs++] = s;
        const char *parent = NULL, *pol = NULL, *status = "enabled", *name = NULL, *desc = NULL;
        json_int_t exp = 0;
        s->access_key = strdup(k);
        s->secret = unseal_string(m, json_object_get(v, "secret"));
        if (!s->secret) { why = "stored secrets cannot be decrypted (was the root secret changed without CAIRN_KMS_SECRET_KEY?)"; goto out; }
        if (json_unpack(v, "{s:s,s?s,s?I,s?s,s?s,s?s}", "parent", &parent, "policy", &pol, "expires", &exp, "status",
                        &status, "name", &name, "description", &desc) != 0) { why = "a stored service account is malformed"; goto out; }
        s->parent = strdup(parent);
        s->expires = exp;
        s->enabled = strcmp(status, "enabled") == 0;
        s->name = name ? strdup(name) : NULL;
        s->description = desc ? strdup(desc) : NULL;
        if (pol) {
            s->policy_doc = strdup(pol);
            if (!(s->compiled = policy_parse(pol, strlen(pol), POLICY_IDENTITY, NULL, err, sizeof err))) {
                why = "a stored service-account policy does not parse";
                goto out;
            }
        }
    }
out:
    json_decref(root);
    return why;
}

static void derive(const char *base, const char *label, unsigned char out[32])
{
    unsigned int n = 0;
    HMAC(EVP_sha256(), base, (int)strlen(base), (const unsigned char *)label, strlen(label), out, &n);
}

static int add_builtins(iam *m)
{
    char perr[256];
    for (size_t i = 0; i < sizeof builtin_policies / sizeof builtin_policies[0]; i++) {
        named_policy *p = policy_new(builtin_policies[i].name, builtin_policies[i].doc,
                                     strlen(builtin_policies[i].doc), 1, perr, sizeof perr);
        named_policy **arr = p ? grow(m->policies, m->n_policies, sizeof *arr) : NULL;
        if (!arr) {
            log_error("iam: built-in policy %s: %s", builtin_policies[i].name, perr);
            named_policy_free(p);
            return -1;
        }
        m->policies = arr;
        m->policies[m->n_policies++] = p;
    }
    return 0;
}

static iam *iam_new(store *st, const char *root_ak, const char *root_sk, const unsigned char seal[32],
                    const unsigned char sts[32])
{
    iam *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->st = st;
    snprintf(m->root_ak, sizeof m->root_ak, "%s", root_ak);
    snprintf(m->root_sk, sizeof m->root_sk, "%s", root_sk);
    memcpy(m->seal_key, seal, 32);
    memcpy(m->sts_key, sts, 32);
    if (add_builtins(m) != 0) { iam_free(m); return NULL; }
    return m;
}

/* Reads the stored document into m (fresh: built-ins only).  Returns
 * ST_OK (also when there is none yet), the store's status when it cannot
 * be read now, or ST_CORRUPT with *why. */
static store_status read_state(iam *m, const char **why)
{
    arena a;
    arena_init(&a);
    char *doc = NULL;
    size_t len = 0;
    store_status s = store_bucket_config_get(m->st, &a, STORE_SYSTEM_BUCKET, IAM_DOC, &doc, &len);
    *why = NULL;
    if (s == ST_OK) {
        *why = load(m, doc, len);
        if (*why) s = ST_CORRUPT;
    } else if (s == ST_NO_SUCH_KEY) {
        s = ST_OK;
    }
    if (doc) OPENSSL_cleanse(doc, len);
    arena_reset(&a);
    if (s == ST_OK) resolve_all(m);
    return s;
}

int iam_open(store *st, const char *root_access_key, const char *root_secret, const char *kms_secret, iam **out,
             const char **err)
{
    unsigned char seal[32], sts[32];
    const char *base = kms_secret && *kms_secret ? kms_secret : root_secret;
    derive(base, "cairn iam secrets v1", seal);
    derive(base, "cairn sts v1", sts);
    iam *m = iam_new(st, root_access_key, root_secret, seal, sts);
    OPENSSL_cleanse(seal, sizeof seal);
    if (!m) { *err = "out of memory, or a built-in policy does not parse"; return -1; }
    const char *why;
    store_status s = read_state(m, &why);
    if (s == ST_CORRUPT) {
        iam_free(m);
        *err = why;
        return -1;
    }
    if (s != ST_OK) {
        /* too few drives to read it now: root works, users wait, and
         * nothing may overwrite the state unseen */
        m->unreadable = 1;
        log_error("iam: the IAM state cannot be read yet (%s); only the root user is served until it can",
                  store_status_text(s));
    }
    *out = m;
    return 0;
}

int iam_ready(iam *m, int64_t now)
{
    if (!m->unreadable) return 1;
    if (now < m->retry_at) return 0;
    m->retry_at = now + 1;
    iam *t = iam_new(m->st, m->root_ak, m->root_sk, m->seal_key, m->sts_key);
    if (!t) return 0;
    const char *why;
    store_status s = read_state(t, &why);
    if (s != ST_OK) {
        if (why) log_error("iam: %s", why);
        iam_free(t);
        return 0;
    }
    /* swap the loaded state in; t leaves with m's built-ins */
#define SWAP(f) do { __typeof__(m->f) tmp_ = m->f; m->f = t->f; t->f = tmp_; } while (0)
    SWAP(policies); SWAP(n_policies); SWAP(users); SWAP(n_users);
    SWAP(groups); SWAP(n_groups); SWAP(svcs); SWAP(n_svcs);
#undef SWAP
    iam_free(t);
    m->unreadable = 0;
    log_info("iam: the IAM state is readable again: %zu users, %zu groups, %zu service accounts", m->n_users,
             m->n_groups, m->n_svcs);
    return 1;
}

void iam_free(iam *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_policies; i++) named_policy_free(m->policies[i]);
    for (size_t i = 0; i < m->n_users; i++) user_free(m->users[i]);
    for (size_t i = 0; i < m->n_groups; i++) group_free(m->groups[i]);
    for (size_t i = 0; i < m->n_svcs; i++) svc_free(m->svcs[i]);
    for (size_t i = 0; i < STS_CACHE; i++) {
        sts_claims_free(&m->sts[i].claims);
        policy_free(m->sts[i].compiled);
        free(m->sts[i].token);
    }
    free(m->policies);
    free(m->users);
    free(m->groups);
    free(m->svcs);
    OPENSSL_cleanse(m, sizeof *m);
    free(m);
}

const unsigned char *iam_sts_key(const iam *m) { return m->sts_key; }

typedef struct save_ctx { iam_saved_cb cb; void *arg; } save_ctx;

static void on_saved(void *arg, store_status st)
{
    save_ctx *c = arg;
    if (st != ST_OK) log_error("iam: the IAM document could not be written (%s)", store_status_text(st));
    if (c->cb) c->cb(c->arg, st == ST_OK);
    free(c);
}

void iam_save(iam *m, iam_saved_cb cb, void *arg)
{
    if (m->unreadable) {   /* never overwrite a state nobody has read */
        if (cb) cb(arg, 0);
        return;
    }
    char *doc = serialize(m);
    save_ctx *c = malloc(sizeof *c);
    if (!doc || !c) {
        free(doc);
        free(c);
        if (cb) cb(arg, 0);
        return;
    }
    c->cb = cb;
    c->arg = arg;
    store_bucket_config_set(m->st, STORE_SYSTEM_BUCKET, IAM_DOC, doc, strlen(doc), on_saved, c);
    OPENSSL_cleanse(doc, strlen(doc));
    free(doc);
}

/* ---------- mutations ---------- */

const char *iam_user_set(iam *m, const char *name, const char *secret, int *status)
{
    if (!valid_name(name, 3)) return fail(status, 400, "the access key must be 3-128 printable characters without , / \\ \" or spaces");
    if (!valid_secret(secret)) return fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
    if (strcmp(name, m->root_ak) == 0) return fail(status, 409, "the root user is not managed through IAM");
    if (find_svc(m, name)) return fail(status, 409, "a service account already uses this access key");
    user *u = find_user(m, name);
    if (u) {   /* rotation: the same user, a new secret */
        char *s = strdup(secret);
        if (!s) return fail(status, 500, "out of memory");
        OPENSSL_cleanse(u->secret, strlen(u->secret));
        free(u->secret);
        u->secret = s;
        return NULL;
    }
    u = calloc(1, sizeof *u);
    user **arr = u ? grow(m->users, m->n_users, sizeof *arr) : NULL;
    if (!arr || !(u->name = strdup(name)) || !(u->secret = strdup(secret))) {
        if (u) { free(u->name); free(u); }
        return fail(status, 500, "out of memory");
    }
    u->enabled = 1;
    m->users = arr;
    m->users[m->n_users++] = u;
    return NULL;
}

const char *iam_user_remove(iam *m, const char *name, int *status)
{
    for (size_t i = 0; i < m->n_users; i++) {
        if (strcmp(m->users[i]->name, name) != 0) continue;
        user_free(m->users[i]);
        m->users[i] = m->users[--m->n_users];
        for (size_t g = 0; g < m->n_groups; g++) names_del(&m->groups[g]->members, name);
        /* a user's keys go with it */
        for (size_t s = 0; s < m->n_svcs;) {
            if (strcmp(m->svcs[s]->parent, name) == 0) {
                svc_free(m->svcs[s]);
                m->svcs[s] = m->svcs[--m->n_svcs];
            } else {
                s++;
            }
        }
        return NULL;
    }
    return fail(status, 404, "no such user");
}

const char *iam_user_set_enabled(iam *m, const char *name, int enabled, int *status)
{
    user *u = find_user(m, name);
    if (!u) return fail(status, 404, "no such user");
    u->enabled = enabled;
    return NULL;
}

const char *iam_group_members(iam *m, const char *gname, const char *const *members, size_t n, int remove, int *status)
{
    if (!valid_name(gname, 1)) return fail(status, 400, "the group name must be 1-128 printable characters without , / \\ \" or spaces");
    for (size_t i = 0; i < n; i++)
        if (!find_user(m, members[i])) return fail(status, 404, "no such user (a group's members must be users)");
    group *g = find_group(m, gname);
    if (!g) {
        if (remove) return fail(status, 404, "no such group");
        g = calloc(1, sizeof *g);
        group **arr = g ? grow(m->groups, m->n_groups, sizeof *arr) : NULL;
        if (!arr || !(g->name = strdup(gname))) { free(g); return fail(status, 500, "out of memory"); }
        g->enabled = 1;
        m->groups = arr;
        m->groups[m->n_groups++] = g;
    }
    for (size_t i = 0; i < n; i++) {
        if (remove) names_del(&g->members, members[i]);
        else if (names_add(&g->members, members[i]) != 0) return fail(status, 500, "out of memory");
    }
    resolve_all(m);
    return NULL;
}

const char *iam_group_set_enabled(iam *m, const char *gname, int enabled, int *status)
{
    group *g = find_group(m, gname);
    if (!g) return fail(status, 404, "no such group");
    g->enabled = enabled;
    resolve_all(m);
    return NULL;
}

const char *iam_group_remove(iam *m, const char *gname, int *status)
{
    for (size_t i = 0; i < m->n_groups; i++) {
        if (strcmp(m->groups[i]->name, gname) != 0) continue;
        if (m->groups[i]->members.n) return fail(status, 409, "the group has members; remove them first");
        group_free(m->groups[i]);
        m->groups[i] = m->groups[--m->n_groups];
        return NULL;
    }
    return fail(status, 404, "no such group");
}

static int policy_in_use(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_users; i++) if (names_has(&m->users[i]->policies, name)) return 1;
    for (size_t i = 0; i < m->n_groups; i++) if (names_has(&m->groups[i]->policies, name)) return 1;
    return 0;
}

static char policy_error[300];

const char *iam_policy_put(iam *m, const char *name, const char *doc, size_t len, int *status)
{
    if (!valid_name(name, 1)) return fail(status, 400, "the policy name must be 1-128 printable characters without , / \\ \" or spaces");
    named_policy *old = find_policy(m, name);
    if (old && old->builtin) return fail(status, 409, "built-in policies cannot be replaced");
    char err[256];
    named_policy *p = policy_new(name, doc, len, 0, err, sizeof err);
    if (!p) {
        snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
        return fail(status, 400, policy_error);
    }
    if (old) {
        for (size_t i = 0; i < m->n_policies; i++) if (m->policies[i] == old) m->policies[i] = p;
        named_policy_free(old);
    } else {
        named_policy **arr = grow(m->policies, m->n_policies, sizeof *arr);
        if (!arr) { named_policy_free(p); return fail(status, 500, "out of memory"); }
        m->policies = arr;
        m->policies[m->n_policies++] = p;
    }
    resolve_all(m);
    return NULL;
}

const char *iam_policy_remove(iam *m, const char *name, int *status)
{
    for (size_t i = 0; i < m->n_policies; i++) {
        named_policy *p = m->policies[i];
        if (strcmp(p->name, name) != 0) continue;
        if (p->builtin) return fail(status, 409, "built-in policies cannot be removed");
        if (policy_in_use(m, name)) return fail(status, 409, "the policy is attached to a user or group; detach it first");
        named_policy_free(p);
        m->policies[i] = m->policies[--m->n_policies];
        return NULL;
    }
    return fail(status, 404, "no such policy");
}

const char *iam_policy_attach(iam *m, const char *list, const char *entity, int is_group, int *status)
{
    names *target;
    if (is_group) {
        group *g = find_group(m, entity);
        if (!g) return fail(status, 404, "no such group");
        target = &g->policies;
    } else {
        user *u = find_user(m, entity);
        if (!u) return fail(status, 404, "no such user");
        target = &u->policies;
    }
    names next = { 0 };
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char name[IAM_MAX_KEY + 1];
        if (n && n <= IAM_MAX_KEY) {
            memcpy(name, p, n);
            name[n] = '\0';
            if (!find_policy(m, name)) { names_free(&next); return fail(status, 404, "no such policy"); }
            if (names_add(&next, name) != 0) { names_free(&next); return fail(status, 500, "out of memory"); }
        } else if (n) {
            names_free(&next);
            return fail(status, 400, "policy name too long");
        }
        p += n;
        if (*p == ',') p++;
    }
    names_free(target);
    *target = next;
    resolve_all(m);
    return NULL;
}

const char *iam_svcacct_add(iam *m, const iam_svcacct_spec *spec, int64_t now, char out_ak[IAM_MAX_KEY + 1],
                            char out_sk[IAM_MAX_SECRET + 1], int *status)
{
    if (strcmp(spec->parent, m->root_ak) != 0 && !find_user(m, spec->parent))
        return fail(status, 404, "no such user (a service account's parent must be a user or root)");
    if (spec->expires && spec->expires <= now) return fail(status, 400, "the expiry must be in the future");
    if (spec->access_key) {
        if (!valid_name(spec->access_key, 3)) return fail(status, 400, "the access key must be 3-128 printable characters without , / \\ \" or spaces");
        if (key_taken(m, spec->access_key)) return fail(status, 409, "the access key is already in use");
        snprintf(out_ak, IAM_MAX_KEY + 1, "%s", spec->access_key);
    } else {
        do random_string(out_ak, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"); while (key_taken(m, out_ak));
    }
    if (spec->secret_key) {
        if (!valid_secret(spec->secret_key)) return fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
        snprintf(out_sk, IAM_MAX_SECRET + 1, "%s", spec->secret_key);
    } else {
        random_string(out_sk, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    }
    policy *compiled = NULL;
    if (spec->policy && spec->policy_len) {
        char err[256];
        if (!(compiled = policy_parse(spec->policy, spec->policy_len, POLICY_IDENTITY, NULL, err, sizeof err))) {
            snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
            return fail(status, 400, policy_error);
        }
    }
    svcacct *s = calloc(1, sizeof *s);
    svcacct **arr = s ? grow(m->svcs, m->n_svcs, sizeof *arr) : NULL;
    if (!arr) { free(s); policy_free(compiled); return fail(status, 500, "out of memory"); }
    m->svcs = arr;
    s->access_key = strdup(out_ak);
    s->secret = strdup(out_sk);
    s->parent = strdup(spec->parent);
    s->name = spec->name ? strdup(spec->name) : NULL;
    s->description = spec->description ? strdup(spec->description) : NULL;
    s->policy_doc = compiled ? strndup(spec->policy, spec->policy_len) : NULL;
    s->compiled = compiled;
    s->expires = spec->expires;
    s->enabled = 1;
    m->svcs[m->n_svcs++] = s;
    if (!s->access_key || !s->secret || !s->parent) return fail(status, 500, "out of memory");
    return NULL;
}

const char *iam_svcacct_update(iam *m, const char *ak, int enabled, const char *secret, const char *pol,
                               size_t pol_len, int64_t expires, int *status)
{
    svcacct *s = find_svc(m, ak);
    if (!s) return fail(status, 404, "no such service account");
    if (secret && !valid_secret(secret)) return fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
    policy *compiled = NULL;
    if (pol && pol_len) {
        char err[256];
        if (!(compiled = policy_parse(pol, pol_len, POLICY_IDENTITY, NULL, err, sizeof err))) {
            snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
            return fail(status, 400, policy_error);
        }
    }
    if (pol) {
        policy_free(s->compiled);
        free(s->policy_doc);
        s->compiled = compiled;
        s->policy_doc = compiled ? strndup(pol, pol_len) : NULL;
    }
    if (secret) {
        OPENSSL_cleanse(s->secret, strlen(s->secret));
        free(s->secret);
        s->secret = strdup(secret);
        if (!s->secret) return fail(status, 500, "out of memory");
    }
    if (enabled >= 0) s->enabled = enabled;
    if (expires >= 0) s->expires = expires;
    return NULL;
}

const char *iam_svcacct_remove(iam *m, const char *ak, int *status)
{
    for (size_t i = 0; i < m->n_svcs; i++) {
        if (strcmp(m->svcs[i]->access_key, ak) != 0) continue;
        svc_free(m->svcs[i]);
        m->svcs[i] = m->svcs[--m->n_svcs];
        return NULL;
    }
    return fail(status, 404, "no such service account");
}

/* ---------- JSON views ---------- */

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static json_t *groups_of(const iam *m, const char *user_name)
{
    json_t *a = json_array();
    for (size_t g = 0; g < m->n_groups; g++)
        if (names_has(&m->groups[g]->members, user_name)) json_array_append_new(a, json_string(m->groups[g]->name));
    return a;
}

static json_t *user_json(const iam *m, const user *u)
{
    return json_pack("{s:s,s:s,s:o,s:o}", "accessKey", u->name, "status", u->enabled ? "enabled" : "disabled",
                     "policies", names_json(&u->policies), "memberOf", groups_of(m, u->name));
}

char *iam_json_users(iam *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n_users; i++) json_object_set_new(o, m->users[i]->name, user_json(m, m->users[i]));
    return dump(json_pack("{s:o}", "users", o));
}

char *iam_json_user(iam *m, const char *name, int *status)
{
    user *u = find_user(m, name);
    if (!u) { *status = 404; return NULL; }
    return dump(user_json(m, u));
}

static json_t *group_json(const group *g)
{
    return json_pack("{s:s,s:s,s:o,s:o}", "name", g->name, "status", g->enabled ? "enabled" : "disabled", "members",
                     names_json(&g->members), "policies", names_json(&g->policies));
}

char *iam_json_groups(iam *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n_groups; i++) json_object_set_new(o, m->groups[i]->name, group_json(m->groups[i]));
    return dump(json_pack("{s:o}", "groups", o));
}

char *iam_json_group(iam *m, const char *name, int *status)
{
    group *g = find_group(m, name);
    if (!g) { *status = 404; return NULL; }
    return dump(group_json(g));
}

static json_t *policy_json(const named_policy *p)
{
    json_t *doc = json_loads(p->doc, 0, NULL);
    return json_pack("{s:s,s:b,s:o}", "name", p->name, "builtin", p->builtin, "policy", doc ? doc : json_null());
}

char *iam_json_policies(iam *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n_policies; i++) json_object_set_new(o, m->policies[i]->name, policy_json(m->policies[i]));
    return dump(json_pack("{s:o}", "policies", o));
}

char *iam_json_policy(iam *m, const char *name, int *status)
{
    named_policy *p = find_policy(m, name);
    if (!p) { *status = 404; return NULL; }
    return dump(policy_json(p));
}

static json_t *svc_json(const svcacct *s)
{
    json_t *pol = s->policy_doc ? json_loads(s->policy_doc, 0, NULL) : NULL;
    return json_pack("{s:s,s:s,s:s,s:I,s:s?,s:s?,s:o}", "accessKey", s->access_key, "parentUser", s->parent,
                     "status", s->enabled ? "enabled" : "disabled", "expiration", (json_int_t)s->expires, "name",
                     s->name, "description", s->description, "policy", pol ? pol : json_null());
}

char *iam_json_svcaccts(iam *m, const char *parent)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_svcs; i++)
        if (!parent || strcmp(m->svcs[i]->parent, parent) == 0) json_array_append_new(a, svc_json(m->svcs[i]));
    return dump(json_pack("{s:o}", "accounts", a));
}

char *iam_json_svcacct(iam *m, const char *ak, int *status)
{
    svcacct *s = find_svc(m, ak);
    if (!s) { *status = 404; return NULL; }
    return dump(svc_json(s));
}
