/*
 * floor.c: tessera-floor, the in-process rate of tessera's image pipeline.
 *
 * Runs the image requests of a URL list through the same calls the server
 * makes on its workers (lib/http/iiif_routes.c): split the URL, decode the
 * identifier, parse the parameters, resolve the file, read its header, plan,
 * render and encode, and build the canonical Link. No HTTP, no event loops,
 * no response cache: what is left is the pixel work the server can at best
 * keep up with. N threads each walk the list from a different offset for S
 * seconds; the result is requests/s and latency percentiles.
 *
 * Like the server's metadata cache, each thread keeps the probed headers of
 * the files it has opened (keyed by real path, size and mtime), so a source
 * is read with ts_source_open once, not per request; --reopen opens it for
 * every request instead (the server with --meta-cache-mb 0).
 *
 * usage: tessera-floor LIST [--seconds S] [--warmup S] [--reopen] [settings...]
 *   LIST      one request per line: /iiif/3/{id}/{region}/{size}/{rotation}/{quality}.{format},
 *             or a full http:// URL whose path has that form
 *   settings  any `tessera serve` setting (--root DIR, --threads N, --webp-quality Q, ...);
 *             the defaults are the server's, threads 0 means one per core
 *
 * Prints a human line and one machine-readable line starting FLOOR_RESULT.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "iiif/ident.h"
#include "iiif/plan.h"
#include "iiif/request.h"
#include "iiif/url.h"
#include "image/render.h"
#include "image/source.h"
#include "resolve/fs.h"

extern char **environ;

struct shared {
    struct ts_resolver resolver;
    struct iiif_limits limits;
    struct ts_render_opts enc;
    struct ts_formats formats;
    char **paths; /* request paths, without scheme and host */
    size_t n_paths;
    int n_threads;
    bool reopen;          /* ts_source_open for every request */
    atomic_int measuring; /* 0 warm-up, 1 measuring, 2 stop */
};

/* A thread's probed sources, as the server's metadata cache keeps them. */
#define SRC_CACHE 16
struct src_cache {
    int n;
    struct ts_resolved file[SRC_CACHE];
    struct ts_source src[SRC_CACHE];
};

