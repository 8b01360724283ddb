/* The policy language: the S3 examples of the AWS IAM and S3 user guides,
 * every refusal the parser owes, and garbage that must not crash it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../iam/policy.h"
#include "check.h"

typedef struct kv { const char *k, *v; } kv;

/* Context values the way the request layer will hand them over; keys are
 * compared case-insensitively as policy.h asks. */
static const char *ctx(void *arg, const char *key)
{
    for (const kv *p = arg; p && p->k; p++)
        if (strcasecmp(p->k, key) == 0) return p->v;
    return NULL;
}

static char err[256];

static policy *ident(const char *json)
{
    policy *p = policy_parse(json, strlen(json), POLICY_IDENTITY, NULL, err, sizeof err);
    if (!p) fprintf(stderr, "unexpected parse error: %s\n", err);
    return p;
}

static policy *bucket_policy(const char *json, const char *bucket)
{
    policy *p = policy_parse(json, strlen(json), POLICY_RESOURCE, bucket, err, sizeof err);
    if (!p) fprintf(stderr, "unexpected parse error: %s\n", err);
    return p;
}

/* A request by user (NULL: anonymous) for action on resource. */
static policy_effect ev(const policy *p, const char *action, const char *resource, const char *user, const kv *c)
{
    char arn[128];
    if (user) snprintf(arn, sizeof arn, "arn:aws:iam::123456789012:user/%s", user);
    policy_request r = { .action = action, .resource = resource, .principal_arn = user ? arn : NULL,
                         .username = user, .context = ctx, .context_arg = (void *)c };
    return policy_evaluate(p, &r);
}

/* 1 when parsing fails and the reason contains want. */
static int refused(const char *json, policy_kind kind, const char *bucket, const char *want)
{
    policy *p = policy_parse(json, strlen(json), kind, bucket, err, sizeof err);
    if (p) {
        policy_free(p);
        fprintf(stderr, "accepted, wanted \"%s\": %s\n", want, json);
        return 0;
    }
    if (!strstr(err, want)) {
        fprintf(stderr, "reason \"%s\", wanted \"%s\"\n", err, want);
        return 0;
    }
    return 1;
}

#define ID_REFUSED(json, want) CHECK(refused(json, POLICY_IDENTITY, NULL, want))

/* AWS user guide: a user's home folder, with ${aws:username} both in the
 * Resource and in an s3:prefix condition on ListBucket. */
static void home_folder(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"AllowListingOfUserFolder\",\"Action\":[\"s3:ListBucket\"],\"Effect\":\"Allow\","
        " \"Resource\":[\"arn:aws:s3:::user-documents\"],"
        " \"Condition\":{\"StringLike\":{\"s3:prefix\":[\"home/${aws:username}/*\",\"home/${aws:username}\"]}}},"
        "{\"Sid\":\"AllowAllS3ActionsInUserFolder\",\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],"
        " \"Resource\":[\"arn:aws:s3:::user-documents/home/${aws:username}/*\"]}]}");
    CHECK(p != NULL);
    if (!p) return;
    const char *own = "arn:aws:s3:::user-documents/home/alice/cv.pdf";
    const char *other = "arn:aws:s3:::user-documents/home/bob/cv.pdf";
    CHECK(ev(p, "s3:GetObject", own, "alice", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", own, "alice", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", other, "alice", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", own, NULL, NULL) == POLICY_NO_MATCH);       /* no username: no match */
    kv mine[] = { { "s3:prefix", "home/alice/" }, { 0 } }, theirs[] = { { "s3:prefix", "home/bob/" }, { 0 } };
    kv bare[] = { { "s3:prefix", "home/alice" }, { 0 } };
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::user-documents", "alice", mine) == POLICY_ALLOW);
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::user-documents", "alice", bare) == POLICY_ALLOW);
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::user-documents", "alice", theirs) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::user-documents", "alice", NULL) == POLICY_NO_MATCH);
    /* A substituted value is text, never a pattern: user "*" gets nothing of bob's. */
    CHECK(ev(p, "s3:GetObject", other, "*", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::user-documents/home/*/x", "*", NULL) == POLICY_ALLOW);
    policy_free(p);
}

/* S3 user guide: deny every request not made over TLS. */
static void secure_transport(void)
{
    policy *p = bucket_policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AllowSSLRequestsOnly\","
        "\"Action\":\"s3:*\",\"Effect\":\"Deny\",\"Resource\":[\"arn:aws:s3:::order-receipts\","
        "\"arn:aws:s3:::order-receipts/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}},"
        "\"Principal\":\"*\"}]}", "order-receipts");
    CHECK(p != NULL);
    if (!p) return;
    kv plain[] = { { "aws:SecureTransport", "false" }, { 0 } }, tls[] = { { "aws:SecureTransport", "true" }, { 0 } };
    const char *obj = "arn:aws:s3:::order-receipts/2026/r1.pdf";
    CHECK(ev(p, "s3:GetObject", obj, "alice", plain) == POLICY_DENY);
    CHECK(ev(p, "s3:GetObject", obj, NULL, plain) == POLICY_DENY);
    CHECK(ev(p, "s3:GetObject", obj, "alice", tls) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, "alice", NULL) == POLICY_NO_MATCH);   /* Bool on an absent key: false */
    policy_free(p);

    p = ident("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
              "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":true}}}}");
    CHECK(p && ev(p, "s3:GetObject", obj, "alice", tls) == POLICY_ALLOW);   /* a JSON true is "true" */
    CHECK(p && ev(p, "s3:GetObject", obj, "alice", plain) == POLICY_NO_MATCH);
    policy_free(p);
}

