/*
 * cli_iam — `cairn admin user|group|policy|svcacct ...`: the identity
 * commands, as requests to the admin API's IAM endpoints (admin_iam.c).
 * Answers print as the server's JSON.
 */
#include "cli_iam.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cairn admin: cannot read %s\n", path); return NULL; }
    char *buf = malloc(64 * 1024 + 1);
    size_t n = buf ? fread(buf, 1, 64 * 1024, f) : 0;
    int too_big = buf && !feof(f);
    fclose(f);
    if (!buf || too_big) { fprintf(stderr, "cairn admin: %s is larger than 64 KiB\n", path); free(buf); return NULL; }
    buf[n] = '\0';
    return buf;
}

/* "a=b&c=d" with each value percent-encoded. */
static void query_add(char *q, size_t cap, const char *name, const char *value)
{
    size_t n = strlen(q);
    n += (size_t)snprintf(q + n, n < cap ? cap - n : 0, "%s%s=", n ? "&" : "", name);
    for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
            q[n++] = (char)*p;
        else n += (size_t)snprintf(q + n, cap - n, "%%%02X", *p);
    }
    q[n < cap ? n : cap - 1] = '\0';
}

static int json_call(const cli_iam_ctx *c, const char *method, const char *op, const char *query, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    int rc = c->run(c->arg, method, op, query, s);
    free(s);
    return rc;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "cairn admin: %s\n", what);
    return 2;
}

static int user_cmd(const cli_iam_ctx *c, int nw, char **w)
{
    char q[1024] = "";
    const char *sub = nw > 1 ? w[1] : "";
    if (!strcmp(sub, "list") && nw == 2) return c->run(c->arg, "GET", "list-users", "", NULL);
    if (nw < 3) return usage_error("user add|rotate AK SK, user remove|enable|disable|info AK, user list");
    query_add(q, sizeof q, "accessKey", w[2]);
    if ((!strcmp(sub, "add") || !strcmp(sub, "rotate")) && nw == 4)
        return json_call(c, "PUT", "add-user", q, json_pack("{s:s}", "secretKey", w[3]));
    if (!strcmp(sub, "remove") && nw == 3) return c->run(c->arg, "DELETE", "remove-user", q, NULL);
    if (!strcmp(sub, "info") && nw == 3) return c->run(c->arg, "GET", "user-info", q, NULL);
    if ((!strcmp(sub, "enable") || !strcmp(sub, "disable")) && nw == 3) {
        query_add(q, sizeof q, "status", !strcmp(sub, "enable") ? "enabled" : "disabled");
        return c->run(c->arg, "PUT", "set-user-status", q, NULL);
    }
    return usage_error("user add|rotate AK SK, user remove|enable|disable|info AK, user list");
}

static int group_cmd(const cli_iam_ctx *c, int nw, char **w)
{
    char q[1024] = "";
    const char *sub = nw > 1 ? w[1] : "";
    if (!strcmp(sub, "list") && nw == 2) return c->run(c->arg, "GET", "groups", "", NULL);
    if (nw < 3) return usage_error("group add GROUP USER..., group remove GROUP [USER...], group info|enable|disable GROUP, group list");
    if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
        json_t *members = json_array();
        for (int i = 3; i < nw; i++) json_array_append_new(members, json_string(w[i]));
        if (!strcmp(sub, "add") && nw == 3) { json_decref(members); return usage_error("group add needs users"); }
        return json_call(c, "PUT", "update-group-members", "",
                         json_pack("{s:s,s:o,s:b}", "group", w[2], "members", members, "isRemove", !strcmp(sub, "remove")));
    }
    query_add(q, sizeof q, "group", w[2]);
    if (!strcmp(sub, "info") && nw == 3) return c->run(c->arg, "GET", "group", q, NULL);
    if ((!strcmp(sub, "enable") || !strcmp(sub, "disable")) && nw == 3) {
        query_add(q, sizeof q, "status", !strcmp(sub, "enable") ? "enabled" : "disabled");
        return c->run(c->arg, "PUT", "set-group-status", q, NULL);
    }
    return usage_error("group add GROUP USER..., group remove GROUP [USER...], group info|enable|disable GROUP, group list");
}

