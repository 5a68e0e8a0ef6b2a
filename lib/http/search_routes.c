/*
 * search_routes.c: Content Search 2.0 and 1.0, and autocomplete.
 */
#include "http/search_routes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anno/query.h"
#include "core/buf.h"
#include "core/pct.h"
#include "http/anno_store.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "present/manifest.h"
#include "present/route.h"
#include "present/tree.h"

#define PAGE_SIZE 100
#define MAX_PATH 2048
#define CONTEXT_LEN 30
#define LD_TYPE "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\""
#define LD1_TYPE "application/ld+json"

enum kind { SEARCH2, SEARCH1, COMPLETE2, COMPLETE1 };

static const char *const prefixes[] = {"/iiif/search/", "/iiif/search1/", "/iiif/autocomplete/", "/iiif/autocomplete1/"};

struct search_job {
    struct ts_deferred d;
    enum kind kind;
    char *base;
    char *path;      /* the manifest's path, decoded */
    char *raw_path;  /* as in the URL */
    char *qs;        /* the query string, as sent */
    struct ts_squery q;
    char prefix[TS_SQ_MAX_TERM]; /* autocomplete: the term to complete */
    const char *vary;
};

static void job_cleanup(struct ts_deferred *d)
{
    struct search_job *j = (struct search_job *)d;
    free(j->base);
    free(j->path);
    free(j->raw_path);
    free(j->qs);
}

/* {base}{prefix}{raw path}[?{query}] */
static void url_of(const struct search_job *j, enum kind k, const char *query, struct ts_buf *out)
{
    ts_buf_adds(out, j->base);
    ts_buf_adds(out, prefixes[k]);
    ts_buf_adds(out, j->raw_path);
    if (query != NULL && query[0] != '\0') {
        ts_buf_adds(out, "?");
        ts_buf_adds(out, query);
    }
}

/* The query string with page=N put in place of any page parameter. */
static void with_page(const char *qs, long page, struct ts_buf *out)
{
    const char *p = qs;
    bool first = true;
    while (*p != '\0') {
        size_t len = strcspn(p, "&");
        if (!(len >= 5 && strncmp(p, "page=", 5) == 0) && len > 0) {
            if (!first)
                ts_buf_adds(out, "&");
            ts_buf_add(out, p, len);
            first = false;
        }
        p += len + (p[len] == '&' ? 1 : 0);
    }
    if (page > 1)
        ts_buf_addf(out, "%spage=%ld", first ? "" : "&", page);
}