/* S3 user guide: restrict access by source address, IPv4 and IPv6. */
static void source_ip(void)
{
    policy *p = bucket_policy("{\"Version\":\"2012-10-17\",\"Id\":\"S3PolicyId1\",\"Statement\":[{\"Sid\":\"IPAllow\","
        "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::product-images\","
        "\"arn:aws:s3:::product-images/*\"],\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}]}",
        "product-images");
    CHECK(p != NULL);
    if (!p) return;
    kv inside[] = { { "aws:SourceIp", "192.0.2.77" }, { 0 } }, outside[] = { { "aws:SourceIp", "203.0.113.1" }, { 0 } };
    const char *obj = "arn:aws:s3:::product-images/a.png";
    CHECK(ev(p, "s3:GetObject", obj, "alice", inside) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, "alice", outside) == POLICY_DENY);
    CHECK(ev(p, "s3:GetObject", obj, "alice", NULL) == POLICY_DENY);        /* negated operator, absent key: true */
    policy_free(p);

    p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
              "\"Resource\":\"arn:aws:s3:::product-images/*\",\"Condition\":{"
              "\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"2001:DB8:1234:5678::/64\"]},"
              "\"NotIpAddress\":{\"aws:SourceIp\":[\"192.0.2.128/25\",\"2001:DB8:1234:5678:ABCD::/80\"]}}}]}");
    CHECK(p != NULL);
    if (!p) return;
    kv v6[] = { { "aws:SourceIp", "2001:db8:1234:5678::1" }, { 0 } };
    kv v6_out[] = { { "aws:SourceIp", "2001:db8:1234:5678:abcd::1" }, { 0 } };
    kv mapped[] = { { "aws:SourceIp", "::ffff:192.0.2.9" }, { 0 } };
    kv upper_half[] = { { "aws:SourceIp", "192.0.2.200" }, { 0 } };
    kv garbage[] = { { "aws:SourceIp", "not-an-ip" }, { 0 } };
    CHECK(ev(p, "s3:GetObject", obj, "u", inside) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", obj, "u", v6) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", obj, "u", mapped) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", obj, "u", v6_out) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, "u", upper_half) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, "u", garbage) == POLICY_NO_MATCH);
    policy_free(p);
}

/* S3 user guide: anonymous read of a public bucket. */
static void public_read(void)
{
    policy *p = bucket_policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"s3:GetObject\",\"s3:GetObjectVersion\"],"
        "\"Resource\":[\"arn:aws:s3:::product-images/*\"]}]}", "product-images");
    CHECK(p != NULL);
    if (!p) return;
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::product-images/a.png", NULL, NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::product-images/a.png", "alice", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::product-images/a.png", NULL, NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::product-images", NULL, NULL) == POLICY_NO_MATCH);
    policy_free(p);
}

