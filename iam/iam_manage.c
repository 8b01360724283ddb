/*
 * iam_manage — the admin API's changes to users, groups, named policies
 * and service accounts, each validated before it touches the state, and
 * the JSON views of them (which never contain a secret).  The caller
 * persists with iam_save once a change succeeded.
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

/* ---------- mutations ---------- */

const char *iam_user_set(iam *m, const char *name, const char *secret, int *status)
{
    if (!iam_valid_name(name, 3)) return iam_fail(status, 400, "the access key must be 3-128 printable characters without , / \\ \" or spaces");
    if (!iam_valid_secret(secret)) return iam_fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
    if (strcmp(name, m->root_ak) == 0) return iam_fail(status, 409, "the root user is not managed through IAM");
    if (iam_find_svc(m, name)) return iam_fail(status, 409, "a service account already uses this access key");
    user *u = iam_find_user(m, name);
    if (u) {   /* rotation: the same user, a new secret */
        char *s = strdup(secret);
        if (!s) return iam_fail(status, 500, "out of memory");
        OPENSSL_cleanse(u->secret, strlen(u->secret));
        free(u->secret);
        u->secret = s;
        return NULL;
    }
    u = calloc(1, sizeof *u);
    user **arr = u ? iam_grow(m->users, m->n_users, sizeof *arr) : NULL;
    if (!arr || !(u->name = strdup(name)) || !(u->secret = strdup(secret))) {
        if (u) { free(u->name); free(u); }
        return iam_fail(status, 500, "out of memory");
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
        iam_user_free(m->users[i]);
        m->users[i] = m->users[--m->n_users];
        for (size_t g = 0; g < m->n_groups; g++) iam_names_del(&m->groups[g]->members, name);
        /* a user's keys go with it */
        for (size_t s = 0; s < m->n_svcs;) {
            if (strcmp(m->svcs[s]->parent, name) == 0) {
                iam_svc_free(m->svcs[s]);
                m->svcs[s] = m->svcs[--m->n_svcs];
            } else {
                s++;
            }
        }
        return NULL;
    }
    return iam_fail(status, 404, "no such user");
}

const char *iam_user_set_enabled(iam *m, const char *name, int enabled, int *status)
{
    user *u = iam_find_user(m, name);
    if (!u) return iam_fail(status, 404, "no such user");
    u->enabled = enabled;
    return NULL;
}

const char *iam_group_members(iam *m, const char *gname, const char *const *members, size_t n, int remove, int *status)
{
    if (!iam_valid_name(gname, 1)) return iam_fail(status, 400, "the group name must be 1-128 printable characters without , / \\ \" or spaces");
    for (size_t i = 0; i < n; i++)
        if (!iam_find_user(m, members[i])) return iam_fail(status, 404, "no such user (a group's members must be users)");
    group *g = iam_find_group(m, gname);
    if (!g) {
        if (remove) return iam_fail(status, 404, "no such group");
        g = calloc(1, sizeof *g);
        group **arr = g ? iam_grow(m->groups, m->n_groups, sizeof *arr) : NULL;
        if (!arr || !(g->name = strdup(gname))) { free(g); return iam_fail(status, 500, "out of memory"); }
        g->enabled = 1;
        m->groups = arr;
        m->groups[m->n_groups++] = g;
    }
    for (size_t i = 0; i < n; i++) {
        if (remove) iam_names_del(&g->members, members[i]);
        else if (iam_names_add(&g->members, members[i]) != 0) return iam_fail(status, 500, "out of memory");
    }
    iam_resolve_all(m);
    return NULL;
}

const char *iam_group_set_enabled(iam *m, const char *gname, int enabled, int *status)
{
    group *g = iam_find_group(m, gname);
    if (!g) return iam_fail(status, 404, "no such group");
    g->enabled = enabled;
    iam_resolve_all(m);
    return NULL;
}

const char *iam_group_remove(iam *m, const char *gname, int *status)
{
    for (size_t i = 0; i < m->n_groups; i++) {
        if (strcmp(m->groups[i]->name, gname) != 0) continue;
        if (m->groups[i]->members.n) return iam_fail(status, 409, "the group has members; remove them first");
        iam_group_free(m->groups[i]);
        m->groups[i] = m->groups[--m->n_groups];
        return NULL;
    }
    return iam_fail(status, 404, "no such group");
}

