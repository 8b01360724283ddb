/*
 * policy.c — parses AWS policy documents into a compiled form and evaluates
 * requests against it (the contract is in policy.h).
 *
 * Owns the whole policy language and nothing else: no users, no storage, no
 * clock.  A compiled policy lives in one arena, so policy_free is one call
 * and evaluation walks memory laid out together.
 *
 * Choices that are not obvious:
 * - Every pattern (Action, Resource, String/Arn condition values) is
 *   compiled into tokens: literal runs, '*', '?' and policy variables.  A
 *   variable's value is matched as literal text where it stands, never
 *   copied into a string that is then re-read as a pattern: a value of "*"
 *   (s3:prefix is the caller's) cannot widen a grant, ${*} means a literal
 *   asterisk, and evaluation allocates nothing at all.
 * - A variable with no value (and no default) makes a Resource entry match
 *   nothing and a condition false whatever its operator: AWS says an
 *   unresolvable variable may invalidate the whole statement, so it must
 *   never grant, nor exempt from a NotResource.
 * - Version 2008-10-17 (and a missing Version) keeps "${...}" as plain
 *   text, as AWS does.
 * - Negated operators (StringNotEquals, NotIpAddress, ArnNotLike...) with an
 *   absent key are true; see cond_holds for the citation.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

enum {
    MAX_STATEMENTS = 256,
    MAX_VARS_PER_PATTERN = 16,  /* resolved into a stack array at match time */
    MAX_KEY_LEN = 256,
};

/* ------------------------------------------------------------------ */
/* Compiled forms                                                       */

typedef enum { T_LIT, T_STAR, T_ONE, T_VAR } tok_kind;

typedef enum { VAR_CONTEXT, VAR_USERNAME } var_source;

typedef struct tok {
    uint8_t kind;           /* tok_kind */
    uint8_t var_source;     /* for T_VAR */
    uint8_t var_index;      /* for T_VAR: slot in the resolved-values array */
    uint32_t len;           /* T_LIT: bytes at s; T_VAR: default's length */
    const char *s;          /* T_LIT: the text; T_VAR: the key name */
    const char *dflt;       /* T_VAR: default value, or NULL */
} tok;

typedef struct glob {
    tok *toks;
    uint32_t n;
    uint8_t n_vars;
    uint8_t icase;          /* compare ignoring case; literals are stored lower-case */
    uint8_t any;            /* the pattern is exactly "*" */
    uint8_t exact;          /* one literal (or nothing): a plain comparison */
} glob;

typedef struct cidr {
    uint8_t family;         /* 4 or 6 */
    uint8_t bits;
    uint8_t addr[16];
} cidr;

typedef enum { C_STR, C_NUM, C_DATE, C_BOOL, C_IP, C_NULL } cond_base;
typedef enum { CMP_EQ, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cond_cmp;

typedef struct cond {
    uint8_t base;           /* cond_base */
    uint8_t cmp;            /* cond_cmp, for C_NUM and C_DATE */
    uint8_t negate;         /* Not...: the value must match none (NOR) */
    uint8_t if_exists;      /* ...IfExists: an absent key passes */
    uint8_t for_all;        /* ForAllValues: an absent key passes */
    uint8_t key_source;     /* var_source: aws:username comes from the request */
    const char *key;
    uint32_t n;
    union {
        glob *globs;        /* C_STR, C_BOOL */
        double *nums;       /* C_NUM; C_DATE as milliseconds since the epoch (exact below 2^53) */
        cidr *nets;
        uint8_t *bools;     /* C_NULL: 1 = "the key must be absent" */
    } v;
} cond;

typedef enum { PRINCIPAL_NONE, PRINCIPAL_IS, PRINCIPAL_NOT } principal_mode;

typedef struct stmt {
    uint8_t deny;
    uint8_t not_action;
    uint8_t not_resource;
    uint8_t no_resource;    /* admin/kms statement without Resource: any */
    uint8_t principal_mode;
    uint8_t principal_star;
    uint32_t n_actions, n_resources, n_principals, n_conds;
    glob *actions;
    glob *resources;
    const char **principals;
    cond *conds;
} stmt;

struct policy {
    arena mem;
    int vars;               /* Version 2012-10-17: substitute policy variables */
    uint32_t n_stmts;
    stmt *stmts;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static inline unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char ca = lower((unsigned char)*a), cb = lower((unsigned char)*b);
        if (ca != cb || !ca) return ca - cb;
    }
}

/* a and b agree on their first n bytes, ignoring ASCII case.  Safe as a
 * prefix test on a shorter a: its NUL differs from b's byte there. */
static int ascii_ncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* User text for an error message, which may not have been a string. */
static const char *shown(const char *s)
{
    return s ? s : "(not a string)";
}

/* ------------------------------------------------------------------ */
/* Known actions                                                        */

/* S3: "Actions defined by Amazon S3" in the Service Authorization
 * Reference, plus MinIO's own (ListenBucketNotification and friends). */
