/* timefmt - the two date formats cairn writes on every response and
 * listing entry: HTTP's IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and
 * S3's ISO 8601 with milliseconds ("2009-10-12T17:50:30.000Z").
 *
 * Computed from the day count (proleptic Gregorian calendar) instead of
 * gmtime_r + strftime/snprintf: both showed up in profiles of small GETs
 * and of listings.  Always UTC; no locale. */
#ifndef CAIRN_TIMEFMT_H
#define CAIRN_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum { HTTP_DATE_LEN = 29, ISO8601_MS_LEN = 24 };

/* out needs cap >= HTTP_DATE_LEN + 1; a smaller cap gets "". */
void format_http_date(time_t t, char *out, size_t cap);
/* out needs cap >= ISO8601_MS_LEN + 1; negative times print as the epoch. */
void format_iso8601_ms(int64_t ns, char *out, size_t cap);

#endif
