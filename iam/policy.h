/*
 * policy — the AWS access policy language, as S3 and MinIO use it.
 *
 * Owns: parsing a JSON policy document (identity policies attached to users,
 * groups and keys; resource policies attached to buckets) into an immutable
 * compiled form, validating it (a malformed document is refused with the
 * reason, as S3's MalformedPolicy), and evaluating one request against one
 * or several policies.
 *
 * Language: Version ("2012-10-17" or "2008-10-17"), Id, Statement (object or
 * array) with Sid, Effect (Allow|Deny), Principal / NotPrincipal (resource
 * policies only: "*", {"AWS": "*" | ARN | name | [...]}), Action / NotAction
 * (string or array; "*", "s3:*", "s3:Get*", "admin:*" ... wildcards * and ?,
 * case-insensitive), Resource / NotResource ("arn:aws:s3:::bucket",
 * "arn:aws:s3:::bucket/prefix*", wildcards, policy variables such as
 * ${aws:username}), Condition ({operator: {key: value | [values]}}) with the
 * operators String(Not)Equals(IgnoreCase), String(Not)Like, Bool,
 * (Not)IpAddress, Date(Not)Equals/LessThan(Equals)/GreaterThan(Equals),
 * Numeric(Not)Equals/LessThan(Equals)/GreaterThan(Equals), Null, and the
 * ...IfExists forms; ForAnyValue:/ForAllValues: prefixes are accepted on
 * single-valued keys.  Condition keys are case-insensitive.
 *
 * Evaluation (AWS's rule): an explicit Deny in any statement of any policy
 * wins; otherwise any Allow allows; otherwise nothing matched (the caller
 * denies by default).  Pure and thread-safe: no globals, no clock (the
 * caller passes aws:CurrentTime as a context value).
 */
#ifndef CAIRN_POLICY_H
#define CAIRN_POLICY_H

#include <stddef.h>

/* The size bound on a policy document (S3's bucket-policy limit is 20 KiB). */
enum { POLICY_MAX_BYTES = 20 * 1024 };

typedef enum {
    POLICY_IDENTITY,    /* attached to a user/group/key: Principal not allowed */
    POLICY_RESOURCE,    /* a bucket policy: Principal or NotPrincipal required */
} policy_kind;

typedef struct policy policy;

/* Parses and validates a document.  Returns NULL and a one-line reason in
 * err (e.g. "Policy has invalid action: s3:GetObjekt", "Missing required
 * field Effect", "Policy document exceeds 20480 bytes") when it is not a
 * valid policy of that kind.  For POLICY_RESOURCE, bucket (may be NULL)
 * is the bucket it will be attached to: every Resource must then name that
 * bucket or objects in it ("Policy has invalid resource"). */
policy *policy_parse(const char *json, size_t len, policy_kind kind, const char *bucket, char *err,
                     size_t err_cap);
void policy_free(policy *p);

/* 1 when the action is one S3/MinIO defines ("s3:GetObject"; admin:,
 * sts: and kms: actions as MinIO names them), wildcards excluded. */
int policy_action_known(const char *action);

typedef enum { POLICY_NO_MATCH = 0, POLICY_ALLOW, POLICY_DENY } policy_effect;

/* Condition context: the value of a key for this request, or NULL when the
 * request has none (then "...IfExists" operators match and others do not;
 * "Null": true matches; the negated operators, StringNotEquals,
 * StringNotLike, NotIpAddress, ArnNotLike..., match too, as the AWS
 * condition-operator reference says).  Keys arrive as the policy spells
 * them; compare case-insensitively ("aws:SourceIp", "s3:prefix", "s3:ExistingObjectTag/
 * color", "aws:CurrentTime" in ISO 8601 "2026-11-26T09:00:00Z",
 * "aws:SecureTransport" "true"/"false", "aws:EpochTime" seconds). */
typedef const char *(*policy_context_fn)(void *arg, const char *key);

typedef struct policy_request {
    const char *action;          /* "s3:GetObject" */
    const char *resource;        /* "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket", "arn:aws:s3:::*" */
    /* Who asks, for Principal matching in resource policies: NULL when
     * anonymous (matches only "*"); an identity matches an entry equal to
     * its ARN, to its username, or "*". */
    const char *principal_arn;   /* "arn:aws:iam::ACCOUNT:user/NAME" */
    const char *username;        /* also the value of ${aws:username} */
    policy_context_fn context;   /* may be NULL: no condition key has a value */
    void *context_arg;
} policy_request;

policy_effect policy_evaluate(const policy *p, const policy_request *req);
/* Over several policies: any Deny -> DENY, else any Allow -> ALLOW. */
policy_effect policy_evaluate_all(const policy *const *ps, size_t n, const policy_request *req);

#endif