static void principals(void)
{
    policy *p = bucket_policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:user/alice\",\"bob\"]},\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::ml-models/*\"},"
        "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},"
        "\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::ml-models/*\"}]}", "ml-models");
    CHECK(p != NULL);
    if (!p) return;
    const char *obj = "arn:aws:s3:::ml-models/m.bin";
    CHECK(ev(p, "s3:GetObject", obj, "alice", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", obj, "bob", NULL) == POLICY_ALLOW);        /* plain user name */
    CHECK(ev(p, "s3:GetObject", obj, "carol", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, NULL, NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:DeleteObject", obj, "bob", NULL) == POLICY_DENY);
    CHECK(ev(p, "s3:DeleteObject", obj, NULL, NULL) == POLICY_DENY);
    CHECK(ev(p, "s3:DeleteObject", obj, "alice", NULL) == POLICY_NO_MATCH);
    policy_free(p);
}

/* IAM user guide: access only within a time window. */
static void dates(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-01-01T00:00:00Z\"},"
        "\"DateLessThan\":{\"aws:CurrentTime\":\"2026-06-30\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
        "\"DateEquals\":{\"aws:EpochTime\":\"2026-01-01T01:00:00+01:00\"}}}]}");
    CHECK(p != NULL);
    if (!p) return;
    kv in[] = { { "aws:CurrentTime", "2026-03-01T12:00:00Z" }, { 0 } };
    kv after[] = { { "aws:CurrentTime", "2026-06-30T00:00:01Z" }, { 0 } };
    kv before[] = { { "aws:CurrentTime", "2025-12-31T23:59:59Z" }, { 0 } };
    kv epoch_in[] = { { "aws:CurrentTime", "1772366400" }, { 0 } };     /* 2026-03-01T12:00:00Z */
    kv frac[] = { { "aws:CurrentTime", "2026-01-01T00:00:00.001Z" }, { 0 } };
    kv bad[] = { { "aws:CurrentTime", "yesterday" }, { 0 } };
    kv epoch_eq[] = { { "aws:EpochTime", "1767225600" }, { 0 } };       /* 2026-01-01T00:00:00Z */
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", in) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", after) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", before) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", epoch_in) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", frac) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", bad) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::b/k", "u", epoch_eq) == POLICY_ALLOW);
    policy_free(p);

    /* A date written as a JSON number is epoch seconds. */
    p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
              "\"Resource\":\"*\",\"Condition\":{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":1767225600}}}]}");
    kv at[] = { { "aws:CurrentTime", "2026-01-01T00:00:00Z" }, { 0 } };
    CHECK(p && ev(p, "s3:GetObject", "*", "u", at) == POLICY_ALLOW);
    CHECK(p && ev(p, "s3:GetObject", "*", "u", before) == POLICY_NO_MATCH);
    policy_free(p);
}

/* S3 user guide: PutObject only with the bucket-owner-full-control ACL; and
 * reads gated on an existing object tag. */
static void string_conditions(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\","
        "\"Resource\":\"arn:aws:s3:::order-exports/*\",\"Condition\":{\"StringEquals\":"
        "{\"s3:x-amz-acl\":[\"bucket-owner-full-control\"]}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::order-exports/*\","
        "\"Condition\":{\"StringEquals\":{\"s3:ExistingObjectTag/environment\":\"production\"}}}]}");
    CHECK(p != NULL);
    if (!p) return;
    const char *obj = "arn:aws:s3:::order-exports/e.csv";
    kv full[] = { { "s3:x-amz-acl", "bucket-owner-full-control" }, { 0 } };
    kv pub[] = { { "s3:x-amz-acl", "public-read" }, { 0 } };
    kv upper[] = { { "s3:x-amz-acl", "BUCKET-OWNER-FULL-CONTROL" }, { 0 } };
    kv prod[] = { { "s3:existingobjecttag/environment", "production" }, { 0 } };
    kv dev[] = { { "s3:ExistingObjectTag/environment", "dev" }, { 0 } };
    CHECK(ev(p, "s3:PutObject", obj, "u", full) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", obj, "u", pub) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:PutObject", obj, "u", upper) == POLICY_NO_MATCH);      /* StringEquals is case-sensitive */
    CHECK(ev(p, "s3:PutObject", obj, "u", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", obj, "u", prod) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", obj, "u", dev) == POLICY_NO_MATCH);
    policy_free(p);
}

