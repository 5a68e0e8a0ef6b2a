/*
 * main.c: the tessera command: `serve`, `info`, `help`, `version`.
 */
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/datadir.h"
#include "core/log.h"
#include "http/pubbase.h"
#include "http/app.h"
#include "http/server.h"
#include "iiif/ident.h"
#include "image/convert.h"
#include "image/render.h"
#include "image/source.h"
#include "json/info.h"
#include "present/export.h"
#include "present/manifest.h"
#include "present/probe.h"
#include "resolve/fs.h"

#ifndef TS_VERSION
#define TS_VERSION "0.0.0"
#endif

extern char **environ;

static struct ts_server *running;

static void on_signal(int sig)
{
    if (running == NULL)
        return;
    if (sig == SIGHUP)
        ts_server_request_reload(running);
    else
        ts_server_stop(running);
}

/*
 * A crash should leave evidence: the signal and a backtrace on stderr, then
 * the default action (a core dump where enabled). Sanitizer builds keep
 * their own, better, handlers.
 */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
static void on_fatal(int sig)
{
    char msg[64];
    int n = snprintf(msg, sizeof(msg), "tessera: fatal signal %d; backtrace:\n", sig);
    if (write(STDERR_FILENO, msg, (size_t)n) < 0) {
        /* nothing more can be done */
    }
    void *frames[64];
    int depth = backtrace(frames, 64);
    backtrace_symbols_fd(frames, depth, STDERR_FILENO);
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

static void install_crash_handler(void)
{
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    /* load libgcc's unwinder now: backtrace() may allocate on first use, which a crash cannot afford */
    void *warm[2];
    backtrace(warm, 2);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
#endif
}

static void usage(FILE *out)
{
    fprintf(out, "tessera %s: a IIIF image server\n\n"
                 "usage:\n"
                 "  tessera serve [--root DIR] [--host ADDR] [--port N] [--threads N] [--base-url URL] [...]\n"
                 "  tessera info FILE [--root ROOT] [--id URL]\n"
                 "                                   print the Image API 3.0 info.json for FILE\n"
                 "  tessera convert IN OUT [--format tiff|jp2|htj2k] [--tile N] [--quality 90] [--lossless]\n"
                 "                                   prepare an image for fast serving\n"
                 "  tessera manifest DIR [--root ROOT] [--base-url URL]\n"
                 "                                   print the Presentation 3.0 manifest or collection of DIR\n"
                 "  tessera export DIR OUT --base-url URL [--force] [--quiet]\n"
                 "                                   write a static IIIF site (level-0 tiles, manifests, viewers)\n"
                 "  tessera help                     this text and every setting\n"
                 "  tessera version\n\n"
                 "With no --root, serve shows the bundled sample images.\n\n",
            TS_VERSION);
    ts_config_print_help(out);
}

/*
 * The bundled samples as the root when none is given. Returns 0, or -1
 * after saying where they were looked for.
 */
static int default_root(struct ts_config *cfg)
{
    if (cfg->root[0] != '\0')
        return 0;
    char samples[PATH_MAX], looked[2048];
    if (ts_data_dir(TS_DATA_SAMPLES, samples, sizeof(samples), looked, sizeof(looked)) != 0) {
        fprintf(stderr, "tessera: give --root FOLDER: the bundled samples are not installed (looked in %s)\n", looked);
        return -1;
    }
    return ts_config_set(cfg, "root", samples, NULL);
}

/* Loads the configuration and fills in the bundled samples as the default root. */
static int load_config(struct ts_config *cfg, int argc, char **argv)
{
    struct ts_error err;
    if (ts_config_load(cfg, argc, argv, environ, &err) != 0) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        ts_config_release(cfg);
        return -1;
    }
    if (default_root(cfg) != 0) {
        ts_config_release(cfg);
        return -1;
    }
    enum ts_log_level lvl;
    if (ts_log_parse_level(cfg->log_level, &lvl) != 0) {
        fprintf(stderr, "tessera: log_level must be error, warn, info or debug\n");
        ts_config_release(cfg);
        return -1;
    }
    ts_log_set_level(lvl);
    return 0;
}