static const char *const s3_actions[] = {
    "AbortMultipartUpload", "AssociateAccessGrantsIdentityCenter", "BypassGovernanceRetention",
    "CreateAccessGrant", "CreateAccessGrantsInstance", "CreateAccessGrantsLocation", "CreateAccessPoint",
    "CreateAccessPointForObjectLambda", "CreateBucket", "CreateBucketMetadataConfiguration",
    "CreateBucketMetadataTableConfiguration", "CreateJob", "CreateMultiRegionAccessPoint",
    "CreateStorageLensGroup", "DeleteAccessGrant", "DeleteAccessGrantsInstance",
    "DeleteAccessGrantsInstanceResourcePolicy", "DeleteAccessGrantsLocation", "DeleteAccessPoint",
    "DeleteAccessPointForObjectLambda", "DeleteAccessPointPolicy", "DeleteAccessPointPolicyForObjectLambda",
    "DeleteAccessPointScope", "DeleteBucket", "DeleteBucketMetadataConfiguration",
    "DeleteBucketMetadataTableConfiguration", "DeleteBucketOwnershipControls", "DeleteBucketPolicy",
    "DeleteBucketWebsite", "DeleteJobTagging", "DeleteMultiRegionAccessPoint", "DeleteObject",
    "DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionTagging",
    "DeleteStorageLensConfiguration", "DeleteStorageLensConfigurationTagging", "DeleteStorageLensGroup",
    "DescribeJob", "DescribeMultiRegionAccessPointOperation", "DissociateAccessGrantsIdentityCenter",
    "GetAccelerateConfiguration", "GetAccessGrant", "GetAccessGrantsInstance",
    "GetAccessGrantsInstanceForPrefix", "GetAccessGrantsInstanceResourcePolicy", "GetAccessGrantsLocation",
    "GetAccessPoint", "GetAccessPointConfigurationForObjectLambda", "GetAccessPointForObjectLambda",
    "GetAccessPointPolicy", "GetAccessPointPolicyForObjectLambda", "GetAccessPointPolicyStatus",
    "GetAccessPointPolicyStatusForObjectLambda", "GetAccessPointScope", "GetAccountPublicAccessBlock",
    "GetAnalyticsConfiguration", "GetBucketAbac", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation",
    "GetBucketLogging", "GetBucketMetadataConfiguration", "GetBucketMetadataTableConfiguration",
    "GetBucketNotification", "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls",
    "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock", "GetBucketRequestPayment",
    "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite", "GetDataAccess",
    "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration", "GetInventoryConfiguration",
    "GetJobTagging", "GetLifecycleConfiguration", "GetMetricsConfiguration", "GetMultiRegionAccessPoint",
    "GetMultiRegionAccessPointPolicy", "GetMultiRegionAccessPointPolicyStatus",
    "GetMultiRegionAccessPointRoutes", "GetObject", "GetObjectAcl", "GetObjectAttributes",
    "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion",
    "GetObjectVersionAcl", "GetObjectVersionAttributes", "GetObjectVersionForReplication",
    "GetObjectVersionTagging", "GetObjectVersionTorrent", "GetReplicationConfiguration",
    "GetStorageLensConfiguration", "GetStorageLensConfigurationTagging", "GetStorageLensDashboard",
    "GetStorageLensGroup", "InitiateReplication", "ListAccessGrants", "ListAccessGrantsInstances",
    "ListAccessGrantsLocations", "ListAccessPoints", "ListAccessPointsForDirectoryBuckets",
    "ListAccessPointsForObjectLambda", "ListAllMyBuckets", "ListBucket", "ListBucketMultipartUploads",
    "ListBucketVersions", "ListCallerAccessGrants", "ListJobs", "ListMultiRegionAccessPoints",
    "ListMultipartUploadParts", "ListStorageLensConfigurations", "ListStorageLensGroups",
    "ListTagsForResource", "ObjectOwnerOverrideToBucketOwner", "PauseReplication",
    "PutAccelerateConfiguration", "PutAccessGrantsInstanceResourcePolicy",
    "PutAccessPointConfigurationForObjectLambda", "PutAccessPointPolicy", "PutAccessPointPolicyForObjectLambda",
    "PutAccessPointPublicAccessBlock", "PutAccessPointScope", "PutAccountPublicAccessBlock",
    "PutAnalyticsConfiguration", "PutBucketAbac", "PutBucketAcl", "PutBucketCORS", "PutBucketLogging",
    "PutBucketNotification", "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls",
    "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging",
    "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration",
    "PutIntelligentTieringConfiguration", "PutInventoryConfiguration", "PutJobTagging",
    "PutLifecycleConfiguration", "PutMetricsConfiguration", "PutMultiRegionAccessPointPolicy", "PutObject",
    "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl",
    "PutObjectVersionTagging", "PutReplicationConfiguration", "PutStorageLensConfiguration",
    "PutStorageLensConfigurationTagging", "ReplicateDelete", "ReplicateObject", "ReplicateTags",
    "RestoreObject", "SubmitMultiRegionAccessPointRoutes", "TagResource", "UntagResource",
    "UpdateAccessGrantsLocation", "UpdateBucketMetadataInventoryTableConfiguration",
    "UpdateBucketMetadataJournalTableConfiguration", "UpdateJobPriority", "UpdateJobStatus",
    "UpdateStorageLensGroup",
    /* MinIO extensions */
    "ListenBucketNotification", "ListenNotification", "PutObjectFanOut", "ResetBucketReplicationState",
    "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption",
};

/* admin: the names MinIO's admin API checks. */
static const char *const admin_actions[] = {
    "Heal", "Decommission", "Rebalance", "StorageInfo", "Prometheus", "DataUsageInfo", "ForceUnlock",
    "TopLocksInfo", "Profiling", "ServerTrace", "ConsoleLog", "KMSEnable", "KMSBackup", "KMSRestore",
    "KMSCreateKey", "KMSKeyStatus", "KMSKeyRotate", "ServerInfo", "OBDInfo", "LicenseInfo",
    "BandwidthMonitor", "InspectData", "ServerUpdate", "ServiceRestart", "ServiceStop", "ServiceFreeze",
    "ServiceCordon", "ConfigUpdate", "CreateUser", "DeleteUser", "ListUsers", "EnableUser", "DisableUser",
    "GetUser", "ChangeMyPassword", "SiteReplicationAdd", "SiteReplicationDisable", "SiteReplicationRemove",
    "SiteReplicationResync", "SiteReplicationInfo", "SiteReplicationOperation", "CreateServiceAccount",
    "UpdateServiceAccount", "RemoveServiceAccount", "ListServiceAccounts", "ListTemporaryAccounts",
    "AddUserToGroup", "RemoveUserFromGroup", "GetGroup", "ListGroups", "EnableGroup", "DisableGroup",
    "CreatePolicy", "DeletePolicy", "GetPolicy", "AttachUserOrGroupPolicy", "UpdatePolicyAssociation",
    "ListUserPolicies", "SetBucketQuota", "GetBucketQuota", "SetBucketCompression", "GetBucketCompression",
    "SetBucketTarget", "GetBucketTarget", "ReplicationDiff", "ImportBucketMetadata",
    "ExportBucketMetadata", "SetTier", "ListTier", "ExportIAM", "ImportIAM", "ListBatchJobs",
    "DescribeBatchJob", "StartBatchJob", "CancelBatchJob", "GenerateBatchJob", "ClusterInfo", "PoolList",
    "PoolInfo", "NodeList", "NodeInfo", "SetInfo", "DriveList", "DriveInfo", "HardwareInfo", "PerfInfo",
};

static const char *const sts_actions[] = {
    "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "AssumeRoleWithLDAPIdentity",
    "AssumeRoleWithClientGrants", "AssumeRoleWithCertificate", "AssumeRoleWithCustomToken",
    "GetCallerIdentity", "GetSessionToken", "GetFederationToken", "GetAccessKeyInfo",
    "DecodeAuthorizationMessage", "TagSession", "SetSourceIdentity", "SetContext",
};

typedef enum { SVC_NONE, SVC_S3, SVC_ADMIN, SVC_STS, SVC_KMS } service;

/* The service of "svc:Name" (case-insensitive), and where Name starts. */
static service action_service(const char *action, const char **name)
{
    static const struct { const char *prefix; service svc; } svcs[] = {
        { "s3:", SVC_S3 }, { "admin:", SVC_ADMIN }, { "sts:", SVC_STS }, { "kms:", SVC_KMS },
    };
    for (size_t i = 0; i < sizeof svcs / sizeof svcs[0]; i++) {
        size_t n = strlen(svcs[i].prefix);
        if (ascii_ncaseeq(action, svcs[i].prefix, n)) {
            *name = action + n;
            return svcs[i].svc;
        }
    }
    return SVC_NONE;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_casecmp(name, list[i]) == 0) return 1;
    return 0;
}