/* Absent keys, IfExists, Null, negation with several values (NOR), the set
 * prefixes, numbers, and values written as JSON numbers. */
static void operator_semantics(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"k:a\":[\"x\",\"y\"]}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\",\"Condition\":{\"StringEqualsIfExists\":{\"k:a\":\"x\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"k:a\":\"true\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThanEquals\":{\"s3:max-keys\":10}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjectTagging\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringLike\":{\"k:a\":\"x*\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObjectTagging\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringLike\":{\"k:a\":\"x*\"}}},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetBucketTagging\",\"Resource\":\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"k:a\":\"HeLLo\"},"
        " \"StringEquals\":{\"k:n\":42}}}]}");
    CHECK(p != NULL);
    if (!p) return;
    kv none[] = { { 0 } }, x[] = { { "k:a", "x" }, { 0 } }, z[] = { { "k:a", "z" }, { 0 } }, xy[] = { { "k:a", "xyz" }, { 0 } };
    CHECK(ev(p, "s3:GetObject", "*", "u", none) == POLICY_ALLOW);          /* negated, absent: true */
    CHECK(ev(p, "s3:GetObject", "*", "u", x) == POLICY_NO_MATCH);          /* equals one of them: NOR is false */
    CHECK(ev(p, "s3:GetObject", "*", "u", z) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "*", "u", none) == POLICY_ALLOW);          /* IfExists, absent: true */
    CHECK(ev(p, "s3:PutObject", "*", "u", x) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "*", "u", z) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:DeleteObject", "*", "u", none) == POLICY_ALLOW);
    CHECK(ev(p, "s3:DeleteObject", "*", "u", x) == POLICY_NO_MATCH);
    kv k10[] = { { "s3:max-keys", "10" }, { 0 } }, k11[] = { { "s3:max-keys", "11" }, { 0 } }, kx[] = { { "s3:max-keys", "ten" }, { 0 } };
    CHECK(ev(p, "s3:ListBucket", "*", "u", k10) == POLICY_ALLOW);
    CHECK(ev(p, "s3:ListBucket", "*", "u", k11) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:ListBucket", "*", "u", kx) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:ListBucket", "*", "u", none) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObjectTagging", "*", "u", none) == POLICY_ALLOW);   /* ForAllValues, absent: true */
    CHECK(ev(p, "s3:GetObjectTagging", "*", "u", xy) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObjectTagging", "*", "u", z) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:PutObjectTagging", "*", "u", none) == POLICY_NO_MATCH);
    kv hello[] = { { "k:a", "hello" }, { "k:n", "42" }, { 0 } }, hello43[] = { { "k:a", "hello" }, { "k:n", "43" }, { 0 } };
    CHECK(ev(p, "s3:GetBucketTagging", "*", "u", hello) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetBucketTagging", "*", "u", hello43) == POLICY_NO_MATCH);  /* operator blocks are ANDed */
    policy_free(p);
}

/* IAM user guide: NotAction and NotResource in Deny statements. */
static void not_elements(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"NotAction\":[\"s3:Get*\",\"s3:List*\"],\"Resource\":\"arn:aws:s3:::user-profiles/*\"},"
        "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":[\"arn:aws:s3:::user-profiles\",\"arn:aws:s3:::user-profiles/*\","
        " \"arn:aws:s3:::user-avatars/*\"]}]}");
    CHECK(p != NULL);
    if (!p) return;
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::user-profiles/p.json", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::user-profiles/p.json", "u", NULL) == POLICY_DENY);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::user-avatars/a.png", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::order-receipts/r", "u", NULL) == POLICY_DENY);
    policy_free(p);
}

