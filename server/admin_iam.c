/*
 * admin_iam — the admin API's identity endpoints (paths after
 * /minio/admin/v3/, named as MinIO names them; bodies are plain JSON):
 *
 *   GET    list-users                         users, status, policies, groups
 *   GET    user-info?accessKey=U
 *   PUT    add-user?accessKey=U               {"secretKey": S[, "status": "enabled"|"disabled"]}
 *                                             (an existing user's secret is rotated)
 *   PUT    set-user-status?accessKey=U&status=enabled|disabled
 *   DELETE remove-user?accessKey=U            (its service accounts go too)
 *   PUT    update-group-members               {"group": G, "members": [U...], "isRemove": bool}
 *                                             (isRemove with no members removes an empty group)
 *   GET    groups | group?group=G
 *   PUT    set-group-status?group=G&status=enabled|disabled
 *   GET    list-canned-policies | info-canned-policy?name=P
 *   PUT    add-canned-policy?name=P           the policy document
 *   DELETE remove-canned-policy?name=P
 *   PUT    set-user-or-group-policy?policyName=P1,P2&userOrGroup=X&isGroup=true|false
 *   PUT    add-service-account                {"targetUser": U, "accessKey", "secretKey", "policy",
 *                                              "expiration" (unix seconds), "name", "description"}
 *                                             answers the credentials: the only time a secret
 *                                             leaves the server
 *   GET    list-service-accounts[?user=U] | info-service-account?accessKey=K
 *   POST   update-service-account?accessKey=K {"newStatus", "newSecretKey", "newPolicy", "newExpiration"}
 *   DELETE delete-service-account?accessKey=K
 *
 * Each maps to a MinIO admin action (admin:CreateUser, ...) that the
 * caller's policies must allow; a user may manage its own service
 * accounts without one.  A change answers once the IAM document is
 * durable.
 */
#include "admin_iam.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../s3api/parse.h"

typedef struct iam_route {
    const char *op, *method, *action;
} iam_route;

static const iam_route routes[] = {
    { "list-users", "GET", "admin:ListUsers" },
    { "user-info", "GET", "admin:GetUser" },
    { "add-user", "PUT", "admin:CreateUser" },
    { "set-user-status", "PUT", "admin:EnableUser" },
    { "remove-user", "DELETE", "admin:DeleteUser" },
    { "update-group-members", "PUT", "admin:AddUserToGroup" },
    { "groups", "GET", "admin:ListGroups" },
    { "group", "GET", "admin:GetGroup" },
    { "set-group-status", "PUT", "admin:EnableGroup" },
    { "list-canned-policies", "GET", "admin:ListUserPolicies" },
    { "info-canned-policy", "GET", "admin:GetPolicy" },
    { "add-canned-policy", "PUT", "admin:CreatePolicy" },
    { "remove-canned-policy", "DELETE", "admin:DeletePolicy" },
    { "set-user-or-group-policy", "PUT", "admin:AttachUserOrGroupPolicy" },
    { "add-service-account", "PUT", "admin:CreateServiceAccount" },
    { "list-service-accounts", "GET", "admin:ListServiceAccounts" },
    { "info-service-account", "GET", "admin:ListServiceAccounts" },
    { "update-service-account", "POST", "admin:UpdateServiceAccount" },
    { "delete-service-account", "DELETE", "admin:RemoveServiceAccount" },
};

static const iam_route *route_of(const char *op)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].op, op) == 0) return &routes[i];
    return NULL;
}

const char *admin_iam_action(const char *op, const char *method)
{
    const iam_route *rt = route_of(op);
    if (!rt) return NULL;
    if (strcmp(rt->method, method) != 0) return "";
    return rt->action;
}

static const char *q(http_exchange *ex, const char *name)
{
    arena *a = http_arena(ex);
    const char *raw = admin_query_value(a, http_req(ex)->query, name);
    if (!raw) return NULL;
    size_t len;
    char *v = url_decode(a, raw, strlen(raw), 1, &len);
    return v && strlen(v) == len ? v : NULL;
}

typedef struct pending {
    http_exchange *ex;
    json_t *answer;              /* sent when the state is durable */
} pending;

static void saved(void *arg, int ok)
{
    pending *p = arg;
    if (!http_is_aborted(p->ex)) {
        if (ok) admin_reply_json(p->ex, 200, p->answer);
        else {
            json_decref(p->answer);
            admin_reply_error(p->ex, 503, "XMinioStorageFull", "the IAM state could not be written; nothing changed on disk");
        }
    } else {
        json_decref(p->answer);
    }
    http_release(p->ex);
    free(p);
}