/* Action names are letters and digits; patterns add '*' and '?'. */
static int action_name_ok(const char *name, int allow_wild, int *wild)
{
    *wild = 0;
    if (!*name) return 0;
    for (const char *c = name; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u == '*' || u == '?') {
            if (!allow_wild) return 0;
            *wild = 1;
        } else if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9'))) {
            return 0;
        }
    }
    return 1;
}

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static int name_known(service svc, const char *name)
{
    switch (svc) {
    case SVC_S3: return in_list(name, s3_actions, COUNT(s3_actions));
    case SVC_ADMIN: return in_list(name, admin_actions, COUNT(admin_actions));
    case SVC_STS: return in_list(name, sts_actions, COUNT(sts_actions));
    case SVC_KMS: return 1;     /* KMS names depend on the KMS behind us */
    default: return 0;
    }
}

int policy_action_known(const char *action)
{
    const char *name;
    int wild;
    if (!action) return 0;
    service svc = action_service(action, &name);
    if (svc == SVC_NONE || !action_name_ok(name, 0, &wild)) return 0;
    return name_known(svc, name);
}

/* Validates one Action/NotAction entry; sets *svc (SVC_NONE for "*"). */
static int action_valid(const char *a, service *svc)
{
    const char *name;
    int wild;
    if (strcmp(a, "*") == 0) {
        *svc = SVC_NONE;
        return 1;
    }
    *svc = action_service(a, &name);
    if (*svc == SVC_NONE || !action_name_ok(name, 1, &wild)) return 0;
    return wild || name_known(*svc, name);
}

/* ------------------------------------------------------------------ */
/* Patterns                                                             */

/* The length of the "${...}" at s ("${name}", "${name, 'default'}" or an
 * escape such as "${*}"), or 0 when s does not start one: then it is text. */
static size_t var_extent(const char *s)
{
    if (s[0] != '$' || s[1] != '{') return 0;
    const char *end = strchr(s + 2, '}');
    if (!end || end == s + 2) return 0;
    size_t inner = (size_t)(end - (s + 2));
    if (inner == 1) return 4;               /* ${*} ${?} ${$} or a one-letter name */
    for (const char *c = s + 2; c < end; c++)
        if (*c == '{' || *c == '$') return 0;
    return inner + 3;
}

typedef struct glob_builder {
    tok *toks;              /* NULL while counting */
    uint32_t n;
    char *lit;              /* where literal bytes are copied */
    size_t lit_len;
    int open_lit;           /* the last token is a literal still growing */
    int fold;               /* store literals lower-cased (case-insensitive patterns) */
} glob_builder;

static void gb_lit(glob_builder *b, char c)
{
    if (b->fold) c = (char)lower((unsigned char)c);
    if (!b->open_lit) {
        if (b->toks) b->toks[b->n] = (tok){ .kind = T_LIT, .s = b->lit + b->lit_len };
        b->n++;
        b->open_lit = 1;
    }
    if (b->toks) {
        b->lit[b->lit_len] = c;
        b->toks[b->n - 1].len++;
    }
    b->lit_len++;
}

static void gb_tok(glob_builder *b, tok t)
{
    if (b->toks) b->toks[b->n] = t;
    b->n++;
    b->open_lit = 0;
}

/* One ${...}: an escape (${*} ${?} ${$}) becomes literal text, anything
 * else a variable token.  Returns -1 on too many variables. */
static int gb_var(glob_builder *b, arena *mem, const char *inner, size_t len, uint8_t *n_vars)
{
    if (len == 1 && (inner[0] == '*' || inner[0] == '?' || inner[0] == '$')) {
        gb_lit(b, inner[0]);
        return 0;
    }
    if (*n_vars >= MAX_VARS_PER_PATTERN) return -1;
    tok t = { .kind = T_VAR, .var_index = (*n_vars)++ };
    if (b->toks) {
        /* "${key, 'default'}": AWS's syntax for a fallback value. */
        const char *comma = memchr(inner, ',', len);
        size_t key_len = comma ? (size_t)(comma - inner) : len;
        while (key_len && inner[key_len - 1] == ' ') key_len--;
        t.s = arena_strndup(mem, inner, key_len);
        if (comma) {
            const char *q1 = memchr(comma, '\'', len - (size_t)(comma - inner));
            const char *q2 = q1 ? memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - inner)) : NULL;
            if (q1 && q2) {
                t.dflt = arena_strndup(mem, q1 + 1, (size_t)(q2 - q1 - 1));
                t.len = (uint32_t)(q2 - q1 - 1);
            }
        }
        t.var_source = ascii_casecmp(t.s, "aws:username") == 0 || ascii_casecmp(t.s, "aws:userid") == 0
                           ? VAR_USERNAME : VAR_CONTEXT;
    }
    gb_tok(b, t);
    return 0;
}

static int gb_run(glob_builder *b, arena *mem, const char *s, int wild, int vars, uint8_t *n_vars)
{
    *n_vars = 0;
    for (const char *c = s; *c;) {
        size_t vlen = vars ? var_extent(c) : 0;
        if (vlen) {
            if (gb_var(b, mem, c + 2, vlen - 3, n_vars) < 0) return -1;
            c += vlen;
        } else if (wild && (*c == '*' || *c == '?')) {
            gb_tok(b, (tok){ .kind = *c == '*' ? T_STAR : T_ONE });
            c++;
        } else {
            gb_lit(b, *c++);
        }
    }
    return 0;
}

/* Compiles s: with wild, '*' and '?' are wildcards; with vars, ${...} are
 * policy variables.  Two passes (count, then fill) keep it to one exact
 * allocation per array. */
static int glob_compile(arena *mem, glob *g, const char *s, int wild, int vars, int icase)
{
    glob_builder b = { 0 };
    uint8_t n_vars;
    if (gb_run(&b, mem, s, wild, vars, &n_vars) < 0) return -1;
    uint32_t n = b.n;
    b = (glob_builder){ .toks = arena_calloc(mem, (n ? n : 1) * sizeof(tok)),
                        .lit = arena_alloc(mem, strlen(s) + 1), .fold = icase };
    gb_run(&b, mem, s, wild, vars, &n_vars);
    *g = (glob){ .toks = b.toks, .n = b.n, .n_vars = n_vars, .icase = (uint8_t)icase };
    g->any = g->n == 1 && g->toks[0].kind == T_STAR;
    g->exact = g->n == 0 || (g->n == 1 && g->toks[0].kind == T_LIT);
    return 0;
}

/* Values of the variables of one pattern, resolved once per match. */
typedef struct gvals {
    const char *s[MAX_VARS_PER_PATTERN];
    uint32_t len[MAX_VARS_PER_PATTERN];
} gvals;

static const char *lookup(const policy_request *req, uint8_t source, const char *key)
{
    if (source == VAR_USERNAME && req->username) return req->username;
    return req->context ? req->context(req->context_arg, key) : NULL;
}

/* 0 when some variable has neither a value nor a default. */
static int resolve_vars(const glob *g, const policy_request *req, gvals *v)
{
    if (!g->n_vars) return 1;
    for (uint32_t i = 0; i < g->n; i++) {
        const tok *t = &g->toks[i];
        if (t->kind != T_VAR) continue;
        const char *val = lookup(req, t->var_source, t->s);
        if (!val) val = t->dflt;
        if (!val) return 0;
        v->s[t->var_index] = val;
        v->len[t->var_index] = (uint32_t)strlen(val);
    }
    return 1;
}