/* What a reload reads again: the same flags, the environment and the config file. */
struct reload_args {
    int argc;
    char **argv;
};

/* On SIGHUP (ts_server_run's thread): settings from the same sources as at start, published if valid. */
static int reload_settings(struct ts_server *srv, void *arg)
{
    struct reload_args *a = arg;
    struct ts_config cfg;
    struct ts_error err;
    memset(&cfg, 0, sizeof(cfg));
    if (ts_config_load(&cfg, a->argc, a->argv, environ, &err) != 0) {
        ts_log_error("reload refused, the settings in force stay: %s", err.msg);
        ts_config_release(&cfg);
        return -1;
    }
    if (default_root(&cfg) != 0) {
        ts_log_error("reload refused, the settings in force stay: no root");
        ts_config_release(&cfg);
        return -1;
    }
    int rc = ts_server_reload(srv, &cfg, &err);
    if (rc != 0) {
        ts_log_error("reload refused, the settings in force stay: %s", err.msg);
    } else {
        enum ts_log_level lvl;
        if (ts_log_parse_level(cfg.log_level, &lvl) == 0)
            ts_log_set_level(lvl);
    }
    ts_config_release(&cfg);
    return rc;
}

/* Starts libvips with the settings' thread count; on failure says why and releases `cfg`. */
static int start_images(const char *argv0, struct ts_config *cfg)
{
    struct ts_error err;
    if (ts_image_init(argv0, (int)cfg->vips_threads, &err) == 0)
        return 0;
    fprintf(stderr, "tessera: %s\n", err.msg);
    ts_config_release(cfg);
    return -1;
}

static int cmd_serve(const char *argv0, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
    }
    struct ts_config cfg;
    if (load_config(&cfg, argc, argv) != 0)
        return 2;
    struct ts_error err;
    if (start_images(argv0, &cfg) != 0)
        return 1;
    ts_image_set_simd(cfg.simd);
    struct ts_server srv;
    if (ts_server_init(&srv, &cfg, &err) != 0 || ts_app_register(&srv, &err) != 0) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        if (srv.router != NULL) /* registering failed: the server is set up */
            ts_server_release(&srv);
        ts_config_release(&cfg);
        ts_image_shutdown();
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    install_crash_handler();
    running = &srv;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct reload_args ra = {argc, argv};
    srv.reload_fn = reload_settings;
    srv.reload_arg = &ra;

    char formats[128] = "";
    for (int i = 0; i < IIIF_FORMAT_COUNT; i++) {
        if (srv.formats.ok[i]) {
            strcat(formats, formats[0] ? " " : "");
            strcat(formats, iiif_format_ext((enum iiif_format)i));
        }
    }
    ts_log_info("tessera %s serving %s on %s://%s/ (%d event loop%s, %llu MB of work memory, formats: %s)", TS_VERSION,
                srv.resolver.root, srv.ssl ? "https" : "http", srv.fallback_host, srv.n_loops,
                srv.n_loops == 1 ? "" : "s", (unsigned long long)(ts_workers_mem_budget(srv.workers) >> 20), formats);
    /* A line tests and scripts can wait for. */
    printf("listening on %s://%s/\n", srv.ssl ? "https" : "http", srv.fallback_host);
    fflush(stdout);
    int rc = ts_server_run(&srv);
    running = NULL;
    if (ts_server_release(&srv) != 0) {
        /* a worker is stuck (in a read that never returns, say): what it holds cannot be freed, so leave now */
        ts_log_warn("stopped, leaving work that did not end");
        fflush(NULL);
        _exit(rc == 0 ? 0 : 1);
    }
    ts_log_info("stopped");
    ts_config_release(&cfg);
    ts_image_shutdown();
    return rc == 0 ? 0 : 1;
}

