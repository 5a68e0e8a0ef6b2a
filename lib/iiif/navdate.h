/*
 * navdate.h: dates as the Presentation API's navDate wants them. Pure.
 */
#ifndef TS_IIIF_NAVDATE_H
#define TS_IIIF_NAVDATE_H

/**
 * Normalises date text ("1856", "1856-03", "1856-03-01",
 * "1856-03-01T10:00:00" with an optional zone) to xsd:dateTime in UTC
 * ("1856-03-01T00:00:00Z"). Returns 0, or -1 when it is not such a date.
 */
int iiif_navdate(const char *in, char out[32]);

#endif
