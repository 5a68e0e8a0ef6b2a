/*
 * test_squery.c: Content Search requests (anno/query.h), table-driven.
 */
#include <stdio.h>
#include <string.h>

#include "anno/query.h"
#include "t.h"

/* The parsed query as text: terms ("w", "w*", "\"a b\""), then |motivations|dates|page|ignored. */
static const char *show(const struct ts_squery *q)
{
    static char out[1024];
    out[0] = '\0';
    for (int i = 0; i < q->n_terms; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s%s%s", i ? " " : "",
                 q->terms[i].phrase ? "\"" : "", q->terms[i].text, q->terms[i].phrase ? "\"" : "",
                 q->terms[i].prefix ? "*" : "");
    snprintf(out + strlen(out), sizeof(out) - strlen(out), "|");
    for (int i = 0; i < q->n_motivations; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "", q->motivations[i]);
    snprintf(out + strlen(out), sizeof(out) - strlen(out), "|%d|%ld|", q->n_dates, q->page);
    for (int i = 0; i < q->n_ignored; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "", q->ignored[i]);
    return out;
}

int main(void)
{
    static const struct {
        const char *qs, *want;   /* want: show() of the result, or "!" + words of the reason */
    } cases[] = {
        {"q=bird", "bird||0|1|"},
        {"q=bird+hand", "bird hand||0|1|"},
        {"q=%22a+bird+in%22", "\"a bird in\"||0|1|"},
        {"q=%22bird%22", "bird||0|1|"},
        {"q=bir*+%22two  birds%22", "bir* \"two birds\"||0|1|"},
        {"q=bird&motivation=painting+supplementing", "bird|painting,supplementing|0|1|"},
        {"motivation=commenting", "|commenting|0|1|"},
        {"q=bird&page=3", "bird||0|3|"},
        {"q=bird&user=http%3A%2F%2Fx&box=1,2,3,4&user=y&callback=f", "bird||0|1|user,box,callback"},
        {"q=bird&date=2017-01-01T00:00:00Z/2017-12-31T23:59:59Z+2020-02-29T00:00:00Z/2020-03-01T00:00:00Z",
         "bird||2|1|"},
        {"q=bird&q=fish", "bird||0|1|"},
        {"q=bird&date=1900-01-01T00:00:00Z/1969-12-31T23:59:59Z", "bird||1|1|"},
        {"", "!needs words"},
        {"q=", "!needs words"},
        {"q=+++", "!needs words"},
        {"q=%22open", "!not closed"},
        {"q=bird&motivation=liking", "!unknown motivation 'liking'"},
        {"q=bird&page=0", "!page is a number"},
        {"q=bird&page=x", "!page is a number"},
        {"q=bird&date=2017-01-01/2017-12-31", "!a date range"},
        {"q=bird&date=2017-12-31T00:00:00Z/2017-01-01T00:00:00Z", "!earliest first"},
        {"q=bird&date=2019-02-29T00:00:00Z/2019-03-01T00:00:00Z", "!a date range"},
        {"q=%zz", "!malformed"},
        {"q=1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+16+17", "!at most 16 terms"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_squery q;
        struct ts_error err;
        int rc = ts_squery_parse(cases[i].qs, strlen(cases[i].qs), &q, &err);
        if (cases[i].want[0] == '!') {
            T_CHECK(rc != 0 && err.status == 400 && strstr(err.msg, cases[i].want + 1) != NULL, "'%s': refused, '%s': %s",
                    cases[i].qs, cases[i].want + 1, rc ? err.msg : show(&q));
        } else {
            T_CHECK(rc == 0, "'%s' parses (%s)", cases[i].qs, rc ? err.msg : "");
            if (rc == 0)
                T_STREQ(show(&q), cases[i].want, cases[i].qs);
        }
    }
    static const struct {
        const char *s;
        long long ms;
    } dates[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2000-03-01T00:00:00Z", 951868800000LL},
        {"2020-02-29T12:30:15Z", 1582979415000LL},
        {"1969-12-31T23:59:59Z", -1000},
        {"2020-13-01T00:00:00Z", -1},
        {"2020-01-01T00:00:00", -1},
        {"2020-01-01 00:00:00Z", -1},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        long long got = ts_squery_date(dates[i].s, strlen(dates[i].s));
        T_CHECK(got == dates[i].ms, "%s: %lld ms, want %lld", dates[i].s, got, dates[i].ms);
    }
    return t_done();
}