typedef struct gpos { uint32_t ti, off; } gpos;

static inline uint32_t tok_len(const tok *t, const gvals *v)
{
    return t->kind == T_LIT ? t->len : v->len[t->var_index];
}

/* Moves past exhausted literal/variable text so pos names a unit or the end. */
static inline void gpos_settle(const glob *g, const gvals *v, gpos *p)
{
    while (p->ti < g->n) {
        const tok *t = &g->toks[p->ti];
        if (t->kind == T_STAR || t->kind == T_ONE || p->off < tok_len(t, v)) return;
        p->ti++;
        p->off = 0;
    }
}

static inline void gpos_next(const glob *g, const gvals *v, gpos *p)
{
    const tok *t = &g->toks[p->ti];
    if (t->kind == T_STAR || t->kind == T_ONE) {
        p->ti++;
        p->off = 0;
    } else {
        p->off++;
    }
    gpos_settle(g, v, p);
}

static inline char gpos_char(const tok *t, const gvals *v, uint32_t off)
{
    return t->kind == T_LIT ? t->s[off] : v->s[t->var_index][off];
}

typedef enum { M_UNRESOLVED = -1, M_NO = 0, M_YES = 1 } match_result;

/* Do the n bytes at s equal the pattern literal lit (stored lower-cased
 * when icase)? */
static inline int lit_eq(const char *s, const char *lit, size_t n, int icase)
{
    if (!icase) return memcmp(s, lit, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != (unsigned char)lit[i]) return 0;
    return 1;
}

/* Wildcard match of subj (slen bytes), the classic single-backtrack-point
 * walk: on a mismatch go back to just after the last '*' and let it
 * swallow one more byte.  icase: the pattern's literals are lower-case and
 * the subject may not be (callers that lower-cased it pass 0). */
static match_result glob_match(const glob *g, const char *subj, size_t slen, int icase, const policy_request *req)
{
    if (g->any) return M_YES;
    if (g->exact) {
        size_t len = g->n ? g->toks[0].len : 0;
        return slen == len && (!len || lit_eq(subj, g->toks[0].s, len, icase)) ? M_YES : M_NO;
    }
    /* Most patterns open with a literal ("arn:aws:s3:::bucket/", "s3:Get"):
     * comparing it in one go rejects most statements before the walk, and
     * "literal*" needs no walk at all. */
    gpos p = { 0, 0 }, star = { UINT32_MAX, 0 };
    size_t s = 0, star_s = 0;
    if (g->toks[0].kind == T_LIT) {
        const tok *t = &g->toks[0];
        if (slen < t->len || !lit_eq(subj, t->s, t->len, icase)) return M_NO;
        if (g->n == 2 && g->toks[1].kind == T_STAR) return M_YES;
        p.ti = 1;
        s = t->len;
    }
    gvals v;
    if (!resolve_vars(g, req, &v)) return M_UNRESOLVED;
    gpos_settle(g, &v, &p);
    while (s < slen) {
        if (p.ti < g->n) {
            const tok *t = &g->toks[p.ti];
            if (t->kind == T_STAR) {
                star = p;
                star_s = s;
                gpos_next(g, &v, &p);
                continue;
            }
            if (t->kind == T_ONE) {
                gpos_next(g, &v, &p);
                s++;
                continue;
            }
            unsigned char pc = (unsigned char)gpos_char(t, &v, p.off), sc = (unsigned char)subj[s];
            if (pc == sc || (icase && lower(pc) == lower(sc))) {
                gpos_next(g, &v, &p);
                s++;
                continue;
            }
        }
        if (star.ti == UINT32_MAX) return M_NO;
        p = star;
        gpos_next(g, &v, &p);
        s = ++star_s;
    }
    while (p.ti < g->n && g->toks[p.ti].kind == T_STAR) gpos_next(g, &v, &p);
    return p.ti >= g->n ? M_YES : M_NO;
}

/* ------------------------------------------------------------------ */
/* Scalar values: numbers, dates, addresses                             */

static int parse_number(const char *s, double *out)
{
    if (!*s) return 0;
    for (const char *c = s; *c; c++)
        if (!strchr("0123456789+-.eE", *c)) return 0;     /* no hex, inf, nan */
    char *end;
    double d = strtod(s, &end);
    if (*end || !isfinite(d)) return 0;
    *out = d;
    return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "hh:mm[:ss[.fff]]" then "Z", "+hh:mm", "-hhmm" or nothing (UTC). */
static int parse_time_of_day(const char *s, int64_t *ms)
{
    int hh, mi, ss = 0, frac = 0;
    if (!digits(s, 2, &hh) || s[2] != ':' || !digits(s + 3, 2, &mi) || hh > 23 || mi > 59) return 0;
    s += 5;
    if (*s == ':') {
        if (!digits(s + 1, 2, &ss) || ss > 60) return 0;
        s += 3;
        if (*s == '.') {
            int scale = 100, d;
            s++;
            if (*s < '0' || *s > '9') return 0;
            for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
                if (digits(s, 1, &d) && scale) frac += d * scale;
        }
    }
    int64_t t = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om, sign = *s == '-' ? -1 : 1;
        if (!digits(s + 1, 2, &oh) || oh > 23) return 0;
        const char *m = s + 3 + (s[3] == ':');
        if (!digits(m, 2, &om) || om > 59) return 0;
        t -= sign * ((int64_t)oh * 3600 + om * 60) * 1000;   /* local minus offset = UTC */
        s = m + 2;
    }
    if (*s) return 0;
    *ms = t;
    return 1;
}

/* ISO 8601 ("2026-01-01", "2026-01-01T00:00:00Z", with fraction or offset)
 * or epoch seconds, to milliseconds since the epoch. */
static int parse_date(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    if (n && n <= 12 && strspn(s, "0123456789") == n) {
        *ms = strtoll(s, NULL, 10) * 1000;
        return 1;
    }
    int y, m, d;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return 0;
    int64_t t = 0;
    if (s[10]) {
        if ((s[10] != 'T' && s[10] != 't') || !parse_time_of_day(s + 11, &t)) return 0;
    }
    *ms = days_from_civil(y, m, d) * 86400000 + t;
    return 1;
}

/* "a.b.c.d", "a.b.c.d/n", IPv6 likewise.  A plain address is /32 or /128. */
static int parse_cidr(const char *s, cidr *out, int allow_prefix)
{
    char buf[INET6_ADDRSTRLEN + 8];
    size_t n = strlen(s);
    if (n >= sizeof buf) return 0;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    int bits = -1;
    if (slash) {
        if (!allow_prefix || !slash[1] || strlen(slash + 1) > 3 || !digits(slash + 1, (int)strlen(slash + 1), &bits))
            return 0;
        *slash = '\0';
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = 4;
        if (bits > 32) return 0;
        out->bits = (uint8_t)(bits < 0 ? 32 : bits);
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        out->family = 6;
        if (bits > 128) return 0;
        out->bits = (uint8_t)(bits < 0 ? 128 : bits);
        /* A v4-mapped request address compares as the IPv4 one. */
        if (!allow_prefix && memcmp(out->addr, mapped, 12) == 0) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->family = 4;
            out->bits = 32;
        }
    } else {
        return 0;
    }
    return 1;
}