static int policy_in_use(const iam *m, const char *name)
{
    for (size_t i = 0; i < m->n_users; i++) if (iam_names_has(&m->users[i]->policies, name)) return 1;
    for (size_t i = 0; i < m->n_groups; i++) if (iam_names_has(&m->groups[i]->policies, name)) return 1;
    return 0;
}

static char policy_error[300];

const char *iam_policy_put(iam *m, const char *name, const char *doc, size_t len, int *status)
{
    if (!iam_valid_name(name, 1)) return iam_fail(status, 400, "the policy name must be 1-128 printable characters without , / \\ \" or spaces");
    named_policy *old = iam_find_policy(m, name);
    if (old && old->builtin) return iam_fail(status, 409, "built-in policies cannot be replaced");
    char err[256];
    named_policy *p = iam_policy_new(name, doc, len, 0, err, sizeof err);
    if (!p) {
        snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
        return iam_fail(status, 400, policy_error);
    }
    if (old) {
        for (size_t i = 0; i < m->n_policies; i++) if (m->policies[i] == old) m->policies[i] = p;
        iam_named_policy_free(old);
    } else {
        named_policy **arr = iam_grow(m->policies, m->n_policies, sizeof *arr);
        if (!arr) { iam_named_policy_free(p); return iam_fail(status, 500, "out of memory"); }
        m->policies = arr;
        m->policies[m->n_policies++] = p;
    }
    iam_resolve_all(m);
    return NULL;
}

const char *iam_policy_remove(iam *m, const char *name, int *status)
{
    for (size_t i = 0; i < m->n_policies; i++) {
        named_policy *p = m->policies[i];
        if (strcmp(p->name, name) != 0) continue;
        if (p->builtin) return iam_fail(status, 409, "built-in policies cannot be removed");
        if (policy_in_use(m, name)) return iam_fail(status, 409, "the policy is attached to a user or group; detach it first");
        iam_named_policy_free(p);
        m->policies[i] = m->policies[--m->n_policies];
        return NULL;
    }
    return iam_fail(status, 404, "no such policy");
}

const char *iam_policy_attach(iam *m, const char *list, const char *entity, int is_group, int *status)
{
    names *target;
    if (is_group) {
        group *g = iam_find_group(m, entity);
        if (!g) return iam_fail(status, 404, "no such group");
        target = &g->policies;
    } else {
        user *u = iam_find_user(m, entity);
        if (!u) return iam_fail(status, 404, "no such user");
        target = &u->policies;
    }
    names next = { 0 };
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char name[IAM_MAX_KEY + 1];
        if (n && n <= IAM_MAX_KEY) {
            memcpy(name, p, n);
            name[n] = '\0';
            if (!iam_find_policy(m, name)) { iam_names_free(&next); return iam_fail(status, 404, "no such policy"); }
            if (iam_names_add(&next, name) != 0) { iam_names_free(&next); return iam_fail(status, 500, "out of memory"); }
        } else if (n) {
            iam_names_free(&next);
            return iam_fail(status, 400, "policy name too long");
        }
        p += n;
        if (*p == ',') p++;
    }
    iam_names_free(target);
    *target = next;
    iam_resolve_all(m);
    return NULL;
}