static int cmd_info(const char *argv0, int argc, char **argv)
{
    const char *file = NULL, *id = NULL;
    char *rest[64];
    int nrest = 0;
    bool root_given = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
            id = argv[++i];
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0 && file == NULL) {
            file = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--root") == 0 || strncmp(argv[i], "--root=", 7) == 0)
            root_given = true;
        if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    if (file == NULL) {
        fprintf(stderr, "usage: tessera info FILE [--root ROOT] [--id URL]\n");
        return 2;
    }
    struct ts_config cfg;
    if (load_config(&cfg, nrest, rest) != 0)
        return 2;
    /* the identifier: FILE's path under the root (--root, else the current folder when FILE is in it) */
    char real[PATH_MAX], rroot[PATH_MAX], cwd[PATH_MAX];
    const char *ident = NULL;
    if (realpath(file, real) == NULL) {
        fprintf(stderr, "tessera: %s: %s\n", file, strerror(errno));
        ts_config_release(&cfg);
        return 1;
    }
    const char *under = root_given ? realpath(cfg.root, rroot) : getcwd(cwd, sizeof(cwd));
    size_t un = under != NULL ? strlen(under) : 0;
    if (un > 0 && strncmp(real, under, un) == 0 && real[un] == '/')
        ident = real + un + 1;
    else if (root_given) {
        fprintf(stderr, "tessera: %s is not under the root %s\n", file, cfg.root);
        ts_config_release(&cfg);
        return 2;
    } else
        ident = strrchr(real, '/') + 1;
    struct ts_error err;
    if (start_images(argv0, &cfg) != 0)
        return 1;
    int rc = 1;
    struct ts_source src;
    if (ts_source_open(file, &src, &err) != 0) {
        fprintf(stderr, "tessera: %s: %s\n", file, err.msg);
        goto out;
    }
    struct ts_buf url;
    ts_buf_init(&url, 8192);
    if (id != NULL) {
        ts_buf_adds(&url, id);
    } else {
        struct ts_pubbase_in in = {.configured = cfg.base_url, .fallback_host = "localhost:8182"};
        ts_pubbase(&in, &url);
        ts_buf_adds(&url, "/iiif/3/");
        iiif_ident_encode(ident, &url);
    }
    struct iiif_limits lim;
    ts_render_limits(&cfg, &lim);
    struct ts_formats formats;
    ts_formats_probe(&formats);
    struct ts_info_opts o = {&lim, (uint32_t)cfg.tile_size, &formats, cfg.rights, cfg.preferred_formats};
    char *json = ts_info_json(IIIF_V3, url.data ? url.data : "", &src, &o, NULL);
    if (json != NULL) {
        puts(json);
        free(json);
        rc = 0;
    }
    ts_buf_release(&url);
    ts_source_release(&src);
out:
    ts_config_release(&cfg);
    ts_image_shutdown();
    return rc;
}

static void draw_progress(int percent, int eta, void *arg)
{
    (void)arg;
    char bar[41];
    int fill = percent * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %ds left ", bar, percent, eta);
    fflush(stderr);
}

/*
 * tessera manifest DIR: the Manifest or Collection that tessera serves for
 * DIR (a folder or an image), with ids under --base-url. The root is --root,
 * else the current folder when DIR is inside it, else DIR itself. Problems
 * in sidecars go to stderr and make the exit status 1.
 */