/* Case-insensitive (ASCII) search for `needle` (`n` bytes) in `hay`, at a word start; NULL when absent. */
static const char *find_word(const char *hay, const char *needle, size_t n)
{
    for (const char *p = hay; *p != '\0'; p++) {
        if (p != hay && isalnum((unsigned char)p[-1]))
            continue;
        size_t i = 0;
        while (i < n && p[i] != '\0' && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return p;
    }
    return NULL;
}

/* Where term `t` matches `text`: [*at, *at + *len), or false (a match the index made through accents). */
static bool locate(const char *text, const struct ts_sq_term *t, const char **at, size_t *len)
{
    const char *p = find_word(text, t->text, strlen(t->text));
    if (p == NULL)
        return false;
    size_t n = strlen(t->text);
    if (t->prefix) /* the whole word */
        while (isalnum((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80)
            n++;
    *at = p;
    *len = n;
    return true;
}

/* Up to CONTEXT_LEN bytes before/after a match, in whole words (and never cutting a UTF-8 character). */
static char *before_of(const char *text, const char *at)
{
    const char *s = at - CONTEXT_LEN > text ? at - CONTEXT_LEN : text;
    if (s > text && s[-1] != ' ') {
        const char *space = memchr(s, ' ', (size_t)(at - s));
        s = space != NULL ? space + 1 : at;
    }
    while (s < at && ((unsigned char)*s & 0xC0) == 0x80)
        s++;
    return strndup(s, (size_t)(at - s));
}

static char *after_of(const char *end)
{
    size_t n = strnlen(end, CONTEXT_LEN);
    if (end[n] != '\0' && end[n] != ' ') {
        while (n > 0 && end[n - 1] != ' ')
            n--;
        if (n > 0)
            n--; /* and the space before the cut word */
    }
    while (n > 0 && ((unsigned char)end[n] & 0xC0) == 0x80)
        n--;
    return strndup(end, n);
}

static void anno_iri(const struct search_job *j, const char *id, struct ts_buf *out)
{
    ts_buf_adds(out, j->base);
    ts_buf_adds(out, "/annotations/");
    ts_present_path_encode(id, out);
}

static void canvas_iri(const struct search_job *j, const struct ts_text_hit *h, struct ts_buf *out)
{
    ts_present_prefix(j->base, j->path, out);
    ts_buf_adds(out, "/canvas/");
    ts_present_path_encode(h->canvas, out);
    json_t *box = json_loads(h->boxes, 0, NULL);
    if (json_array_size(box) == 4)
        ts_buf_addf(out, "#xywh=%lld,%lld,%lld,%lld", (long long)json_integer_value(json_array_get(box, 0)),
                    (long long)json_integer_value(json_array_get(box, 1)),
                    (long long)json_integer_value(json_array_get(box, 2)),
                    (long long)json_integer_value(json_array_get(box, 3)));
    json_decref(box);
}

static json_t *ignored_list(const struct ts_squery *q)
{
    json_t *a = json_array();
    for (int i = 0; i < q->n_ignored; i++)
        json_array_append_new(a, json_string(q->ignored[i]));
    return a;
}

static void send_doc(struct search_job *j, json_t *doc, const char *type)
{
    size_t len;
    char *body = ts_present_dump(doc, &len);
    json_decref(doc);
    if (body == NULL) {
        ts_error_set(&j->d.err, 500, "out of memory");
        return;
    }
    j->d.body = body;
    j->d.len = len;
    j->d.free_body = free;
    j->d.content_type = type;
    ts_deferred_header(&j->d, "vary", j->vary);
}

static void search(struct search_job *j, struct ts_store *st)
{
    long page = j->q.page;
    struct ts_text_hit *hits = NULL;
    long total = 0;
    int n = 0;
    if (st != NULL) {
        n = st->ops->text_search(st, j->path, &j->q, (int)((page - 1) * PAGE_SIZE), PAGE_SIZE, &hits, &total,
                                 &j->d.err);
        if (n < 0)
            return;
    }
    long pages = total > 0 ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (page > pages) {
        ts_text_hits_free(hits, n);
        ts_error_set(&j->d.err, 404, "the search has %ld page%s of hits", pages, pages == 1 ? "" : "s");
        return;
    }
    bool v2 = j->kind == SEARCH2;
    struct ts_buf url, qs, aid, cid;
    ts_buf_init(&url, 1 << 16);
    ts_buf_init(&qs, 1 << 14);
    ts_buf_init(&aid, 1 << 14);
    ts_buf_init(&cid, 1 << 14);
    with_page(j->qs, page, &qs);
    url_of(j, j->kind, qs.data, &url);
    json_t *items = json_array(), *marks = json_array();
    for (int i = 0; i < n; i++) {
        const struct ts_text_hit *h = &hits[i];
        aid.len = 0;
        cid.len = 0;
        anno_iri(j, h->anno, &aid);
        canvas_iri(j, h, &cid);
        if (v2)
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s}", "id", aid.data, "type",
                                                   "Annotation", "motivation", h->motivation[0] ? h->motivation : "supplementing",
                                                   "body", "type", "TextualBody", "value", h->text, "format",
                                                   "text/plain", "target", cid.data));
        else
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "@id", aid.data, "@type",
                                                   "oa:Annotation", "motivation", "sc:painting", "resource", "@type",
                                                   "cnt:ContentAsText", "chars", h->text, "on", cid.data));
        /* where each term matches in the text */
        for (int k = 0; k < j->q.n_terms; k++) {
            const char *at;
            size_t len;
            if (!locate(h->text, &j->q.terms[k], &at, &len))
                continue;
            char *pre = before_of(h->text, at), *post = after_of(at + len), *exact = strndup(at, len);
            if (v2) {
                struct ts_buf hid;
                ts_buf_init(&hid, 1 << 14);
                ts_buf_addf(&hid, "%s#match-%d", aid.data, k + 1);
                json_array_append_new(
                    marks, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:[{s:s, s:s, s:s, s:s}]}}", "id", hid.data, "type",
                                     "Annotation", "motivation", "highlighting", "target", "type", "SpecificResource",
                                     "source", aid.data, "selector", "type", "TextQuoteSelector", "prefix", pre,
                                     "exact", exact, "suffix", post));
                ts_buf_release(&hid);
            } else {
                json_array_append_new(marks, json_pack("{s:s, s:[s], s:s, s:s, s:s}", "@type", "search:Hit",
                                                       "annotations", aid.data, "match", exact, "before", pre,
                                                       "after", post));
            }
            free(pre);
            free(post);
            free(exact);
        }
    }
    ts_text_hits_free(hits, n);
    json_t *doc;
    struct ts_buf link;
    ts_buf_init(&link, 1 << 16);
    if (v2) {
        doc = json_pack("{s:[s, s], s:s, s:s}", "@context", "http://iiif.io/api/presentation/3/context.json",
                        "http://iiif.io/api/search/2/context.json", "id", url.data, "type", "AnnotationPage");
        if (pages > 1) {
            qs.len = 0;
            with_page(j->qs, 1, &qs);
            url_of(j, j->kind, qs.data, &link);
            json_object_set_new(doc, "partOf", json_pack("{s:s, s:s, s:I}", "id", link.data, "type",
                                                         "AnnotationCollection", "total", (json_int_t)total));
            json_object_set_new(doc, "startIndex", json_integer((page - 1) * PAGE_SIZE));
        }
    } else {
        doc = json_pack("{s:s, s:s, s:s, s:{s:s, s:I}}", "@context", "http://iiif.io/api/search/1/context.json", "@id",
                        url.data, "@type", "sc:AnnotationList", "within", "@type", "sc:Layer", "total",
                        (json_int_t)total);
        json_object_set_new(doc, "startIndex", json_integer((page - 1) * PAGE_SIZE));
    }
    for (int step = -1; step <= 1; step += 2) {
        long to = page + step;
        if (to < 1 || to > pages)
            continue;
        qs.len = 0;
        link.len = 0;
        with_page(j->qs, to, &qs);
        url_of(j, j->kind, qs.data, &link);
        const char *rel = step > 0 ? "next" : "prev";
        json_object_set_new(doc, rel, v2 ? json_pack("{s:s, s:s}", "id", link.data, "type", "AnnotationPage")
                                         : json_string(link.data));
    }
    if (j->q.n_ignored > 0) {
        if (v2)
            json_object_set_new(doc, "ignored", ignored_list(&j->q));
        else
            json_object_set_new(json_object_get(doc, "within"), "ignored", ignored_list(&j->q));
    }
    if (v2) {
        json_object_set_new(doc, "items", items);
        if (json_array_size(marks) > 0)
            json_object_set_new(doc, "annotations", json_pack("[{s:s, s:o}]", "type", "AnnotationPage", "items", marks));
        else
            json_decref(marks);
    } else {
        json_object_set_new(doc, "resources", items);
        json_object_set_new(doc, "hits", marks);
    }
    ts_buf_release(&url);
    ts_buf_release(&qs);
    ts_buf_release(&aid);
    ts_buf_release(&cid);
    ts_buf_release(&link);
    send_doc(j, doc, v2 ? LD_TYPE : LD1_TYPE);
}