static int cidr_contains(const cidr *net, const cidr *ip)
{
    if (net->family != ip->family) return 0;
    unsigned full = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->addr, ip->addr, full) != 0) return 0;
    if (!rest) return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net->addr[full] & mask) == (ip->addr[full] & mask);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

typedef struct parser {
    policy *p;
    policy_kind kind;
    const char *bucket;
    char *err;
    size_t err_cap;
} parser;

/* A JSON string, or an array of them, as a counted list.  Numbers and
 * booleans are accepted only where allow_scalars (condition values). */
typedef struct strlist {
    const char **items;
    size_t n;
} strlist;

static const char *scalar_text(arena *mem, json_t *v, int allow_scalars)
{
    char buf[64];
    if (json_is_string(v)) return json_string_value(v);
    if (!allow_scalars) return NULL;
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return arena_strdup(mem, buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
        return arena_strdup(mem, buf);
    }
    if (json_is_boolean(v)) return json_is_true(v) ? "true" : "false";
    return NULL;
}

static int string_list(parser *ps, json_t *v, const char *field, int allow_scalars, strlist *out)
{
    arena *mem = &ps->p->mem;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    if (json_is_array(v) && n == 0) return fail(ps->err, ps->err_cap, "%s must not be empty", field);
    out->items = arena_alloc(mem, n * sizeof(char *));
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        const char *s = scalar_text(mem, e, allow_scalars);
        if (!s) return fail(ps->err, ps->err_cap, "%s must be a string or an array of strings", field);
        out->items[i] = s;
    }
    return 0;
}

/* Action/NotAction: validated names, compiled as case-insensitive
 * patterns.  Sets *admin_only when every entry is an admin: or kms: action
 * (such statements may name non-S3 resources, or none). */
static int parse_actions(parser *ps, stmt *st, json_t *v, const char *field, int *admin_only)
{
    strlist l;
    if (string_list(ps, v, field, 0, &l) < 0) return -1;
    st->actions = arena_calloc(&ps->p->mem, l.n * sizeof(glob));
    st->n_actions = (uint32_t)l.n;
    *admin_only = !st->not_action;
    for (size_t i = 0; i < l.n; i++) {
        service svc;
        if (!action_valid(l.items[i], &svc))
            return fail(ps->err, ps->err_cap, "Policy has invalid action: %s", l.items[i]);
        if (svc != SVC_ADMIN && svc != SVC_KMS) *admin_only = 0;
        glob_compile(&ps->p->mem, &st->actions[i], l.items[i], 1, 0, 1);
    }
    return 0;
}

static const char S3_ARN[] = "arn:aws:s3:::";

/* Does the wildcard pattern p[0..pn) (* and ?) match all of s? */
static int wild_match(const char *p, size_t pn, const char *s)
{
    if (!pn) return !*s;
    if (*p == '*') {
        for (const char *t = s;; t++) {
            if (wild_match(p + 1, pn - 1, t)) return 1;
            if (!*t) return 0;
        }
    }
    if (!*s || (*p != '?' && *p != *s)) return 0;
    return wild_match(p + 1, pn - 1, s + 1);
}

/* With a bucket given, a resource must be able to name the bucket or
 * something inside it: its bucket part (up to the first '/', wildcards
 * allowed, as in "arn:aws:s3:::*") must match the bucket's name. */
static int resource_in_bucket(const char *r, const char *bucket)
{
    size_t pre = sizeof S3_ARN - 1;
    if (strncmp(r, S3_ARN, pre) != 0) return 0;
    const char *part = r + pre;
    size_t n = strcspn(part, "/");
    if (memchr(part, '$', n)) return 1;   /* a policy variable: decided per request */
    /* a '*' before the first '/' may also stand for "bucket/..." */
    return wild_match(part, n, bucket) || (memchr(part, '*', n) && wild_match(part, strlen(part), bucket));
}

static int parse_resources(parser *ps, stmt *st, json_t *v, const char *field, int admin_only)
{
    strlist l;
    if (string_list(ps, v, field, 0, &l) < 0) return -1;
    st->resources = arena_calloc(&ps->p->mem, l.n * sizeof(glob));
    st->n_resources = (uint32_t)l.n;
    for (size_t i = 0; i < l.n; i++) {
        const char *r = l.items[i];
        int s3_arn = strncmp(r, S3_ARN, sizeof S3_ARN - 1) == 0 && r[sizeof S3_ARN - 1];
        int ok = strcmp(r, "*") == 0 || s3_arn || (admin_only && strncmp(r, "arn:", 4) == 0);
        if (ok && ps->kind == POLICY_RESOURCE && ps->bucket) ok = resource_in_bucket(r, ps->bucket);
        if (!ok) return fail(ps->err, ps->err_cap, "Policy has invalid resource: %s", r);
        if (glob_compile(&ps->p->mem, &st->resources[i], r, 1, ps->p->vars, 0) < 0)
            return fail(ps->err, ps->err_cap, "Too many policy variables in resource %s", r);
    }
    return 0;
}

static int parse_principal(parser *ps, stmt *st, json_t *v, const char *field)
{
    json_t *list = v;
    if (json_is_object(v)) {
        const char *k;
        json_t *val;
        list = NULL;
        json_object_foreach(v, k, val) {
            if (strcmp(k, "AWS") != 0)
                return fail(ps->err, ps->err_cap, "%s has unsupported principal type %s", field, k);
            list = val;
        }
        if (!list) return fail(ps->err, ps->err_cap, "%s must name at least one principal", field);
    } else if (!json_is_string(v) || strcmp(json_string_value(v), "*") != 0) {
        return fail(ps->err, ps->err_cap, "Invalid %s: must be \"*\" or {\"AWS\": ...}", field);
    }
    strlist l;
    if (string_list(ps, list, field, 0, &l) < 0) return -1;
    st->principals = l.items;
    st->n_principals = (uint32_t)l.n;
    for (size_t i = 0; i < l.n; i++) {
        if (!l.items[i][0]) return fail(ps->err, ps->err_cap, "%s has an empty principal", field);
        if (strcmp(l.items[i], "*") == 0) st->principal_star = 1;
        l.items[i] = arena_strdup(&ps->p->mem, l.items[i]);   /* the JSON goes away after parsing */
    }
    return 0;
}

typedef struct op_def {
    const char *name;
    uint8_t base, cmp, negate, icase, wild;
} op_def;