/* After a successful mutation: persist, then answer. */
static void commit(const admin_config *c, http_exchange *ex, json_t *answer)
{
    pending *p = malloc(sizeof *p);
    if (!p) { json_decref(answer); admin_reply_error(ex, 500, "InternalError", "out of memory"); return; }
    p->ex = ex;
    p->answer = answer ? answer : json_pack("{s:s}", "status", "ok");
    http_hold(ex);
    iam_save(c->iam, saved, p);
}

static void view(http_exchange *ex, char *json, int status, const char *what)
{
    if (!json) { admin_reply_error(ex, status ? status : 500, status == 404 ? "NotFound" : "InternalError", what); return; }
    json_t *j = json_loads(json, 0, NULL);
    free(json);
    admin_reply_json(ex, 200, j ? j : json_object());
}

static int status_flag(const char *s)
{
    if (!s) return -1;
    if (!strcmp(s, "enabled")) return 1;
    if (!strcmp(s, "disabled")) return 0;
    return -1;
}

static void done(const admin_config *c, http_exchange *ex, const char *why, int status, json_t *answer)
{
    if (why) {
        json_decref(answer);
        const char *code = !strncmp(why, "MalformedPolicy: ", 17) ? "MalformedPolicy"
                           : status == 404 ? "NotFound" : status == 409 ? "Conflict" : "InvalidArgument";
        admin_reply_error(ex, status, code, !strncmp(why, "MalformedPolicy: ", 17) ? why + 17 : why);
        return;
    }
    commit(c, ex, answer);
}

static const char *json_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A policy given as a JSON object or as its text; into the arena. */
static const char *policy_text(http_exchange *ex, json_t *v, size_t *len)
{
    if (json_is_string(v)) {
        *len = json_string_length(v);
        return json_string_value(v);
    }
    if (!json_is_object(v)) return NULL;
    char *s = json_dumps(v, JSON_COMPACT);
    if (!s) return NULL;
    char *out = arena_strdup(http_arena(ex), s);
    free(s);
    *len = strlen(out);
    return out;
}

static void add_service_account(const admin_config *c, http_exchange *ex, const char *body, size_t len,
                                const iam_identity *caller)
{
    json_t *j = json_loadb(body ? body : "{}", body ? len : 2, 0, NULL);
    if (!json_is_object(j)) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "the body must be a JSON object"); return; }
    iam_svcacct_spec spec = { .parent = json_str(j, "targetUser"), .access_key = json_str(j, "accessKey"),
                              .secret_key = json_str(j, "secretKey"), .name = json_str(j, "name"),
                              .description = json_str(j, "description") };
    if (!spec.parent || !*spec.parent) spec.parent = caller->username;
    json_t *pol = json_object_get(j, "policy");
    if (pol && !json_is_null(pol)) {
        spec.policy = policy_text(ex, pol, &spec.policy_len);
        if (!spec.policy) { json_decref(j); admin_reply_error(ex, 400, "MalformedPolicy", "policy must be a JSON policy document"); return; }
    }
    json_t *exp = json_object_get(j, "expiration");
    if (json_is_integer(exp)) spec.expires = json_integer_value(exp);
    else if (exp && !json_is_null(exp)) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "expiration must be unix seconds"); return; }
    char ak[IAM_MAX_KEY + 1], sk[IAM_MAX_SECRET + 1];
    int status = 200;
    const char *why = iam_svcacct_add(c->iam, &spec, (int64_t)time(NULL), ak, sk, &status);
    json_decref(j);
    json_t *answer = why ? NULL : json_pack("{s:{s:s,s:s,s:I}}", "credentials", "accessKey", ak, "secretKey", sk,
                                            "expiration", (json_int_t)spec.expires);
    done(c, ex, why, status, answer);
}