const char *iam_svcacct_add(iam *m, const iam_svcacct_spec *spec, int64_t now, char out_ak[IAM_MAX_KEY + 1],
                            char out_sk[IAM_MAX_SECRET + 1], int *status)
{
    if (strcmp(spec->parent, m->root_ak) != 0 && !iam_find_user(m, spec->parent))
        return iam_fail(status, 404, "no such user (a service account's parent must be a user or root)");
    if (spec->expires && spec->expires <= now) return iam_fail(status, 400, "the expiry must be in the future");
    if (spec->access_key) {
        if (!iam_valid_name(spec->access_key, 3)) return iam_fail(status, 400, "the access key must be 3-128 printable characters without , / \\ \" or spaces");
        if (iam_key_taken(m, spec->access_key)) return iam_fail(status, 409, "the access key is already in use");
        snprintf(out_ak, IAM_MAX_KEY + 1, "%s", spec->access_key);
    } else {
        do iam_random_string(out_ak, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"); while (iam_key_taken(m, out_ak));
    }
    if (spec->secret_key) {
        if (!iam_valid_secret(spec->secret_key)) return iam_fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
        snprintf(out_sk, IAM_MAX_SECRET + 1, "%s", spec->secret_key);
    } else {
        iam_random_string(out_sk, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    }
    policy *compiled = NULL;
    if (spec->policy && spec->policy_len) {
        char err[256];
        if (!(compiled = policy_parse(spec->policy, spec->policy_len, POLICY_IDENTITY, NULL, err, sizeof err))) {
            snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
            return iam_fail(status, 400, policy_error);
        }
    }
    svcacct *s = calloc(1, sizeof *s);
    svcacct **arr = s ? iam_grow(m->svcs, m->n_svcs, sizeof *arr) : NULL;
    if (!arr) { free(s); policy_free(compiled); return iam_fail(status, 500, "out of memory"); }
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
    if (!s->access_key || !s->secret || !s->parent) return iam_fail(status, 500, "out of memory");
    return NULL;
}

const char *iam_svcacct_update(iam *m, const char *ak, int enabled, const char *secret, const char *pol,
                               size_t pol_len, int64_t expires, int *status)
{
    svcacct *s = iam_find_svc(m, ak);
    if (!s) return iam_fail(status, 404, "no such service account");
    if (secret && !iam_valid_secret(secret)) return iam_fail(status, 400, "the secret key must be 8-128 printable characters without spaces");
    policy *compiled = NULL;
    if (pol && pol_len) {
        char err[256];
        if (!(compiled = policy_parse(pol, pol_len, POLICY_IDENTITY, NULL, err, sizeof err))) {
            snprintf(policy_error, sizeof policy_error, "MalformedPolicy: %s", err);
            return iam_fail(status, 400, policy_error);
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
        if (!s->secret) return iam_fail(status, 500, "out of memory");
    }
    if (enabled >= 0) s->enabled = enabled;
    if (expires >= 0) s->expires = expires;
    return NULL;
}

const char *iam_svcacct_remove(iam *m, const char *ak, int *status)
{
    for (size_t i = 0; i < m->n_svcs; i++) {
        if (strcmp(m->svcs[i]->access_key, ak) != 0) continue;
        iam_svc_free(m->svcs[i]);
        m->svcs[i] = m->svcs[--m->n_svcs];
        return NULL;
    }
    return iam_fail(status, 404, "no such service account");
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
        if (iam_names_has(&m->groups[g]->members, user_name)) json_array_append_new(a, json_string(m->groups[g]->name));
    return a;
}

static json_t *user_json(const iam *m, const user *u)
{
    return json_pack("{s:s,s:s,s:o,s:o}", "accessKey", u->name, "status", u->enabled ? "enabled" : "disabled",
                     "policies", iam_names_json(&u->policies), "memberOf", groups_of(m, u->name));
}

char *iam_json_users(iam *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n_users; i++) json_object_set_new(o, m->users[i]->name, user_json(m, m->users[i]));
    return dump(json_pack("{s:o}", "users", o));
}

char *iam_json_user(iam *m, const char *name, int *status)
{
    user *u = iam_find_user(m, name);
    if (!u) { *status = 404; return NULL; }
    return dump(user_json(m, u));
}

static json_t *group_json(const group *g)
{
    return json_pack("{s:s,s:s,s:o,s:o}", "name", g->name, "status", g->enabled ? "enabled" : "disabled", "members",
                     iam_names_json(&g->members), "policies", iam_names_json(&g->policies));
}

char *iam_json_groups(iam *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n_groups; i++) json_object_set_new(o, m->groups[i]->name, group_json(m->groups[i]));
    return dump(json_pack("{s:o}", "groups", o));
}

char *iam_json_group(iam *m, const char *name, int *status)
{
    group *g = iam_find_group(m, name);
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
    named_policy *p = iam_find_policy(m, name);
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
    svcacct *s = iam_find_svc(m, ak);
    if (!s) { *status = 404; return NULL; }
    return dump(svc_json(s));
}
