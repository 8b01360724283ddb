/*
 * iam_store — the IAM state as one JSON document in the metadata store
 * (system configuration "iam"): writing it whole after each change, and
 * reading it back at start.  Secrets in it are sealed (sts_seal) under
 * the key iam.c derives; a document that does not open or parse stops the
 * start rather than running without its users.
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

/* ---------- the persisted document ---------- */

json_t *iam_names_json(const names *ns)
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
        if (!json_is_string(v) || iam_names_add(ns, json_string_value(v)) != 0) return -1;
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
                                                   iam_names_json(&u->policies)));
        free(sealed);
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        group *g = m->groups[i];
        json_object_set_new(gs, g->name, json_pack("{s:s,s:o,s:o}", "status", g->enabled ? "enabled" : "disabled",
                                                   "members", iam_names_json(&g->members), "policies",
                                                   iam_names_json(&g->policies)));
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
        named_policy *p = json_is_string(v) ? iam_policy_new(k, json_string_value(v), json_string_length(v), 0, err,
                                                         sizeof err) : NULL;
        named_policy **arr = p ? iam_grow(m->policies, m->n_policies, sizeof *arr) : NULL;
        if (!arr) { iam_named_policy_free(p); why = "a stored policy does not parse"; goto out; }
        m->policies = arr;
        m->policies[m->n_policies++] = p;
    }
    json_object_foreach(json_object_get(root, "users"), k, v) {
        user *u = calloc(1, sizeof *u);
        user **arr = u ? iam_grow(m->users, m->n_users, sizeof *arr) : NULL;
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
        group **arr = g ? iam_grow(m->groups, m->n_groups, sizeof *arr) : NULL;
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
        svcacct **arr = s ? iam_grow(m->svcs, m->n_svcs, sizeof *arr) : NULL;
        if (!arr) { free(s); why = "out of memory"; goto out; }
        m->svcs = arr;
        m->svcs[m->n_svcs++] = s;
        const char *parent = NULL, *pol = NULL, *status = "enabled", *name = NULL, *desc = NULL;
        json_int_t exp = 0;
        s->access_key = strdup(k);
        s->secret = unseal_string(m, json_object_get(v, "secret"));
        if (!s->secret) { why = "stored secrets cannot be decrypted (was the root secret changed without CAIRN_KMS_SECRET_KEY?)"; goto out; }
        /* optional fields are written as null when unset */
        parent = json_string_value(json_object_get(v, "parent"));
        pol = json_string_value(json_object_get(v, "policy"));
        exp = json_integer_value(json_object_get(v, "expires"));
        if (json_is_string(json_object_get(v, "status"))) status = json_string_value(json_object_get(v, "status"));
        name = json_string_value(json_object_get(v, "name"));
        desc = json_string_value(json_object_get(v, "description"));
        if (!parent) { why = "a stored service account is malformed"; goto out; }
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

/* Reads the stored document into m (fresh: built-ins only).  Returns
 * ST_OK (also when there is none yet), the store's status when it cannot
 * be read now, or ST_CORRUPT with *why. */
store_status iam_read_state(iam *m, const char **why)
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
    if (s == ST_OK) iam_resolve_all(m);
    return s;
}

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