static void update_service_account(const admin_config *c, http_exchange *ex, const char *ak, const char *body,
                                   size_t len)
{
    json_t *j = json_loadb(body ? body : "{}", body ? len : 2, 0, NULL);
    if (!json_is_object(j)) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "the body must be a JSON object"); return; }
    const char *st = json_str(j, "newStatus");
    int enabled = st ? status_flag(st) : -1;
    if (st && enabled < 0) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "newStatus must be enabled or disabled"); return; }
    const char *pol = NULL;
    size_t pol_len = 0;
    json_t *pv = json_object_get(j, "newPolicy");
    if (pv && !json_is_null(pv)) {
        pol = policy_text(ex, pv, &pol_len);
        if (!pol) { json_decref(j); admin_reply_error(ex, 400, "MalformedPolicy", "newPolicy must be a JSON policy document"); return; }
    }
    json_t *ev = json_object_get(j, "newExpiration");
    int64_t expires = json_is_integer(ev) ? json_integer_value(ev) : -1;
    int status = 200;
    const char *why = iam_svcacct_update(c->iam, ak, enabled, json_str(j, "newSecretKey"), pol, pol_len, expires, &status);
    json_decref(j);
    done(c, ex, why, status, NULL);
}

static void update_group(const admin_config *c, http_exchange *ex, const char *body, size_t len)
{
    json_t *j = json_loadb(body ? body : "{}", body ? len : 2, 0, NULL);
    const char *g = json_is_object(j) ? json_str(j, "group") : NULL;
    json_t *members = json_is_object(j) ? json_object_get(j, "members") : NULL;
    if (!g || (members && !json_is_array(members)) || json_array_size(members) > 1000) {
        json_decref(j);
        admin_reply_error(ex, 400, "InvalidArgument", "the body must be {\"group\": NAME, \"members\": [USER...], \"isRemove\": bool}");
        return;
    }
    size_t n = json_array_size(members);
    const char **names = arena_alloc(http_arena(ex), (n + 1) * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(members, i));
        if (!names[i]) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "members must be user names"); return; }
    }
    int remove = json_is_true(json_object_get(j, "isRemove"));
    int status = 200;
    const char *why = remove && n == 0 ? iam_group_remove(c->iam, g, &status)
                                       : iam_group_members(c->iam, g, names, n, remove, &status);
    json_decref(j);
    done(c, ex, why, status, NULL);
}

/* A user's own service accounts need no admin permission. */
static int own_service_account(const admin_config *c, const char *op, http_exchange *ex, const char *body,
                               size_t len, const iam_identity *caller)
{
    if (caller->kind != IAM_USER) return 0;
    if (!strcmp(op, "add-service-account")) {
        json_t *j = json_loadb(body ? body : "{}", body ? len : 2, 0, NULL);
        const char *t = json_is_object(j) ? json_str(j, "targetUser") : NULL;
        int own = !t || !*t || !strcmp(t, caller->username);
        json_decref(j);
        return own;
    }
    if (!strcmp(op, "list-service-accounts")) {
        const char *u = q(ex, "user");
        return !u || !*u || !strcmp(u, caller->username);
    }
    const char *ak = q(ex, "accessKey");
    if (!ak) return 0;
    int status;
    char *info = iam_json_svcacct(c->iam, ak, &status);
    if (!info) return 0;
    json_t *j = json_loads(info, 0, NULL);
    free(info);
    int own = json_str(j, "parentUser") && !strcmp(json_str(j, "parentUser"), caller->username);
    json_decref(j);
    return own;
}

int admin_iam_may(const admin_config *c, const char *op, http_exchange *ex, const char *body, size_t len,
                  const iam_identity *caller)
{
    const char *action = admin_iam_action(op, http_req(ex)->method);
    if (!action || !*action) return 1;   /* unknown: the dispatcher answers */
    if (strstr(op, "service-account") && own_service_account(c, op, ex, body, len, caller)) return 1;
    policy_request req = { .action = action, .resource = "arn:aws:s3:::*" };
    return iam_authorize(c->iam, caller, NULL, &req);
}

