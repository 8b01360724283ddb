/*
 * iam — the IAM state's life (open, the retry while it is unreadable,
 * free), the built-in policies, lookups by access key (temporary
 * credentials through a small cache of opened tokens) and the allow/deny
 * decision.  See iam.h for the model; iam_store.c persists the state,
 * iam_manage.c changes it, sts.c seals temporary credentials.
 *
 * Lookups scan small arrays: the platform has tens of identities, and a
 * scan of those costs less than hashing would save.  Each user keeps its
 * effective policy list (its own plus its enabled groups'), rebuilt after
 * every mutation, so a request's decision does no name resolution.
 */
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
#include "iam_internal.h"

/* ---------- small helpers ---------- */

void *iam_grow(void *arr, size_t n, size_t elem)
{
    return realloc(arr, (n + 1) * elem);
}

void iam_names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++) free(ns->v[i]);
    free(ns->v);
    ns->v = NULL;
    ns->n = 0;
}

int iam_names_has(const names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++) if (strcmp(ns->v[i], s) == 0) return 1;
    return 0;
}

int iam_names_add(names *ns, const char *s)
{
    if (iam_names_has(ns, s)) return 0;
    char **v = iam_grow(ns->v, ns->n, sizeof *v);
    if (!v) return -1;
    ns->v = v;
    if (!(ns->v[ns->n] = strdup(s))) return -1;
    ns->n++;
    return 0;
}

void iam_names_del(names *ns, const char *s)
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
int iam_valid_name(const char *s, size_t min)
{
    size_t n = strlen(s);
    if (n < min || n > IAM_MAX_KEY) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == ',' || c == '/' || c == '\\' || c == '"') return 0;
    }
    return 1;
}

int iam_valid_secret(const char *s)
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

const char *iam_fail(int *status, int code, const char *why)
{
    *status = code;
    return why;
}

void iam_random_string(char *out, size_t n, const char *alphabet)
{
    unsigned char rnd[128];
    size_t al = strlen(alphabet);
    RAND_bytes(rnd, (int)n);
    for (size_t i = 0; i < n; i++) out[i] = alphabet[rnd[i] % al];
    out[n] = '\0';
}

/* ---------- lookups ---------- */

named_policy *iam_find_policy(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_policies; i++) if (strcmp(m->policies[i]->name, name) == 0) return m->policies[i];
    return NULL;
}

user *iam_find_user(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_users; i++) if (strcmp(m->users[i]->name, name) == 0) return m->users[i];
    return NULL;
}

group *iam_find_group(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_groups; i++) if (strcmp(m->groups[i]->name, name) == 0) return m->groups[i];
    return NULL;
}

svcacct *iam_find_svc(const iam *m, const char *ak)
{
    for (size_t i = 0; i < m->n_svcs; i++) if (strcmp(m->svcs[i]->access_key, ak) == 0) return m->svcs[i];
    return NULL;
}

/* Any identity by access key: taken keys cannot be reused. */
int iam_key_taken(const iam *m, const char *ak)
{
    return strcmp(ak, m->root_ak) == 0 || iam_find_user(m, ak) || iam_find_svc(m, ak);
}

static void resolve_user(iam *m, user *u)
{
    free(u->effective);
    u->effective = NULL;
    u->n_effective = 0;
    size_t cap = u->policies.n;
    for (size_t g = 0; g < m->n_groups; g++)
        if (m->groups[g]->enabled && iam_names_has(&m->groups[g]->members, u->name)) cap += m->groups[g]->policies.n;
    if (!cap || !(u->effective = calloc(cap, sizeof *u->effective))) return;
    for (size_t i = 0; i < u->policies.n; i++) {
        named_policy *p = iam_find_policy(m, u->policies.v[i]);
        if (p) u->effective[u->n_effective++] = p->compiled;
    }
    for (size_t g = 0; g < m->n_groups; g++) {
        group *gr = m->groups[g];
        if (!gr->enabled || !iam_names_has(&gr->members, u->name)) continue;
        for (size_t i = 0; i < gr->policies.n; i++) {
            named_policy *p = iam_find_policy(m, gr->policies.v[i]);
            if (p) u->effective[u->n_effective++] = p->compiled;
        }
    }
}