static int cmd_manifest(const char *argv0, int argc, char **argv)
{
    const char *target = NULL;
    char *rest[64];
    int nrest = 0;
    bool root_given = false;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 && target == NULL) {
            target = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--root") == 0 || strncmp(argv[i], "--root=", 7) == 0)
            root_given = true;
        if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    if (target == NULL) {
        fprintf(stderr, "usage: tessera manifest DIR [--root ROOT] [--base-url URL]\n");
        return 2;
    }
    char real[PATH_MAX], cwd[PATH_MAX];
    if (realpath(target, real) == NULL) {
        fprintf(stderr, "tessera: %s: %s\n", target, strerror(errno));
        return 2;
    }
    struct ts_config cfg;
    if (load_config(&cfg, nrest, rest) != 0)
        return 2;
    if (!root_given) {
        size_t n = getcwd(cwd, sizeof(cwd)) != NULL ? strlen(cwd) : 0;
        bool inside = n > 0 && strncmp(real, cwd, n) == 0 && (real[n] == '/' || real[n] == '\0');
        ts_config_set(&cfg, "root", inside ? cwd : real, NULL);
    }
    struct ts_error err;
    if (start_images(argv0, &cfg) != 0)
        return 1;
    int rc = 1;
    struct ts_resolver r;
    if (ts_resolver_init(&r, cfg.root, cfg.extensions, &err) != 0) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        ts_config_release(&cfg);
        return 1;
    }
    ts_resolver_apply_settings(&r, &cfg);
    struct ts_walk walk;
    ts_tree_walk_init(&r, &walk);
    const char *rel = "";
    if (strncmp(real, r.root, r.root_len) == 0 && real[r.root_len] == '/')
        rel = real + r.root_len + 1;
    else if (strcmp(real, r.root) != 0) {
        fprintf(stderr, "tessera: %s is not under the root %s\n", target, r.root);
        goto out;
    }
    struct ts_buf base;
    ts_buf_init(&base, 8192);
    struct ts_pubbase_in in = {.configured = cfg.base_url, .fallback_host = "localhost:8182"};
    ts_pubbase(&in, &base);
    struct ts_file_probe probe = {&r, (uint32_t)cfg.tile_size, {0}};
    ts_render_limits(&cfg, &probe.limits);
    json_t *problems = json_array();
    struct ts_present p = {base.data ? base.data : "", &r, ts_file_probe, &probe, problems, &walk, 0, NULL, NULL, NULL};
    struct ts_tree_item f;
    if (ts_tree_open(&r, &walk, rel, &f, &err) != 0) {
        fprintf(stderr, "tessera: %s: %s\n", target, err.msg);
    } else {
        json_t *doc = f.kind == TS_P_COLLECTION ? ts_collection_build(&p, &f, &err) : ts_manifest_build(&p, &f, &err);
        if (doc == NULL) {
            fprintf(stderr, "tessera: %s: %s\n", target, err.msg);
        } else {
            char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
            if (s != NULL)
                puts(s);
            free(s);
            json_decref(doc);
            rc = 0;
        }
        ts_tree_release(&f);
    }
    size_t i;
    json_t *v;
    json_array_foreach(problems, i, v)
    {
        fprintf(stderr, "tessera: %s\n", json_string_value(v));
        rc = 1;
    }
    json_decref(problems);
    ts_buf_release(&base);
out:
    ts_walk_release(&walk);
    ts_resolver_release(&r);
    ts_config_release(&cfg);
    ts_image_shutdown();
    return rc;
}

/*
 * tessera export DIR OUT --base-url URL: a static IIIF site of DIR in OUT
 * (present/export.h) for a web host that will serve OUT at URL.
 */