/* An explicit Deny in one policy beats an Allow in another. */
static void several_policies(void)
{
    policy *allow = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::*\"}]}");
    policy *deny = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::*\"}]}");
    CHECK(allow && deny);
    if (!allow || !deny) return;
    const policy *both[] = { allow, deny }, *only_deny[] = { deny };
    policy_request del = { .action = "s3:DeleteObject", .resource = "arn:aws:s3:::b/k" };
    policy_request get = { .action = "s3:GetObject", .resource = "arn:aws:s3:::b/k" };
    CHECK(policy_evaluate_all(both, 2, &del) == POLICY_DENY);
    CHECK(policy_evaluate_all(both, 2, &get) == POLICY_ALLOW);
    CHECK(policy_evaluate_all(only_deny, 1, &get) == POLICY_NO_MATCH);
    CHECK(policy_evaluate_all(NULL, 0, &get) == POLICY_NO_MATCH);
    policy_free(allow);
    policy_free(deny);
}

/* Wildcards, case rules, variables, escapes, defaults and Version 2008. */
static void patterns(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"arn:aws:s3:::Product-Docs/*\"},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:?utObject\",\"Resource\":\"arn:aws:s3:::b/d?/*\"},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::b/${*}${?}${$}\"},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::${aws:username, 'public'}\"},"
        "{\"Effect\":\"Allow\",\"Action\":\"s3:RestoreObject\",\"Resource\":\"arn:aws:s3:::b/${my:unknown}\"}]}");
    CHECK(p != NULL);
    if (!p) return;
    CHECK(ev(p, "S3:GETOBJECTTAGGING", "arn:aws:s3:::Product-Docs/a", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::product-docs/a", "u", NULL) == POLICY_NO_MATCH);   /* ARN case-sensitive */
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/d1/x/y", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:PutObject", "arn:aws:s3:::b/d10/x", "u", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:DeleteObject", "arn:aws:s3:::b/*?$", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:DeleteObject", "arn:aws:s3:::b/ab$", "u", NULL) == POLICY_NO_MATCH);        /* escapes are literal */
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::u", "u", NULL) == POLICY_ALLOW);
    CHECK(ev(p, "s3:ListBucket", "arn:aws:s3:::public", NULL, NULL) == POLICY_ALLOW);          /* default value */
    CHECK(ev(p, "s3:RestoreObject", "arn:aws:s3:::b/${my:unknown}", "u", NULL) == POLICY_NO_MATCH);
    kv known[] = { { "my:unknown", "k" }, { 0 } };
    CHECK(ev(p, "s3:RestoreObject", "arn:aws:s3:::b/k", "u", known) == POLICY_ALLOW);
    policy_free(p);

    /* Without Version (2008-10-17), ${...} is plain text. */
    p = ident("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\"}]}");
    CHECK(p != NULL);
    if (!p) return;
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::b/alice/x", "alice", NULL) == POLICY_NO_MATCH);
    CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::b/${aws:username}/x", "alice", NULL) == POLICY_ALLOW);
    policy_free(p);

    /* An unresolved variable in NotResource must not exempt anything from a Deny's
     * complement, nor deny: the statement simply does not apply. */
    p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
              "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::${x:nope}/*\"},"
              "{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"k:a\":\"${x:nope}\"}}}]}");
    CHECK(p && ev(p, "s3:GetObject", "arn:aws:s3:::b/k", "u", NULL) == POLICY_ALLOW);
    kv ka[] = { { "k:a", "v" }, { 0 } };
    CHECK(p && ev(p, "s3:PutObject", "arn:aws:s3:::b/k", "u", ka) == POLICY_ALLOW);
    policy_free(p);
}