struct worker {
    struct shared *sh;
    pthread_t thread;
    int index;
    uint64_t done, errors, bytes;
    uint32_t *lat_us; /* latency of each measured request */
    size_t n_lat, cap_lat;
    struct ts_error first_err;
    struct src_cache sources;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The probed source for `file`: from the thread's cache, else opened (and kept when there is room). */
static const struct ts_source *get_source(struct shared *sh, struct src_cache *c, const struct ts_resolved *file,
                                          struct ts_source *tmp, bool *owned, struct ts_error *err)
{
    *owned = false;
    if (!sh->reopen) {
        for (int i = 0; i < c->n; i++) {
            if (strcmp(c->file[i].path, file->path) == 0 && c->file[i].mtime_ns == file->mtime_ns &&
                c->file[i].size == file->size)
                return &c->src[i];
        }
    }
    if (ts_source_open(file->path, tmp, err) != 0)
        return NULL;
    if (sh->reopen || c->n == SRC_CACHE) {
        *owned = true;
        return tmp;
    }
    c->file[c->n] = *file;
    c->src[c->n] = *tmp;
    return &c->src[c->n++];
}

/* One request, as run_image in lib/http/iiif_routes.c does it. Returns the body size, or -1. */
static long one_request(struct shared *sh, struct src_cache *cache, const char *path, struct ts_error *err)
{
    enum iiif_version v;
    if (strncmp(path, "/iiif/3/", 8) == 0)
        v = IIIF_V3;
    else if (strncmp(path, "/iiif/2/", 8) == 0)
        v = IIIF_V2;
    else
        return ts_error_set(err, 404, "not an /iiif/3/ or /iiif/2/ path");
    const char *rest = path + 8;
    struct iiif_url u;
    iiif_url_split(rest, strlen(rest), &u);
    if (u.kind != IIIF_URL_IMAGE)
        return ts_error_set(err, 404, "not an image request");
    char id[IIIF_IDENT_MAX + 1];
    if (iiif_ident_decode(u.id, u.id_len, id, sizeof(id), err) != 0)
        return -1;
    struct iiif_req req;
    if (iiif_req_parse(v, u.params, u.params_len, &req, err) != 0)
        return -1;
    if (!sh->formats.ok[req.format])
        return ts_error_set(err, 400, "format %s is not supported by this build", iiif_format_ext(req.format));

    struct ts_resolved file;
    if (ts_resolve(&sh->resolver, id, &file, err) != 0)
        return -1;
    struct ts_source tmp;
    bool owned;
    const struct ts_source *src = get_source(sh, cache, &file, &tmp, &owned, err);
    if (src == NULL)
        return -1;
    long len = -1;
    struct iiif_plan plan;
    struct ts_output img;
    if (iiif_plan_make(&req, src->width, src->height, &sh->limits, &plan, err) == 0 &&
        ts_render(src, &plan, &sh->enc, &img, err) == 0) {
        len = (long)img.len;
        /* The server also builds the canonical Link header. */
        struct ts_buf link;
        ts_buf_init(&link, 8192);
        iiif_plan_canonical(&plan, src->width, src->height, &sh->limits, &link);
        ts_buf_release(&link);
        ts_output_release(&img);
    }
    if (owned)
        ts_source_release(&tmp);
    return len;
}

static int push_latency(struct worker *w, double seconds)
{
    if (w->n_lat == w->cap_lat) {
        size_t cap = w->cap_lat ? w->cap_lat * 2 : 4096;
        uint32_t *p = realloc(w->lat_us, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        w->lat_us = p;
        w->cap_lat = cap;
    }
    double us = seconds * 1e6;
    w->lat_us[w->n_lat++] = us > 4e9 ? UINT32_MAX : (uint32_t)us;
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    size_t i = (size_t)w->index * sh->n_paths / (size_t)sh->n_threads;
    for (;;) {
        int phase = atomic_load(&sh->measuring);
        if (phase == 2)
            break;
        struct ts_error err;
        ts_error_clear(&err);
        double t0 = now_s();
        long len = one_request(sh, &w->sources, sh->paths[i], &err);
        double dt = now_s() - t0;
        if (++i == sh->n_paths)
            i = 0;
        /* A request counts in the phase it started in. */
        if (phase != 1)
            continue;
        if (len < 0) {
            if (w->errors++ == 0)
                w->first_err = err;
        } else {
            w->done++;
            w->bytes += (uint64_t)len;
        }
        if (push_latency(w, dt) != 0)
            break;
    }
    for (int k = 0; k < w->sources.n; k++)
        ts_source_release(&w->sources.src[k]);
    ts_image_thread_done();
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(const uint32_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[k] / 1000.0;
}

/* Reads the list: one request per line; blank lines and # comments skipped; scheme and host dropped. */
static int read_list(const char *file, struct shared *sh)
{
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "tessera-floor: %s: %s\n", file, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *scheme = strstr(p, "://");
        if (scheme != NULL) {
            p = strchr(scheme + 3, '/');
            if (p == NULL)
                continue;
        }
        char *q = strchr(p, '?');
        if (q != NULL)
            *q = '\0';
        if (sh->n_paths == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            char **np = realloc(sh->paths, alloc * sizeof(*np));
            if (np == NULL) {
                fclose(f);
                free(line);
                return -1;
            }
            sh->paths = np;
        }
        sh->paths[sh->n_paths] = strdup(p);
        if (sh->paths[sh->n_paths] == NULL)
            break;
        sh->n_paths++;
    }
    free(line);
    fclose(f);
    if (sh->n_paths == 0) {
        fprintf(stderr, "tessera-floor: %s has no requests\n", file);
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: tessera-floor LIST [--seconds S] [--warmup S] [--reopen] [tessera serve settings...]\n");
}

int main(int argc, char **argv)
{
    const char *list = NULL;
    double seconds = 10, warmup = 0;
    bool reopen = false;
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    int n_rest = 0;
    if (rest == NULL)
        return 1;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--seconds") == 0 || strcmp(argv[i], "--warmup") == 0) && i + 1 < argc) {
            double v = atof(argv[i + 1]);
            if (argv[i][2] == 's')
                seconds = v;
            else
                warmup = v;
            i++;
        } else if (strcmp(argv[i], "--reopen") == 0) {
            reopen = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
            free(rest);
            return 0;
        } else if (strncmp(argv[i], "--", 2) != 0 && list == NULL) {
            list = argv[i];
        } else {
            rest[n_rest++] = argv[i];
        }
    }
    if (list == NULL || seconds <= 0) {
        usage();
        free(rest);
        return 2;
    }

    struct ts_config cfg;
    struct ts_error err;
    if (ts_config_load(&cfg, n_rest, rest, environ, &err) != 0) {
        fprintf(stderr, "tessera-floor: %s\n", err.msg);
        free(rest);
        return 2;
    }
    free(rest);
    if (cfg.root[0] == '\0') {
        fprintf(stderr, "tessera-floor: give --root DIR\n");
        ts_config_release(&cfg);
        return 2;
    }

    struct shared sh;
    memset(&sh, 0, sizeof(sh));
    int rc = 1;
    if (read_list(list, &sh) != 0)
        goto out_cfg;
    if (ts_image_init(argv[0], (int)cfg.vips_threads, &err) != 0) {
        fprintf(stderr, "tessera-floor: %s\n", err.msg);
        goto out_cfg;
    }
    if (ts_resolver_init(&sh.resolver, cfg.root, cfg.extensions, &err) != 0) {
        fprintf(stderr, "tessera-floor: %s\n", err.msg);
        goto out_vips;
    }
    /* The same limits and encoder settings as ts_server_init. */
    ts_render_limits(&cfg, &sh.limits);
    ts_render_opts_init(&sh.enc, &cfg);
    ts_formats_probe(&sh.formats);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    sh.reopen = reopen;
    sh.n_threads = cfg.threads > 0 ? (int)cfg.threads : (cores > 0 ? (int)cores : 1);
    atomic_init(&sh.measuring, warmup > 0 ? 0 : 1);

    struct worker *w = calloc((size_t)sh.n_threads, sizeof(*w));
    if (w == NULL)
        goto out_res;
    int started = 0;
    for (int i = 0; i < sh.n_threads; i++) {
        w[i].sh = &sh;
        w[i].index = i;
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            break;
        started++;
    }
    if (started == sh.n_threads) {
        if (warmup > 0) {
            usleep((useconds_t)(warmup * 1e6));
            atomic_store(&sh.measuring, 1);
        }
        double t0 = now_s();
        usleep((useconds_t)(seconds * 1e6));
        atomic_store(&sh.measuring, 2);
        for (int i = 0; i < started; i++)
            pthread_join(w[i].thread, NULL);
        /* Requests still running at the stop are counted in full: measure to the last one's end. */
        double wall = now_s() - t0;

        uint64_t done = 0, errors = 0, bytes = 0;
        size_t n_lat = 0;
        for (int i = 0; i < started; i++) {
            done += w[i].done;
            errors += w[i].errors;
            bytes += w[i].bytes;
            n_lat += w[i].n_lat;
        }
        uint32_t *all = malloc((n_lat ? n_lat : 1) * sizeof(*all));
        if (all != NULL) {
            size_t k = 0;
            for (int i = 0; i < started; i++) {
                memcpy(all + k, w[i].lat_us, w[i].n_lat * sizeof(*all));
                k += w[i].n_lat;
            }
            qsort(all, n_lat, sizeof(*all), cmp_u32);
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            double rps = (double)done / wall;
            double p50 = percentile_ms(all, n_lat, 50), p99 = percentile_ms(all, n_lat, 99);
            double rss_mb = ru.ru_maxrss / 1024.0;
            printf("tessera-floor: %d threads, %.1f s, %llu requests (%zu distinct), %.1f requests/s, "
                   "p50 %.2f ms, p99 %.2f ms, %llu errors, %.1f MB out, peak RSS %.1f MB\n",
                   started, wall, (unsigned long long)done, sh.n_paths, rps, p50, p99,
                   (unsigned long long)errors, bytes / 1e6, rss_mb);
            for (int i = 0; i < started; i++) {
                if (w[i].errors > 0) {
                    printf("tessera-floor: first error: %d %s\n", w[i].first_err.status, w[i].first_err.msg);
                    break;
                }
            }
            printf("FLOOR_RESULT {\"threads\":%d,\"seconds\":%.3f,\"requests\":%llu,\"rps\":%.2f,"
                   "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%llu,\"bytes\":%llu,\"rss_mb\":%.1f}\n",
                   started, wall, (unsigned long long)done, rps, p50, p99, (unsigned long long)errors,
                   (unsigned long long)bytes, rss_mb);
            rc = errors == 0 ? 0 : 3;
            free(all);
        }
    } else {
        fprintf(stderr, "tessera-floor: cannot start threads\n");
        atomic_store(&sh.measuring, 2);
        for (int i = 0; i < started; i++)
            pthread_join(w[i].thread, NULL);
    }
    for (int i = 0; i < sh.n_threads; i++)
        free(w[i].lat_us);
    free(w);
out_res:
    ts_resolver_release(&sh.resolver);
out_vips:
    ts_image_shutdown();
out_cfg:
    for (size_t i = 0; i < sh.n_paths; i++)
        free(sh.paths[i]);
    free(sh.paths);
    ts_config_release(&cfg);
    return rc;
}