static int cmd_export(const char *argv0, int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    char *rest[64];
    int nrest = 0;
    struct ts_export_opts eo = {isatty(STDERR_FILENO) != 0, false, false};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0)
            eo.force = true;
        else if (strcmp(argv[i], "--quiet") == 0)
            eo.quiet = true;
        else if (strncmp(argv[i], "--", 2) != 0 && dir == NULL)
            dir = argv[i];
        else if (strncmp(argv[i], "--", 2) != 0 && out == NULL)
            out = argv[i];
        else if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    if (dir == NULL || out == NULL) {
        fprintf(stderr, "usage: tessera export DIR OUT --base-url URL [--force] [--quiet]\n");
        return 2;
    }
    struct ts_config cfg;
    if (load_config(&cfg, nrest, rest) != 0)
        return 2;
    if (cfg.base_url[0] == '\0') {
        fprintf(stderr, "tessera export: give --base-url, the URL the site will be served at (ids are absolute)\n");
        ts_config_release(&cfg);
        return 2;
    }
    ts_config_set(&cfg, "root", dir, NULL);
    struct ts_error err;
    if (start_images(argv0, &cfg) != 0)
        return 1;
    struct ts_buf base;
    ts_buf_init(&base, 8192);
    struct ts_pubbase_in in = {.configured = cfg.base_url, .fallback_host = "localhost"};
    ts_pubbase(&in, &base);
    struct ts_export_stats st;
    int rc = ts_export(&cfg, out, base.data ? base.data : cfg.base_url, &eo, &st, &err);
    if (rc != 0)
        fprintf(stderr, "tessera export: %s\n", err.msg);
    else
        fprintf(stderr, "tessera export: done: %ld images, %ld tiles and sizes, %ld documents in %s%s\n", st.images,
                st.tiles, st.documents, out, st.problems ? " (with problems: see above)" : "");
    ts_buf_release(&base);
    ts_config_release(&cfg);
    ts_image_shutdown();
    return rc != 0 ? (err.status == 400 ? 2 : 1) : st.problems ? 1 : 0;
}

static int cmd_convert(const char *argv0, int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *format = NULL;
    struct ts_convert_opts o = {TS_CONVERT_TIFF, 0, 90, false, NULL, NULL};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--format") == 0 && v != NULL) {
            format = v;
            i++;
        } else if (strcmp(a, "--tile") == 0 && v != NULL) {
            o.tile = atoi(v);
            i++;
        } else if (strcmp(a, "--quality") == 0 && v != NULL) {
            o.quality = atoi(v);
            i++;
        } else if (strcmp(a, "--lossless") == 0) {
            o.lossless = true;
        } else if (strncmp(a, "--", 2) == 0) {
            fprintf(stderr, "tessera convert: unknown option or missing value: %s\n", a);
            return 2;
        } else if (in == NULL) {
            in = a;
        } else if (out == NULL) {
            out = a;
        } else {
            fprintf(stderr, "tessera convert: unexpected argument %s\n", a);
            return 2;
        }
    }
    if (in == NULL || out == NULL) {
        fprintf(stderr, "usage: tessera convert IN OUT [--format tiff|jp2|htj2k] [--tile N] [--quality 90] [--lossless]\n"
                        "  (tiles default to 256 for TIFF, 512 for JPEG 2000 and HTJ2K)\n");
        return 2;
    }
    if (format != NULL ? ts_convert_format_parse(format, &o.format) != 0
                       : ts_convert_format_of_name(out, &o.format) != 0) {
        fprintf(stderr, "tessera convert: %s; use --format tiff, jp2 or htj2k\n",
                format != NULL ? "unknown format" : "cannot tell the format from the output name");
        return 2;
    }
    /* TIFF tiles pass through to viewers as they are: their size is the viewers' tile size;
     * JPEG 2000 decodes fastest in 512-px tiles (docs/performance.md) */
    if (o.tile == 0)
        o.tile = o.format == TS_CONVERT_TIFF ? 256 : 512;
    if (isatty(STDERR_FILENO))
        o.progress = draw_progress;
    struct ts_error err;
    if (ts_image_init(argv0, 0, &err) != 0) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return 1;
    }
    int rc = ts_convert(in, out, &o, &err);
    if (o.progress != NULL)
        fputc('\n', stderr);
    if (rc != 0)
        fprintf(stderr, "tessera convert: %s\n", err.msg);
    ts_image_shutdown();
    return rc == 0 ? 0 : err.status == 400 ? 2 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argv[0], argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argv[0], argc - 2, argv + 2);
    if (strcmp(cmd, "convert") == 0)
        return cmd_convert(argv[0], argc - 2, argv + 2);
    if (strcmp(cmd, "manifest") == 0)
        return cmd_manifest(argv[0], argc - 2, argv + 2);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argv[0], argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tessera %s\n", TS_VERSION);
        return 0;
    }
    fprintf(stderr, "tessera: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