static const op_def ops[] = {
    { "StringEquals", C_STR, CMP_EQ, 0, 0, 0 },
    { "StringNotEquals", C_STR, CMP_EQ, 1, 0, 0 },
    { "StringEqualsIgnoreCase", C_STR, CMP_EQ, 0, 1, 0 },
    { "StringNotEqualsIgnoreCase", C_STR, CMP_EQ, 1, 1, 0 },
    { "StringLike", C_STR, CMP_EQ, 0, 0, 1 },
    { "StringNotLike", C_STR, CMP_EQ, 1, 0, 1 },
    { "NumericEquals", C_NUM, CMP_EQ, 0, 0, 0 },
    { "NumericNotEquals", C_NUM, CMP_EQ, 1, 0, 0 },
    { "NumericLessThan", C_NUM, CMP_LT, 0, 0, 0 },
    { "NumericLessThanEquals", C_NUM, CMP_LE, 0, 0, 0 },
    { "NumericGreaterThan", C_NUM, CMP_GT, 0, 0, 0 },
    { "NumericGreaterThanEquals", C_NUM, CMP_GE, 0, 0, 0 },
    { "DateEquals", C_DATE, CMP_EQ, 0, 0, 0 },
    { "DateNotEquals", C_DATE, CMP_EQ, 1, 0, 0 },
    { "DateLessThan", C_DATE, CMP_LT, 0, 0, 0 },
    { "DateLessThanEquals", C_DATE, CMP_LE, 0, 0, 0 },
    { "DateGreaterThan", C_DATE, CMP_GT, 0, 0, 0 },
    { "DateGreaterThanEquals", C_DATE, CMP_GE, 0, 0, 0 },
    { "Bool", C_BOOL, CMP_EQ, 0, 1, 0 },
    { "IpAddress", C_IP, CMP_EQ, 0, 0, 0 },
    { "NotIpAddress", C_IP, CMP_EQ, 1, 0, 0 },
    { "Null", C_NULL, CMP_EQ, 0, 0, 0 },
    /* ARNs: both forms take wildcards in AWS, and compare case-sensitively. */
    { "ArnEquals", C_STR, CMP_EQ, 0, 0, 1 },
    { "ArnLike", C_STR, CMP_EQ, 0, 0, 1 },
    { "ArnNotEquals", C_STR, CMP_EQ, 1, 0, 1 },
    { "ArnNotLike", C_STR, CMP_EQ, 1, 0, 1 },
};

/* "ForAllValues:StringLikeIfExists" -> the op, with prefix and suffix. */
static const op_def *parse_operator(const char *name, int *if_exists, int *for_all)
{
    static const char any_pfx[] = "ForAnyValue:", all_pfx[] = "ForAllValues:", sfx[] = "IfExists";
    *for_all = *if_exists = 0;
    if (strncmp(name, any_pfx, sizeof any_pfx - 1) == 0) {
        name += sizeof any_pfx - 1;
    } else if (strncmp(name, all_pfx, sizeof all_pfx - 1) == 0) {
        name += sizeof all_pfx - 1;
        *for_all = 1;
    }
    size_t n = strlen(name);
    if (n > sizeof sfx - 1 && strcmp(name + n - (sizeof sfx - 1), sfx) == 0) {
        n -= sizeof sfx - 1;
        *if_exists = 1;
    }
    for (size_t i = 0; i < COUNT(ops); i++)
        if (strlen(ops[i].name) == n && strncmp(ops[i].name, name, n) == 0) {
            if (ops[i].base == C_NULL && *if_exists) return NULL;    /* NullIfExists means nothing */
            return &ops[i];
        }
    return NULL;
}

/* One value of a condition, checked and compiled for its operator. */
static int parse_cond_value(parser *ps, cond *c, const op_def *op, size_t i, const char *s, json_t *raw)
{
    arena *mem = &ps->p->mem;
    int64_t ms;
    switch (c->base) {
    case C_STR:
        if (glob_compile(mem, &c->v.globs[i], s, op->wild, ps->p->vars, op->icase) < 0)
            return fail(ps->err, ps->err_cap, "Too many policy variables in condition value %s", s);
        return 0;
    case C_BOOL: {
        int var = ps->p->vars && strstr(s, "${");
        if (!var && ascii_casecmp(s, "true") != 0 && ascii_casecmp(s, "false") != 0) break;
        if (glob_compile(mem, &c->v.globs[i], s, 0, ps->p->vars, 1) < 0) break;
        return 0;
    }
    case C_NUM:
        if (json_is_integer(raw)) {
            c->v.nums[i] = (double)json_integer_value(raw);
            return 0;
        }
        if (json_is_real(raw)) {
            c->v.nums[i] = json_real_value(raw);
            return 0;
        }
        if (parse_number(s, &c->v.nums[i])) return 0;
        break;
    case C_DATE:
        if (json_is_integer(raw) && llabs(json_integer_value(raw)) < 1000000000000LL) {
            c->v.nums[i] = (double)json_integer_value(raw) * 1000;
            return 0;
        }
        if (!json_is_number(raw) && parse_date(s, &ms)) {
            c->v.nums[i] = (double)ms;
            return 0;
        }
        break;
    case C_IP:
        if (parse_cidr(s, &c->v.nets[i], 1)) return 0;
        break;
    case C_NULL:
        if (ascii_casecmp(s, "true") == 0 || ascii_casecmp(s, "false") == 0) {
            c->v.bools[i] = ascii_casecmp(s, "true") == 0;
            return 0;
        }
        break;
    }
    return fail(ps->err, ps->err_cap, "Invalid value %s for condition operator %s", s, op->name);
}

static int parse_cond(parser *ps, cond *c, const op_def *op, const char *key, json_t *vals)
{
    arena *mem = &ps->p->mem;
    if (!key[0] || strlen(key) > MAX_KEY_LEN) return fail(ps->err, ps->err_cap, "Invalid condition key %s", key);
    if (json_is_array(vals) && json_array_size(vals) == 0)
        return fail(ps->err, ps->err_cap, "Condition key %s has no values", key);
    size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
    c->base = op->base;
    c->cmp = op->cmp;
    c->negate = op->negate;
    c->key = arena_strdup(mem, key);
    c->key_source = ascii_casecmp(key, "aws:username") == 0 || ascii_casecmp(key, "aws:userid") == 0
                        ? VAR_USERNAME : VAR_CONTEXT;
    c->n = (uint32_t)n;
    size_t elem = c->base == C_STR || c->base == C_BOOL   ? sizeof(glob)
                  : c->base == C_NUM || c->base == C_DATE ? sizeof(double)
                  : c->base == C_IP                       ? sizeof(cidr)
                                                          : 1;
    c->v.globs = arena_calloc(mem, n * elem);
    for (size_t i = 0; i < n; i++) {
        json_t *raw = json_is_array(vals) ? json_array_get(vals, i) : vals;
        const char *s = scalar_text(mem, raw, 1);
        if (!s) return fail(ps->err, ps->err_cap, "Condition values for %s must be strings, numbers or booleans", key);
        if (parse_cond_value(ps, c, op, i, s, raw) < 0) return -1;
    }
    return 0;
}

static int parse_conditions(parser *ps, stmt *st, json_t *v)
{
    if (!json_is_object(v)) return fail(ps->err, ps->err_cap, "Condition must be an object");
    size_t total = 0;
    const char *opname, *key;
    json_t *block, *vals;
    json_object_foreach(v, opname, block) {
        if (!json_is_object(block)) return fail(ps->err, ps->err_cap, "Condition %s must be an object", opname);
        total += json_object_size(block);
    }
    st->conds = arena_calloc(&ps->p->mem, (total ? total : 1) * sizeof(cond));
    json_object_foreach(v, opname, block) {
        int if_exists, for_all;
        const op_def *op = parse_operator(opname, &if_exists, &for_all);
        if (!op) return fail(ps->err, ps->err_cap, "Policy has invalid condition operator: %s", opname);
        json_object_foreach(block, key, vals) {
            cond *c = &st->conds[st->n_conds];
            if (parse_cond(ps, c, op, key, vals) < 0) return -1;
            c->if_exists = (uint8_t)if_exists;
            c->for_all = (uint8_t)for_all;
            st->n_conds++;
        }
    }
    return 0;
}

