/*
 * cli_admin — `cairn admin ...`: the admin API's command-line client.
 * Plain blocking HTTP/1.1 over a socket (it runs in its own short-lived
 * process, never in the server), each request SigV4-signed by opsauth.h.
 */
#ifndef CAIRN_CLI_ADMIN_H
#define CAIRN_CLI_ADMIN_H

int cli_admin(int argc, char **argv);

#endif