static int policy_cmd(const cli_iam_ctx *c, int nw, char **w)
{
    char q[1024] = "";
    const char *sub = nw > 1 ? w[1] : "";
    if (!strcmp(sub, "list") && nw == 2) return c->run(c->arg, "GET", "list-canned-policies", "", NULL);
    if (!strcmp(sub, "create") && nw == 4) {
        char *doc = read_file(w[3]);
        if (!doc) return 1;
        query_add(q, sizeof q, "name", w[2]);
        int rc = c->run(c->arg, "PUT", "add-canned-policy", q, doc);
        free(doc);
        return rc;
    }
    if (!strcmp(sub, "remove") && nw == 3) {
        query_add(q, sizeof q, "name", w[2]);
        return c->run(c->arg, "DELETE", "remove-canned-policy", q, NULL);
    }
    if (!strcmp(sub, "info") && nw == 3) {
        query_add(q, sizeof q, "name", w[2]);
        return c->run(c->arg, "GET", "info-canned-policy", q, NULL);
    }
    if (!strcmp(sub, "set") && (nw == 3 || nw == 2) && (!c->user != !c->group)) {
        query_add(q, sizeof q, "policyName", nw == 3 ? w[2] : "");
        query_add(q, sizeof q, "userOrGroup", c->user ? c->user : c->group);
        query_add(q, sizeof q, "isGroup", c->group ? "true" : "false");
        return c->run(c->arg, "PUT", "set-user-or-group-policy", q, NULL);
    }
    return usage_error("policy create NAME FILE, policy remove|info NAME, policy list, "
                       "policy set [P1,P2...] --user U | --group G");
}

static int svcacct_cmd(const cli_iam_ctx *c, int nw, char **w)
{
    char q[1024] = "";
    const char *sub = nw > 1 ? w[1] : "";
    if (!strcmp(sub, "list") && nw <= 3) {
        if (nw == 3) query_add(q, sizeof q, "user", w[2]);
        return c->run(c->arg, "GET", "list-service-accounts", q, NULL);
    }
    if (!strcmp(sub, "add") && nw == 3) {
        json_t *b = json_pack("{s:s}", "targetUser", w[2]);
        if (c->policy_file) {
            char *doc = read_file(c->policy_file);
            if (!doc) { json_decref(b); return 1; }
            json_object_set_new(b, "policy", json_string(doc));
            free(doc);
        }
        if (c->expiry_seconds > 0)
            json_object_set_new(b, "expiration", json_integer((json_int_t)(time(NULL) + c->expiry_seconds)));
        if (c->name) json_object_set_new(b, "name", json_string(c->name));
        return json_call(c, "PUT", "add-service-account", "", b);
    }
    if (nw != 3) return usage_error("svcacct add PARENT [--policy FILE] [--expiry SECONDS] [--name N], "
                                    "svcacct list [USER], svcacct info|remove|enable|disable AK, "
                                    "svcacct edit AK [--secret SK] [--policy FILE]");
    query_add(q, sizeof q, "accessKey", w[2]);
    if (!strcmp(sub, "info")) return c->run(c->arg, "GET", "info-service-account", q, NULL);
    if (!strcmp(sub, "remove")) return c->run(c->arg, "DELETE", "delete-service-account", q, NULL);
    json_t *b = json_object();
    if (!strcmp(sub, "enable") || !strcmp(sub, "disable")) {
        json_object_set_new(b, "newStatus", json_string(!strcmp(sub, "enable") ? "enabled" : "disabled"));
    } else if (!strcmp(sub, "edit")) {
        if (c->secret) json_object_set_new(b, "newSecretKey", json_string(c->secret));
        if (c->policy_file) {
            char *doc = read_file(c->policy_file);
            if (!doc) { json_decref(b); return 1; }
            json_object_set_new(b, "newPolicy", json_string(doc));
            free(doc);
        }
    } else {
        json_decref(b);
        return usage_error("unknown svcacct command");
    }
    return json_call(c, "POST", "update-service-account", q, b);
}

int cli_iam(const cli_iam_ctx *c, int nw, char **words)
{
    if (!strcmp(words[0], "user")) return user_cmd(c, nw, words);
    if (!strcmp(words[0], "group")) return group_cmd(c, nw, words);
    if (!strcmp(words[0], "policy")) return policy_cmd(c, nw, words);
    if (!strcmp(words[0], "svcacct")) return svcacct_cmd(c, nw, words);
    return -1;
}