static int known_field(const char *k, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k, fields[i]) == 0) return 1;
    return 0;
}

/* Exactly one of the pair must be present (or, when optional, neither). */
static int one_of(parser *ps, json_t *obj, const char *a, const char *b, int optional, json_t **val, int *is_b)
{
    json_t *va = json_object_get(obj, a), *vb = json_object_get(obj, b);
    if (va && vb) return fail(ps->err, ps->err_cap, "Statement has both %s and %s", a, b);
    if (!va && !vb && !optional) return fail(ps->err, ps->err_cap, "Missing required field %s", a);
    *val = va ? va : vb;
    *is_b = vb != NULL;
    return 0;
}

static int parse_statement(parser *ps, stmt *st, json_t *obj)
{
    static const char *const fields[] = { "Sid", "Effect", "Principal", "NotPrincipal", "Action",
                                          "NotAction", "Resource", "NotResource", "Condition" };
    const char *k;
    json_t *v = NULL;
    if (!json_is_object(obj)) return fail(ps->err, ps->err_cap, "Statement must be an object");
    json_object_foreach(obj, k, v)
        if (!known_field(k, fields, COUNT(fields))) return fail(ps->err, ps->err_cap, "Statement has unknown field %s", k);

    json_t *sid = json_object_get(obj, "Sid");
    if (sid && !json_is_string(sid)) return fail(ps->err, ps->err_cap, "Sid must be a string");

    json_t *eff = json_object_get(obj, "Effect");
    if (!eff) return fail(ps->err, ps->err_cap, "Missing required field Effect");
    const char *e = json_string_value(eff);
    if (!e || (strcmp(e, "Allow") != 0 && strcmp(e, "Deny") != 0))
        return fail(ps->err, ps->err_cap, "Invalid effect: %s", shown(e));
    st->deny = strcmp(e, "Deny") == 0;

    int is_not = 0, admin_only = 0;
    if (one_of(ps, obj, "Principal", "NotPrincipal", 1, &v, &is_not) < 0) return -1;
    if (v && ps->kind == POLICY_IDENTITY)
        return fail(ps->err, ps->err_cap, "Identity policies may not have %s", is_not ? "NotPrincipal" : "Principal");
    if (!v && ps->kind == POLICY_RESOURCE) return fail(ps->err, ps->err_cap, "Missing required field Principal");
    /* AWS: NotPrincipal only with Deny ("allow everyone but X" is refused) */
    if (v && is_not && !st->deny)
        return fail(ps->err, ps->err_cap, "NotPrincipal may only be used with Effect Deny");
    if (v) {
        st->principal_mode = is_not ? PRINCIPAL_NOT : PRINCIPAL_IS;
        if (parse_principal(ps, st, v, is_not ? "NotPrincipal" : "Principal") < 0) return -1;
    }

    if (one_of(ps, obj, "Action", "NotAction", 0, &v, &is_not) < 0) return -1;
    st->not_action = (uint8_t)is_not;
    if (parse_actions(ps, st, v, is_not ? "NotAction" : "Action", &admin_only) < 0) return -1;

    /* MinIO lets admin statements omit Resource; S3 ones must say which. */
    int resource_optional = admin_only && ps->kind == POLICY_IDENTITY;
    if (one_of(ps, obj, "Resource", "NotResource", resource_optional, &v, &is_not) < 0) return -1;
    st->not_resource = (uint8_t)is_not;
    st->no_resource = v == NULL;
    if (v && parse_resources(ps, st, v, is_not ? "NotResource" : "Resource", admin_only) < 0) return -1;

    json_t *cv = json_object_get(obj, "Condition");
    if (cv && parse_conditions(ps, st, cv) < 0) return -1;
    return 0;
}

static int check_sids(parser *ps, json_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_object_get(json_array_get(list, i), "Sid"));
        if (!a || !a[0]) continue;
        for (size_t j = i + 1; j < n; j++) {
            const char *b = json_string_value(json_object_get(json_array_get(list, j), "Sid"));
            if (b && strcmp(a, b) == 0) return fail(ps->err, ps->err_cap, "Duplicate Sid %s", a);
        }
    }
    return 0;
}

static int parse_document(parser *ps, json_t *doc)
{
    static const char *const fields[] = { "Version", "Id", "Statement" };
    const char *k;
    json_t *v = NULL;
    if (!json_is_object(doc)) return fail(ps->err, ps->err_cap, "Policy document must be a JSON object");
    json_object_foreach(doc, k, v)
        if (!known_field(k, fields, COUNT(fields))) return fail(ps->err, ps->err_cap, "Policy has unknown field %s", k);

    json_t *ver = json_object_get(doc, "Version");
    if (ver) {
        const char *s = json_string_value(ver);
        if (!s || (strcmp(s, "2012-10-17") != 0 && strcmp(s, "2008-10-17") != 0))
            return fail(ps->err, ps->err_cap, "Invalid Version %s", shown(s));
        ps->p->vars = strcmp(s, "2012-10-17") == 0;
    }
    json_t *id = json_object_get(doc, "Id");
    if (id && !json_is_string(id)) return fail(ps->err, ps->err_cap, "Id must be a string");

    json_t *sts = json_object_get(doc, "Statement");
    if (!sts) return fail(ps->err, ps->err_cap, "Missing required field Statement");
    json_t *one = NULL;
    if (json_is_object(sts)) {
        one = json_array();
        json_array_append(one, sts);
        sts = one;
    }
    int rc = -1;
    size_t n = json_is_array(sts) ? json_array_size(sts) : 0;
    if (!json_is_array(sts)) fail(ps->err, ps->err_cap, "Statement must be an object or an array");
    else if (n == 0) fail(ps->err, ps->err_cap, "Policy has no statements");
    else if (n > MAX_STATEMENTS) fail(ps->err, ps->err_cap, "Policy has more than %d statements", MAX_STATEMENTS);
    else if (check_sids(ps, sts, n) == 0) {
        ps->p->stmts = arena_calloc(&ps->p->mem, n * sizeof(stmt));
        ps->p->n_stmts = (uint32_t)n;
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) rc = parse_statement(ps, &ps->p->stmts[i], json_array_get(sts, i));
    }
    json_decref(one);
    return rc;
}

