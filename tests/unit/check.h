/* A minimal check harness shared by the C unit tests: failures print
 * file:line, and the program ends with "N passed, M failed". */
#ifndef CAIRN_TEST_CHECK_H
#define CAIRN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_passed, checks_failed;

#define CHECK(cond) do { \
    if (cond) checks_passed++; \
    else { checks_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* Equal C strings; a NULL got fails. Got and want are printed on lines of
 * their own so that long values (signatures, digests) line up. */
#define CHECK_STR(got, want) do { \
    const char *g_ = (got), *w_ = (want); \
    if (g_ && strcmp(g_, w_) == 0) checks_passed++; \
    else { \
        checks_failed++; \
        fprintf(stderr, "%s:%d: got \"%s\"\n    want \"%s\"\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_); \
    } \
} while (0)

static int checks_report(void)
{
    printf("%d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}

#endif