static void complete(struct search_job *j, struct ts_store *st)
{
    struct ts_text_term *terms = NULL;
    int n = 0;
    if (st != NULL) {
        n = st->ops->text_terms(st, j->path, j->prefix, 20, &terms, &j->d.err);
        if (n < 0)
            return;
    }
    bool v2 = j->kind == COMPLETE2;
    struct ts_buf url, link, enc;
    ts_buf_init(&url, 1 << 16);
    ts_buf_init(&link, 1 << 16);
    ts_buf_init(&enc, 1 << 14);
    url_of(j, j->kind, j->qs, &url);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        link.len = 0;
        enc.len = 0;
        ts_buf_adds(&enc, "q=");
        ts_pct_encode(terms[i].term, "", &enc);
        url_of(j, v2 ? SEARCH2 : SEARCH1, enc.data, &link);
        if (v2)
            json_array_append_new(items, json_pack("{s:s, s:I, s:[{s:s, s:s}]}", "value", terms[i].term, "total",
                                                   (json_int_t)terms[i].count, "service", "id", link.data, "type",
                                                   "SearchService2"));
        else
            json_array_append_new(items, json_pack("{s:s, s:s, s:I}", "match", terms[i].term, "url", link.data, "count",
                                                   (json_int_t)terms[i].count));
    }
    ts_text_terms_free(terms, n);
    json_t *doc = v2 ? json_pack("{s:s, s:s, s:s, s:o}", "@context", "http://iiif.io/api/search/2/context.json", "id",
                                 url.data, "type", "TermPage", "items", items)
                     : json_pack("{s:s, s:s, s:s, s:o}", "@context", "http://iiif.io/api/search/1/context.json", "@id",
                                 url.data, "@type", "search:TermList", "terms", items);
    ts_buf_release(&url);
    ts_buf_release(&link);
    ts_buf_release(&enc);
    send_doc(j, doc, v2 ? LD_TYPE : LD1_TYPE);
}