static void admin_and_actions(void)
{
    policy *p = ident("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"admin:ServerInfo\",\"admin:ServerTrace\"]},"
                      "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"arn:minio:kms:::key-*\"},"
                      "{\"Effect\":\"Allow\",\"Action\":\"admin:*\",\"Resource\":\"arn:aws:s3:::*\"}]}");
    CHECK(p != NULL);
    if (p) {
        CHECK(ev(p, "admin:ServerInfo", NULL, "ops", NULL) == POLICY_ALLOW);
        CHECK(ev(p, "admin:CreateUser", "arn:aws:s3:::x", "ops", NULL) == POLICY_ALLOW);
        CHECK(ev(p, "s3:GetObject", "arn:aws:s3:::x/y", "ops", NULL) == POLICY_NO_MATCH);
    }
    policy_free(p);
    CHECK(policy_action_known("s3:GetObject") == 1);
    CHECK(policy_action_known("S3:getobject") == 1);
    CHECK(policy_action_known("s3:ListenBucketNotification") == 1);
    CHECK(policy_action_known("s3:Get*") == 0);
    CHECK(policy_action_known("s3:GetObjekt") == 0);
    CHECK(policy_action_known("admin:AttachUserOrGroupPolicy") == 1);
    CHECK(policy_action_known("sts:AssumeRole") == 1);
    CHECK(policy_action_known("kms:CreateKey") == 1);
    CHECK(policy_action_known("ec2:RunInstances") == 0);
    CHECK(policy_action_known(NULL) == 0);
}

static void malformed(void)
{
    const char *ok_stmt = "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}";
    char buf[1024];
    CHECK(policy_parse("", 0, POLICY_IDENTITY, NULL, err, sizeof err) == NULL && strstr(err, "empty"));
    ID_REFUSED("[]", "JSON object");
    ID_REFUSED("\"policy\"", "JSON");
    ID_REFUSED("{", "not valid JSON");
    ID_REFUSED("{}", "Missing required field Statement");
    ID_REFUSED("{\"Version\":\"2012-10-17\",\"Statement\":[]}", "no statements");
    ID_REFUSED("{\"Version\":\"2010-01-01\",\"Statement\":[]}", "Version");
    ID_REFUSED("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid effect");
    ID_REFUSED("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Missing required field Effect");
    ID_REFUSED("{\"Version\":\"2012-10-17\",\"Statment\":[]}", "unknown field Statment");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Conditions\":{}}]}", "unknown field Conditions");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Principal");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", "Missing required field Action");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}", "Missing required field Resource");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"NotAction\":\"s3:PutObject\",\"Resource\":\"*\"}]}", "both");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjekt\",\"Resource\":\"*\"}]}", "Policy has invalid action: s3:GetObjekt");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\"}]}", "invalid action");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get Object*\",\"Resource\":\"*\"}]}", "invalid action");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}]}", "empty");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:ec2:::x\"}]}", "invalid resource");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::\"}]}", "invalid resource");
    ID_REFUSED("{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},"
               "{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Duplicate Sid");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "JSON");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":{\"k:a\":\"x\"}}}]}",
               "invalid condition operator");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"k:a\":\"true\"}}}]}",
               "invalid condition operator");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"300.1.2.3\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-02-30\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-01-01T25:00:00Z\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"s3:max-keys\":\"ten\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}}]}",
               "Invalid value");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:a\":{\"x\":1}}}}]}",
               "Condition values");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:a\":[]}}}]}",
               "no values");
    ID_REFUSED("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]} x", "JSON");

    /* Bucket policies. */
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
                  POLICY_RESOURCE, "b", "Missing required field Principal"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}]}",
                  POLICY_RESOURCE, "b", "Policy has invalid resource"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bb/*\"}]}",
                  POLICY_RESOURCE, "b", "Policy has invalid resource"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
                  POLICY_RESOURCE, "b", "Policy has invalid resource"));
    /* a wildcard bucket part that can name the bucket is accepted (s3-tests' "arn:aws:s3:::*") */
    {
        static const char *const ok[] = { "arn:aws:s3:::*", "arn:aws:s3:::b*/x/*", "arn:aws:s3:::?", "arn:aws:s3:::*/*" };
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
            char doc[256];
            snprintf(doc, sizeof doc, "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
                     "\"s3:GetObject\",\"Resource\":\"%s\"}]}", ok[i]);
            policy *p = policy_parse(doc, strlen(doc), POLICY_RESOURCE, "b", err, sizeof err);
            CHECK(p != NULL);
            policy_free(p);
        }
    }
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::c*/*\"}]}",
                  POLICY_RESOURCE, "b", "Policy has invalid resource"));
    /* AWS refuses NotPrincipal with Allow */
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"alice\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\"}]}",
                  POLICY_RESOURCE, "b", "NotPrincipal may only be used with Effect Deny"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"x\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
                  POLICY_RESOURCE, "b", "principal"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"alice\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
                  POLICY_RESOURCE, "b", "Principal"));
    CHECK(refused("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"admin:ServerInfo\"}]}",
                  POLICY_RESOURCE, "b", "Missing required field Resource"));

    /* Size and count bounds. */
    char *big = malloc(POLICY_MAX_BYTES + 2);
    memset(big, ' ', POLICY_MAX_BYTES + 1);
    big[POLICY_MAX_BYTES + 1] = '\0';
    CHECK(policy_parse(big, POLICY_MAX_BYTES + 1, POLICY_IDENTITY, NULL, err, sizeof err) == NULL && strstr(err, "exceeds 20480"));
    free(big);
    size_t cap = 64 * 1024;
    char *many = malloc(cap);
    size_t n = (size_t)snprintf(many, cap, "{\"Statement\":[");
    for (int i = 0; i < 257; i++) n += (size_t)snprintf(many + n, cap - n, "%s{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}", i ? "," : "");
    n += (size_t)snprintf(many + n, cap - n, "]}");
    CHECK(n < POLICY_MAX_BYTES && refused(many, POLICY_IDENTITY, NULL, "more than 256 statements"));
    n = (size_t)snprintf(many, cap, "{\"Statement\":");
    for (int i = 0; i < 3000; i++) many[n++] = '[';
    many[n] = '\0';
    CHECK(policy_parse(many, n, POLICY_IDENTITY, NULL, err, sizeof err) == NULL);
    free(many);

    /* A statement as an object, not an array, is fine. */
    snprintf(buf, sizeof buf, "{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":%s}", ok_stmt);
    policy *p = policy_parse(buf, strlen(buf), POLICY_IDENTITY, NULL, err, sizeof err);
    CHECK(p != NULL);
    policy_free(p);
    p = policy_parse(buf, strlen(buf), POLICY_IDENTITY, NULL, NULL, 0);      /* err may be NULL */
    CHECK(p != NULL);
    policy_free(p);
    CHECK(policy_parse("{}", 2, POLICY_IDENTITY, NULL, NULL, 0) == NULL);
}