int admin_iam_handle(const admin_config *c, http_exchange *ex, const char *op, const char *body, size_t len,
                     const iam_identity *caller)
{
    const char *action = admin_iam_action(op, http_req(ex)->method);
    if (!action) return 0;
    if (!*action) {
        admin_reply_error(ex, 405, "MethodNotAllowed", "this method is not allowed on this admin resource");
        return 1;
    }
    if (!iam_ready(c->iam, (int64_t)time(NULL))) {
        admin_reply_error(ex, 503, "XMinioServerNotInitialized",
                          "the IAM state cannot be read yet (too few drives online); retry later");
        return 1;
    }
    int status = 200;
    if (!strcmp(op, "list-users")) view(ex, iam_json_users(c->iam), 0, "");
    else if (!strcmp(op, "user-info")) view(ex, q(ex, "accessKey") ? iam_json_user(c->iam, q(ex, "accessKey"), &status) : NULL, 404, "no such user");
    else if (!strcmp(op, "groups")) view(ex, iam_json_groups(c->iam), 0, "");
    else if (!strcmp(op, "group")) view(ex, q(ex, "group") ? iam_json_group(c->iam, q(ex, "group"), &status) : NULL, 404, "no such group");
    else if (!strcmp(op, "list-canned-policies")) view(ex, iam_json_policies(c->iam), 0, "");
    else if (!strcmp(op, "info-canned-policy")) view(ex, q(ex, "name") ? iam_json_policy(c->iam, q(ex, "name"), &status) : NULL, 404, "no such policy");
    else if (!strcmp(op, "list-service-accounts")) {
        const char *u = q(ex, "user");
        if ((!u || !*u) && caller->kind == IAM_USER) u = caller->username;
        view(ex, iam_json_svcaccts(c->iam, u && *u ? u : NULL), 0, "");
    } else if (!strcmp(op, "info-service-account")) {
        view(ex, q(ex, "accessKey") ? iam_json_svcacct(c->iam, q(ex, "accessKey"), &status) : NULL, 404, "no such service account");
    } else if (!strcmp(op, "add-user")) {
        const char *ak = q(ex, "accessKey");
        json_t *j = json_loadb(body ? body : "", body ? len : 0, 0, NULL);
        const char *sk = json_is_object(j) ? json_str(j, "secretKey") : NULL;
        int enabled = json_str(j, "status") ? status_flag(json_str(j, "status")) : 1;
        const char *why = NULL;
        if (!ak || !sk) { why = "add-user needs ?accessKey= and a body {\"secretKey\": ...}"; status = 400; }
        else if (enabled < 0) { why = "status must be enabled or disabled"; status = 400; }
        else why = iam_user_set(c->iam, ak, sk, &status);
        if (!why && !enabled) why = iam_user_set_enabled(c->iam, ak, 0, &status);
        json_decref(j);
        done(c, ex, why, status, NULL);
    } else if (!strcmp(op, "set-user-status") || !strcmp(op, "set-group-status")) {
        int user = op[4] == 'u';
        const char *name = q(ex, user ? "accessKey" : "group");
        int en = status_flag(q(ex, "status"));
        const char *why = NULL;
        if (!name || en < 0) { why = "needs the name and status=enabled|disabled"; status = 400; }
        else why = user ? iam_user_set_enabled(c->iam, name, en, &status) : iam_group_set_enabled(c->iam, name, en, &status);
        done(c, ex, why, status, NULL);
    } else if (!strcmp(op, "remove-user")) {
        const char *ak = q(ex, "accessKey");
        const char *why = ak ? iam_user_remove(c->iam, ak, &status) : "needs ?accessKey=";
        done(c, ex, why, ak ? status : 400, NULL);
    } else if (!strcmp(op, "update-group-members")) {
        update_group(c, ex, body, len);
    } else if (!strcmp(op, "add-canned-policy")) {
        const char *name = q(ex, "name");
        const char *why = name ? iam_policy_put(c->iam, name, body ? body : "", body ? len : 0, &status) : "needs ?name=";
        done(c, ex, why, name ? status : 400, NULL);
    } else if (!strcmp(op, "remove-canned-policy")) {
        const char *name = q(ex, "name");
        const char *why = name ? iam_policy_remove(c->iam, name, &status) : "needs ?name=";
        done(c, ex, why, name ? status : 400, NULL);
    } else if (!strcmp(op, "set-user-or-group-policy")) {
        const char *names = q(ex, "policyName"), *entity = q(ex, "userOrGroup"), *is_group = q(ex, "isGroup");
        const char *why = !names || !entity ? "needs ?policyName=&userOrGroup=" : NULL;
        if (why) status = 400;
        else why = iam_policy_attach(c->iam, names, entity, is_group && !strcmp(is_group, "true"), &status);
        done(c, ex, why, status, NULL);
    } else if (!strcmp(op, "add-service-account")) {
        add_service_account(c, ex, body, len, caller);
    } else if (!strcmp(op, "update-service-account")) {
        const char *ak = q(ex, "accessKey");
        if (!ak) admin_reply_error(ex, 400, "InvalidArgument", "needs ?accessKey=");
        else update_service_account(c, ex, ak, body, len);
    } else if (!strcmp(op, "delete-service-account")) {
        const char *ak = q(ex, "accessKey");
        const char *why = ak ? iam_svcacct_remove(c->iam, ak, &status) : "needs ?accessKey=";
        done(c, ex, why, ak ? status : 400, NULL);
    }
    return 1;
}
