/*
 * cli_iam — the identity commands of `cairn admin` (users, groups,
 * policies, service accounts).  cli_admin.c owns the connection and the
 * signing; this module turns words into admin API requests.
 */
#ifndef CAIRN_CLI_IAM_H
#define CAIRN_CLI_IAM_H

typedef struct cli_iam_ctx {
    /* sends one admin request and prints its answer; returns an exit code */
    int (*run)(void *arg, const char *method, const char *op, const char *query, const char *body);
    void *arg;
    const char *user, *group;        /* --user / --group */
    const char *policy_file;         /* --policy FILE */
    const char *secret;              /* --secret SK */
    const char *name;                /* --name N */
    long expiry_seconds;             /* --expiry SECONDS */
} cli_iam_ctx;

/* Runs words[0..nw) when words[0] is user|group|policy|svcacct; -1 otherwise. */
int cli_iam(const cli_iam_ctx *c, int nw, char **words);

#endif