static void run_search(struct ts_job *job)
{
    struct search_job *j = (struct search_job *)job;
    struct ts_server *srv = j->d.srv;
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_tree_item f;
    int rc = ts_tree_open(&srv->resolver, &walk, j->path, &f, &j->d.err);
    ts_walk_release(&walk);
    if (rc != 0)
        return;
    bool manifest = f.kind != TS_P_COLLECTION;
    ts_tree_release(&f);
    if (!manifest) {
        ts_error_set(&j->d.err, 404, "'%s' is a Collection: search a manifest", j->path);
        return;
    }
    struct ts_store *st = ts_anno_store(srv, false, &j->d.err);
    if (st == NULL && j->d.err.status != 0)
        return;
    if (j->kind == SEARCH2 || j->kind == SEARCH1)
        search(j, st);
    else
        complete(j, st);
}

/*
 * A NUL-terminated copy of `n` bytes of the request (libh2o's buffers are
 * not terminated: strndup may look one byte past them).
 */
static char *copy_of(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static int on_search(struct ts_server *srv, enum kind kind, h2o_req_t *req, const char *rest, size_t n)
{
    (void)srv;
    struct ts_error err = {0};
    char path[MAX_PATH];
    if (n == 0 || ts_anno_path_decode(rest, n, path, sizeof(path), &err) != 0) {
        if (n == 0)
            ts_error_set(&err, 404, "search a manifest: %s{manifest-path}?q=words", prefixes[kind]);
        ts_http_error(req, &err);
        return 0;
    }
    const char *qs = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
    size_t qn = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    struct search_job probe;
    memset(&probe, 0, sizeof(probe));
    if (kind == SEARCH2 || kind == SEARCH1) {
        if (ts_squery_parse(qs, qn, &probe.q, &err) != 0) {
            ts_http_error(req, &err);
            return 0;
        }
    } else {
        int rc = ts_query_param(qs, qn, "q", probe.prefix, sizeof(probe.prefix));
        if (rc <= 0 || probe.prefix[0] == '\0') {
            ts_http_errorf(req, 400, "give the start of a word to complete: ?q=bir");
            return 0;
        }
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct search_job *j = ts_deferred_new(req, sizeof(*j), run_search);
    j->d.cleanup = job_cleanup;
    j->kind = kind;
    j->q = probe.q;
    memcpy(j->prefix, probe.prefix, sizeof(j->prefix));
    j->base = base;
    j->path = strdup(path);
    j->raw_path = copy_of(rest, n);
    j->qs = copy_of(qs, qn);
    j->vary = ts_request_vary(req, NULL);
    return ts_deferred_submit(&j->d);
}

static int on_search2(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    return on_search(state, SEARCH2, req, rest, n);
}

static int on_search1(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    return on_search(state, SEARCH1, req, rest, n);
}

static int on_complete2(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    return on_search(state, COMPLETE2, req, rest, n);
}

static int on_complete1(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    return on_search(state, COMPLETE1, req, rest, n);
}

int ts_search_register(struct ts_router *r, struct ts_server *srv)
{
    int (*const handlers[])(void *, h2o_req_t *, const char *, size_t) = {on_search2, on_search1, on_complete2,
                                                                           on_complete1};
    for (size_t i = 0; i < 4; i++) {
        struct ts_route row = {prefixes[i], false, TS_M_READ, TS_R_ACCESS | TS_R_WORKER, handlers[i], srv};
        if (ts_router_add(r, &row) != 0)
            return -1;
    }
    return 0;
}

json_t *ts_search_services(void *ctx, const char *manifest_rel)
{
    struct ts_anno_pages *pg = ctx;
    struct ts_error err;
    struct ts_store *st = ts_anno_pages_store(pg);
    if (st == NULL)
        return NULL;
    struct ts_squery any; /* no terms, no motivation: every row */
    memset(&any, 0, sizeof(any));
    struct ts_text_hit *h = NULL;
    long total = 0;
    int n = st->ops->text_search(st, manifest_rel, &any, 0, 0, &h, &total, &err);
    if (n >= 0)
        ts_text_hits_free(h, n);
    if (n < 0 || total == 0)
        return NULL;
    struct ts_buf path, s2, a2, s1, a1;
    ts_buf_init(&path, 1 << 14);
    ts_present_path_encode(manifest_rel, &path);
    ts_buf_init(&s2, 1 << 16);
    ts_buf_init(&a2, 1 << 16);
    ts_buf_init(&s1, 1 << 16);
    ts_buf_init(&a1, 1 << 16);
    ts_buf_addf(&s2, "%s%s%s", pg->base, prefixes[SEARCH2], path.data ? path.data : "");
    ts_buf_addf(&a2, "%s%s%s", pg->base, prefixes[COMPLETE2], path.data ? path.data : "");
    ts_buf_addf(&s1, "%s%s%s", pg->base, prefixes[SEARCH1], path.data ? path.data : "");
    ts_buf_addf(&a1, "%s%s%s", pg->base, prefixes[COMPLETE1], path.data ? path.data : "");
    json_t *services = json_pack(
        "[{s:s, s:s, s:[{s:s, s:s}]}, {s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}]", "id", s2.data, "type", "SearchService2",
        "service", "id", a2.data, "type", "AutoCompleteService2", "@id", s1.data, "@type", "SearchService1", "profile",
        "http://iiif.io/api/search/1/search", "service", "@id", a1.data, "@type", "AutoCompleteService1", "profile",
        "http://iiif.io/api/search/1/autocomplete");
    ts_buf_release(&path);
    ts_buf_release(&s2);
    ts_buf_release(&a2);
    ts_buf_release(&s1);
    ts_buf_release(&a1);
    return services;
}