void iam_resolve_all(iam *m)
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
    user *u = iam_find_user(m, parent);
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
    user *u = iam_find_user(m, access_key);
    if (u) {
        if (!u->enabled) return IAM_DISABLED;
        out->kind = IAM_USER;
        out->secret_key = u->secret;
        out->username = u->name;
        out->policies = u->effective;
        out->n_policies = u->n_effective;
        return IAM_OK;
    }
    svcacct *s = iam_find_svc(m, access_key);
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

named_policy *iam_policy_new(const char *name, const char *doc, size_t len, int builtin, char *err, size_t cap)
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

void iam_named_policy_free(named_policy *p)
{
    if (!p) return;
    policy_free(p->compiled);
    free(p->name);
    free(p->doc);
    free(p);
}

void iam_user_free(user *u)
{
    if (!u) return;
    if (u->secret) OPENSSL_cleanse(u->secret, strlen(u->secret));
    free(u->secret);
    free(u->name);
    iam_names_free(&u->policies);
    free(u->effective);
    free(u);
}

void iam_group_free(group *g)
{
    if (!g) return;
    free(g->name);
    iam_names_free(&g->members);
    iam_names_free(&g->policies);
    free(g);
}

void iam_svc_free(svcacct *s)
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

static void derive(const char *base, const char *label, unsigned char out[32])
{
    unsigned int n = 0;
    HMAC(EVP_sha256(), base, (int)strlen(base), (const unsigned char *)label, strlen(label), out, &n);
}

static int add_builtins(iam *m)
{
    char perr[256];
    for (size_t i = 0; i < sizeof builtin_policies / sizeof builtin_policies[0]; i++) {
        named_policy *p = iam_policy_new(builtin_policies[i].name, builtin_policies[i].doc,
                                     strlen(builtin_policies[i].doc), 1, perr, sizeof perr);
        named_policy **arr = p ? iam_grow(m->policies, m->n_policies, sizeof *arr) : NULL;
        if (!arr) {
            log_error("iam: built-in policy %s: %s", builtin_policies[i].name, perr);
            iam_named_policy_free(p);
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
    m->generation = store_config_generation(st, 1);
    store_status s = iam_read_state(m, &why);
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
    /* another node (or this one) changed the stored state: read it again */
    int changed = store_config_generation(m->st, 1) != m->generation;
    if (!m->unreadable && !changed) return 1;
    if (m->unreadable && now < m->retry_at) return 0;
    m->retry_at = now + 1;
    uint64_t generation = store_config_generation(m->st, 1);
    iam *t = iam_new(m->st, m->root_ak, m->root_sk, m->seal_key, m->sts_key);
    if (!t) return 0;
    const char *why;
    store_status s = iam_read_state(t, &why);
    if (s != ST_OK) {
        log_error("iam: reading the IAM state failed: %s", why ? why : store_status_text(s));
        iam_free(t);
        return 0;
    }
    /* swap the loaded state in; t leaves with m's built-ins */
#define SWAP(f) do { __typeof__(m->f) tmp_ = m->f; m->f = t->f; t->f = tmp_; } while (0)
    SWAP(policies); SWAP(n_policies); SWAP(users); SWAP(n_users);
    SWAP(groups); SWAP(n_groups); SWAP(svcs); SWAP(n_svcs);
#undef SWAP
    iam_free(t);
    m->generation = generation;
    if (m->unreadable)
        log_info("iam: the IAM state is readable again: %zu users, %zu groups, %zu service accounts", m->n_users,
                 m->n_groups, m->n_svcs);
    m->unreadable = 0;
    return 1;
}

void iam_free(iam *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_policies; i++) iam_named_policy_free(m->policies[i]);
    for (size_t i = 0; i < m->n_users; i++) iam_user_free(m->users[i]);
    for (size_t i = 0; i < m->n_groups; i++) iam_group_free(m->groups[i]);
    for (size_t i = 0; i < m->n_svcs; i++) iam_svc_free(m->svcs[i]);
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