policy *policy_parse(const char *json, size_t len, policy_kind kind, const char *bucket, char *err, size_t err_cap)
{
    if (err && err_cap) err[0] = '\0';
    if (len > POLICY_MAX_BYTES) {
        fail(err, err_cap, "Policy document exceeds %d bytes", POLICY_MAX_BYTES);
        return NULL;
    }
    if (!json || len == 0) {
        fail(err, err_cap, "Policy document is empty");
        return NULL;
    }
    json_error_t jerr;
    /* Duplicate keys are refused: two "Effect"s must not pick one silently. */
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fail(err, err_cap, "Policy is not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    policy *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(doc);
        fail(err, err_cap, "Out of memory");
        return NULL;
    }
    arena_init(&p->mem);
    parser ps = { .p = p, .kind = kind, .bucket = bucket, .err = err, .err_cap = err_cap };
    int rc = parse_document(&ps, doc);
    json_decref(doc);
    if (rc < 0) {
        policy_free(p);
        return NULL;
    }
    return p;
}

void policy_free(policy *p)
{
    if (!p) return;
    arena_reset(&p->mem);
    free(p);
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                           */

static int compare(int cmp, double a, double b)
{
    switch (cmp) {
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    case CMP_GE: return a >= b;
    default: return a == b;
    }
}

/* Does the request's value match any of the condition's values?  A
 * request value that does not parse for the operator matches none. */
static match_result cond_any(const cond *c, const char *val, const policy_request *req)
{
    double num = 0;
    int64_t ms;
    cidr ip;
    switch (c->base) {
    case C_STR:
    case C_BOOL: {
        size_t vlen = strlen(val);
        match_result any = M_NO;
        for (uint32_t i = 0; i < c->n; i++) {
            match_result r = glob_match(&c->v.globs[i], val, vlen, c->v.globs[i].icase, req);
            if (r == M_UNRESOLVED) return M_UNRESOLVED;
            if (r == M_YES) any = M_YES;
        }
        return any;
    }
    case C_NUM:
    case C_DATE:
        if (c->base == C_NUM ? !parse_number(val, &num) : !parse_date(val, &ms)) return M_NO;
        if (c->base == C_DATE) num = (double)ms;
        for (uint32_t i = 0; i < c->n; i++)
            if (compare(c->cmp, num, c->v.nums[i])) return M_YES;
        return M_NO;
    case C_IP:
        if (!parse_cidr(val, &ip, 0)) return M_NO;
        for (uint32_t i = 0; i < c->n; i++)
            if (cidr_contains(&c->v.nets[i], &ip)) return M_YES;
        return M_NO;
    default:
        return M_NO;
    }
}

static int cond_holds(const cond *c, const policy_request *req)
{
    const char *val = lookup(req, c->key_source, c->key);
    if (c->base == C_NULL) {
        for (uint32_t i = 0; i < c->n; i++)
            if (c->v.bools[i] == (val == NULL)) return 1;
        return 0;
    }
    if (!val) {
        /* AWS, "IAM JSON policy elements: Condition operators": a key
         * missing from the request context makes the condition false,
         * but "if the policy condition requires that the key is not
         * matched, such as StringNotLike or ArnNotLike, and the right key
         * is not present, the condition is true" — for every operator
         * except ...IfExists and Null, which test presence themselves. */
        return c->if_exists || c->for_all || c->negate;
    }
    match_result r = cond_any(c, val, req);
    if (r == M_UNRESOLVED) return 0;
    /* Several values: OR for the positive operators, NOR for the Not... ones. */
    return c->negate ? r == M_NO : r == M_YES;
}

/* The request as evaluation wants it: lengths taken once, the action
 * lower-cased once (action patterns are stored lower-case). */
typedef struct subject {
    const policy_request *req;
    const char *action, *resource;
    size_t action_len, resource_len;
    int action_icase;       /* 1 when the action was too long to lower-case here */
    char lowered[128];
} subject;

static void subject_init(subject *sj, const policy_request *req)
{
    const char *a = req->action ? req->action : "";
    sj->req = req;
    sj->resource = req->resource ? req->resource : "";
    sj->resource_len = strlen(sj->resource);
    sj->action_len = strlen(a);
    sj->action_icase = sj->action_len >= sizeof sj->lowered;
    if (sj->action_icase) {
        sj->action = a;
        return;
    }
    for (size_t i = 0; i <= sj->action_len; i++) sj->lowered[i] = (char)lower((unsigned char)a[i]);
    sj->action = sj->lowered;
}

static int action_matches(const stmt *st, const subject *sj)
{
    for (uint32_t i = 0; i < st->n_actions; i++)
        if (glob_match(&st->actions[i], sj->action, sj->action_len, sj->action_icase, NULL) == M_YES) return 1;
    return 0;
}

/* 1 applies, 0 does not. */
static int resource_applies(const stmt *st, const subject *sj)
{
    if (st->no_resource) return 1;
    int any = 0;
    for (uint32_t i = 0; i < st->n_resources && !any; i++) {
        match_result r = glob_match(&st->resources[i], sj->resource, sj->resource_len, 0, sj->req);
        /* An unresolved entry never grants and never exempts. */
        if (r == M_UNRESOLVED && st->not_resource) return 0;
        any = r == M_YES;
    }
    return st->not_resource ? !any : any;
}

static int principal_applies(const stmt *st, const policy_request *req)
{
    if (st->principal_mode == PRINCIPAL_NONE) return 1;
    int named = st->principal_star;
    if (!named && req->principal_arn) {
        for (uint32_t i = 0; i < st->n_principals && !named; i++) {
            const char *pr = st->principals[i];
            named = strcmp(pr, req->principal_arn) == 0 || (req->username && strcmp(pr, req->username) == 0);
        }
    }
    return st->principal_mode == PRINCIPAL_IS ? named : !named;
}

static int statement_applies(const stmt *st, const subject *sj)
{
    if (action_matches(st, sj) == st->not_action) return 0;
    if (!principal_applies(st, sj->req) || !resource_applies(st, sj)) return 0;
    for (uint32_t i = 0; i < st->n_conds; i++)
        if (!cond_holds(&st->conds[i], sj->req)) return 0;
    return 1;
}

static policy_effect evaluate(const policy *p, const subject *sj)
{
    int allowed = 0;
    for (uint32_t i = 0; i < p->n_stmts; i++) {
        const stmt *st = &p->stmts[i];
        if (allowed && !st->deny) continue;    /* only a Deny can change the answer now */
        if (!statement_applies(st, sj)) continue;
        if (st->deny) return POLICY_DENY;
        allowed = 1;
    }
    return allowed ? POLICY_ALLOW : POLICY_NO_MATCH;
}

policy_effect policy_evaluate(const policy *p, const policy_request *req)
{
    if (!p || !req) return POLICY_NO_MATCH;
    subject sj;
    subject_init(&sj, req);
    return evaluate(p, &sj);
}

policy_effect policy_evaluate_all(const policy *const *ps, size_t n, const policy_request *req)
{
    if (!req) return POLICY_NO_MATCH;
    subject sj;
    subject_init(&sj, req);
    int allowed = 0;
    for (size_t i = 0; i < n; i++) {
        policy_effect e = ps[i] ? evaluate(ps[i], &sj) : POLICY_NO_MATCH;
        if (e == POLICY_DENY) return POLICY_DENY;
        allowed |= e == POLICY_ALLOW;
    }
    return allowed ? POLICY_ALLOW : POLICY_NO_MATCH;
}