/* Every truncation of a valid policy is refused, and random byte damage
 * never crashes the parser or the evaluator (run under ASan/UBSan). */
static void garbage(void)
{
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"Allow\","
        "\"Action\":[\"s3:GetObject\",\"s3:List*\"],\"Resource\":[\"arn:aws:s3:::b/${aws:username}/*\"],"
        "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"::1\"]},"
        "\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},\"StringLike\":{\"s3:prefix\":\"a?*\"}}}]}";
    size_t len = strlen(doc);
    policy *full = ident(doc);
    CHECK(full != NULL);
    policy_free(full);
    int truncated_refused = 1;
    for (size_t i = 0; i < len; i++) {
        policy *p = policy_parse(doc, i, POLICY_IDENTITY, NULL, err, sizeof err);
        if (p) truncated_refused = 0;
        policy_free(p);
    }
    CHECK(truncated_refused);

    char buf[1024];
    uint32_t seed = 12345;
    int parsed = 0;
    kv c[] = { { "aws:SourceIp", "10.1.2.3" }, { "aws:CurrentTime", "2026-01-01T00:00:00Z" }, { "s3:prefix", "abc" }, { 0 } };
    for (int round = 0; round < 20000; round++) {
        memcpy(buf, doc, len);
        int flips = 1 + round % 4;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            buf[at] = (char)(seed >> 16);
        }
        policy *p = policy_parse(buf, len, POLICY_IDENTITY, NULL, err, sizeof err);
        if (p) {
            parsed++;
            (void)ev(p, "s3:GetObject", "arn:aws:s3:::b/alice/x", "alice", c);
            (void)ev(p, "s3:ListBucket", NULL, NULL, NULL);
        }
        policy_free(p);
    }
    CHECK(parsed > 0);      /* some damage lands in string values and still parses */
}

int main(void)
{
    home_folder();
    secure_transport();
    source_ip();
    public_read();
    principals();
    dates();
    string_conditions();
    operator_semantics();
    not_elements();
    several_policies();
    patterns();
    admin_and_actions();
    malformed();
    garbage();
    return checks_report();
}
