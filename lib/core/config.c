/*
 * config.c: the table of settings and the four ways to set them.
 *
 * The table is the single source of truth: defaults, types, ranges, the names
 * of flags and environment variables, and the --help text all come from it.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEY(name, type, def, min, max, doc) {#name, type, offsetof(struct ts_config, name), def, min, max, doc, NULL}
#define ENUM_KEY(name, def, choices, doc) \
    {#name, TS_CONF_ENUM, offsetof(struct ts_config, name), def, 0, 0, doc, choices}

const struct ts_config_key ts_config_keys[] = {
    KEY(root, TS_CONF_STRING, "", 0, 0, "folder of images to serve (default: the bundled samples)"),
    KEY(host, TS_CONF_STRING, "127.0.0.1", 0, 0, "address to listen on (0.0.0.0 for every interface)"),
    KEY(port, TS_CONF_INT, "8182", 0, 65535, "TCP port to listen on (0 picks a free one)"),
    KEY(threads, TS_CONF_INT, "0", 0, 1024, "worker threads for pixel work (0 = one per core)"),
    KEY(loops, TS_CONF_INT, "0", 0, 256, "network event loops (0 = half the cores, at least one: loops only route, send cached and stored bytes and cut edge tiles; the workers do the pixels)"),
    KEY(queue_size, TS_CONF_INT, "1024", 1, 1000000, "pixel jobs that may wait for a worker before requests get 503"),
    KEY(heavy_mp, TS_CONF_INT, "16", 1, 1000000, "a request that decodes this many megapixels or more is heavy: at most half the workers run heavy jobs, so tiles keep flowing"),
    KEY(heavy_queue, TS_CONF_INT, "32", 0, 1000000, "heavy jobs that may wait for a worker before requests get 503 (room for a viewer opening an untiled image, whose every tile decodes all of it)"),
    KEY(work_memory_mb, TS_CONF_INT, "0", 0, INT64_C(16777216), "memory for the answers being made (decoders and encoders), in MiB: an answer waits until its share fits, and one that can never fit gets 501; 0 = half the machine's memory (or its cgroup limit) less cache_mb and meta_cache_mb"),
    KEY(max_connections, TS_CONF_INT, "1000", 1, 1000000, "open connections; a connection beyond them gets a 503 and is closed"),
    KEY(idle_timeout, TS_CONF_INT, "10", 1, 3600, "seconds a client has to send a request's headers (slowloris), and that a keep-alive connection may stay idle"),
    KEY(request_timeout, TS_CONF_INT, "30", 0, 86400, "seconds an image may take to make before it is stopped with 503 (0: no limit)"),
    KEY(drain_timeout, TS_CONF_INT, "10", 0, 3600, "seconds SIGTERM waits for requests in progress before exiting"),
    KEY(max_url, TS_CONF_INT, "8192", 256, 1000000, "longest request URL in bytes (414 beyond)"),
    KEY(max_header_bytes, TS_CONF_INT, "32768", 1024, 400000, "largest request head in bytes, all header names and values (431 beyond)"),
    KEY(max_body_kb, TS_CONF_INT, "1024", 0, 1048576, "largest request body in KiB (413 beyond)"),
    KEY(max_source_mp, TS_CONF_INT, "10000", 1, 10000000, "largest image opened, in megapixels at full resolution, checked from its header before any decoding (501 beyond)"),
    KEY(max_decode_mp, TS_CONF_INT, "400", 1, 10000000, "most pixels one request may decode, in megapixels: the region at the level used, or the whole level for untiled files (501 beyond; tessera convert makes a pyramid)"),
    KEY(base_url, TS_CONF_STRING, "", 0, 0, "public URL prefix for ids, e.g. https://images.example.org (default: from X-Forwarded-* or Host)"),
    KEY(trusted_proxies, TS_CONF_STRING, "", 0, 0, "addresses and networks (127.0.0.1, ::1, 10.0.0.0/8, loopback) of the proxies in front of tessera: only their Forwarded and X-Forwarded-* headers are used for ids; empty: nobody's"),
    KEY(hosts, TS_CONF_STRING, "", 0, 0, "host names this server answers for when base_url is unset, e.g. images.example.org,localhost:8182: a request naming another host gets 421 (empty: any, and answers with ids vary on Host)"),
    KEY(site_title, TS_CONF_STRING, "", 0, 0, "title of the home page (default: the root collection's label, else tessera)"),
    KEY(tls_cert, TS_CONF_STRING, "", 0, 0, "PEM certificate chain; with tls_key serves HTTPS with HTTP/2"),
    KEY(tls_key, TS_CONF_STRING, "", 0, 0, "PEM private key for tls_cert"),
    KEY(h2c, TS_CONF_BOOL, "false", 0, 0, "speak HTTP/2 without TLS too (prior knowledge and Upgrade: h2c); off, HTTP/2 is negotiated on TLS only (libh2o 2.2.5 has no defence against HTTP/2 rapid reset: put a proxy in front where HTTP/2 is exposed)"),
    KEY(http2_max_streams, TS_CONF_INT, "16", 1, 256, "HTTP/2 requests one connection may have in progress at once; more wait in libh2o, unanswered"),
    KEY(max_unsent_mb, TS_CONF_INT, "16", 1, 65536, "answers one connection may hold that its client has not read, in MiB: past it, its new requests get 503; a connection that reads nothing of its answers for idle_timeout is closed"),
    KEY(max_width, TS_CONF_INT, "10000", 1, 1000000, "largest width of an image response (info.json maxWidth)"),
    KEY(max_height, TS_CONF_INT, "0", 0, 1000000, "largest height of an image response (0 = max_width)"),
    KEY(max_area, TS_CONF_INT, "100000000", 1, INT64_C(1000000000000), "largest area in pixels of an image response (info.json maxArea)"),
    KEY(tile_size, TS_CONF_INT, "512", 16, 8192, "tile edge advertised for images that have no tiles of their own"),
    KEY(confined_size_strict, TS_CONF_BOOL, "false", 0, 0, "answer 400 to a 3.0 !w,h box larger than the region (the validator's reading) instead of fitting to the region (the spec)"),
    KEY(upscale_max_to_limits, TS_CONF_BOOL, "false", 0, 0, "make ^max enlarge to max_width/max_height/max_area (the spec's reading) instead of answering the region's own size (what the official validator expects)"),
    KEY(extensions, TS_CONF_STRING, "tif,tiff,ptif,jp2,jph,jhc,jpx,j2k,j2c,jpg,jpeg,png,webp,heic,heif,avif,gif", 0, 0, "file extensions tried, in order, for an identifier given without one"),
    KEY(rights, TS_CONF_STRING, "", 0, 0, "rights URI for info.json (3.0 rights, 2.1 license)"),
    KEY(preferred_formats, TS_CONF_STRING, "", 0, 0, "comma-separated formats for info.json preferredFormats, e.g. webp,jpg"),
    KEY(jpeg_quality, TS_CONF_INT, "85", 1, 100, "JPEG output quality"),
    KEY(webp_quality, TS_CONF_INT, "80", 1, 100, "WebP output quality"),
    KEY(webp_effort, TS_CONF_INT, "0", 0, 6, "WebP encoder effort, 0 (fastest) to 6 (smallest): 0 encodes tiles 2.7x as fast as libwebp's default 4, in files about 17% larger"),
    KEY(avif_quality, TS_CONF_INT, "50", 1, 100, "AVIF output quality"),
    KEY(jp2_quality, TS_CONF_INT, "48", 1, 100, "JPEG 2000 output quality"),
    KEY(png_compression, TS_CONF_INT, "6", 0, 9, "PNG output compression level"),
    KEY(vips_threads, TS_CONF_INT, "1", 1, 64, "libvips threads used by each request"),
    KEY(simd, TS_CONF_BOOL, "false", 0, 0, "let libvips use liborc's run-time compiled SIMD: about a third faster resizing, but liborc 0.4.33 has crashed tessera under load"),
    KEY(passthrough, TS_CONF_BOOL, "true", 0, 0, "answer a request for exactly one stored JPEG tile of a pyramidal TIFF with its bytes, without decoding (edge tiles are cut to size)"),
    KEY(spool_mp, TS_CONF_INT, "4", 1, 1000000, "image answers of this many megapixels or more are written to an anonymous file and sent from it, so their size costs no memory"),
    KEY(spool_dir, TS_CONF_STRING, "/tmp", 0, 0, "folder for those spool files (they have no name and vanish when sent)"),
    KEY(cache_control, TS_CONF_STRING, "public, max-age=86400", 0, 0, "Cache-Control header for images and info.json (empty for none)"),
    KEY(cache_mb, TS_CONF_INT, "256", 0, 1048576, "memory for cached responses (encoded images, info.json), in MiB; 0 turns the cache off"),
    KEY(viewer_dir, TS_CONF_STRING, "", 0, 0, "folder with the viewer packages (openseadragon, mirador), as npm installs them; empty: the installed ones (PREFIX/share/tessera/viewer), or in a build tree the source tree's viewer/node_modules"),
    KEY(data_dir, TS_CONF_STRING, "tessera-data", 0, 0, "folder where annotations are kept (tessera.db, SQLite in WAL mode), made on the first write; relative to the working directory"),
    KEY(write_keys, TS_CONF_STRING, "", 0, 0, "comma-separated keys that may write annotations, sent as Authorization: Bearer KEY; empty: nobody (unless open_writes)"),
    KEY(open_writes, TS_CONF_BOOL, "false", 0, 0, "let anyone write annotations, without a key (a scholar's own machine)"),
    KEY(search_db, TS_CONF_STRING, "", 0, 0, "file of the search index (SQLite); empty keeps it in memory, rebuilt from the folders at start"),
    KEY(walk_max_entries, TS_CONF_INT, "1000000", 100, INT64_C(1000000000), "folder entries one walk of the tree may read (a Collection and its items, the home page, the catalogue index, an export); a walk past it stops and says so in the log"),
    KEY(walk_max_depth, TS_CONF_INT, "32", 1, 1000, "folder levels below the root that tessera looks into"),
    KEY(max_sidecar_kb, TS_CONF_INT, "1024", 1, 1048576, "largest sidecar (manifest.yml, collection.yml, metadata.csv) read, in KiB; a larger one is ignored and reported"),
    KEY(search_rescan, TS_CONF_INT, "10", 0, 86400, "seconds after which a search first brings the index up to date with the folders (0: before every search)"),
    KEY(meta_cache_mb, TS_CONF_INT, "64", 0, 65536, "memory for image metadata (sizes, pyramid levels), in MiB; 0 turns it off"),
    KEY(access_log, TS_CONF_STRING, "-", 0, 0, "access log: - for stderr, off, or a file path"),
    ENUM_KEY(log_level, "info", "error|warn|info|debug", "diagnostic log level"),
    ENUM_KEY(resample, "lanczos3", "lanczos3|lanczos2|cubic|mitchell|linear|nearest",
             "kernel for resizing: lanczos3 is the sharpest; linear makes large downsized answers (thumbnails, full/!w,h) about 1.4x as fast"),
    {NULL, TS_CONF_STRING, 0, NULL, 0, 0, NULL, NULL},
};

/* Compares a key name with `s`, where '-' in `s` stands for '_'. */
static int name_eq(const char *key, const char *s, size_t n)
{
    if (strlen(key) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '-' ? '_' : s[i];
        if (c != key[i])
            return 0;
    }
    return 1;
}

static const struct ts_config_key *find_key(const char *name, size_t n)
{
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        if (name_eq(k->name, name, n))
            return k;
    }
    return NULL;
}

bool ts_config_choice_ok(const struct ts_config_key *k, const char *value)
{
    size_t n = strlen(value);
    for (const char *c = k->choices; c != NULL && *c != '\0';) {
        const char *bar = strchr(c, '|');
        size_t len = bar != NULL ? (size_t)(bar - c) : strlen(c);
        if (len == n && n > 0 && memcmp(c, value, n) == 0)
            return true;
        c = bar != NULL ? bar + 1 : NULL;
    }
    return false;
}

static int parse_bool(const char *v, bool *out)
{
    if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
        strcasecmp(v, "off") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

static int set_key(struct ts_config *c, const struct ts_config_key *k, const char *value, struct ts_error *err)
{
    char *field = (char *)c + k->offset;
    switch (k->type) {
    case TS_CONF_ENUM:
        if (!ts_config_choice_ok(k, value))
            return ts_error_set(err, 400, "%s: '%s' is not one of %s", k->name, value, k->choices);
        /* fall through */
    case TS_CONF_STRING: {
        char *copy = strdup(value);
        if (copy == NULL)
            return ts_error_set(err, 500, "out of memory");
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case TS_CONF_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0')
            return ts_error_set(err, 400, "%s: '%s' is not a whole number", k->name, value);
        if (v < k->min || v > k->max)
            return ts_error_set(err, 400, "%s: %lld is out of range %lld..%lld", k->name, v, (long long)k->min,
                                (long long)k->max);
        *(int64_t *)field = v;
        return 0;
    }
    case TS_CONF_BOOL:
        if (parse_bool(value, (bool *)field) != 0)
            return ts_error_set(err, 400, "%s: '%s' is not true or false", k->name, value);
        return 0;
    }
    return ts_error_set(err, 500, "%s: unknown type", k->name);
}

static bool is_string(const struct ts_config_key *k)
{
    return k->type == TS_CONF_STRING || k->type == TS_CONF_ENUM;
}

void ts_config_init(struct ts_config *c)
{
    memset(c, 0, sizeof(*c));
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        int rc = set_key(c, k, k->def, NULL);
        (void)rc;
    }
}

void ts_config_release(struct ts_config *c)
{
    if (c == NULL)
        return;
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        if (is_string(k)) {
            char **field = (char **)((char *)c + k->offset);
            free(*field);
            *field = NULL;
        }
    }
}

int ts_config_copy(struct ts_config *dst, const struct ts_config *src)
{
    memcpy(dst, src, sizeof(*dst));
    int rc = 0;
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        if (!is_string(k))
            continue;
        char **field = (char **)((char *)dst + k->offset);
        const char *v = *field;
        *field = v != NULL ? strdup(v) : NULL;
        if (v != NULL && *field == NULL)
            rc = -1;
    }
    if (rc != 0)
        ts_config_release(dst);
    return rc;
}

int ts_config_copy_key(struct ts_config *dst, const struct ts_config *src, const struct ts_config_key *k)
{
    char *fd = (char *)dst + k->offset;
    const char *fs = (const char *)src + k->offset;
    if (!is_string(k)) {
        memcpy(fd, fs, k->type == TS_CONF_INT ? sizeof(int64_t) : sizeof(bool));
        return 0;
    }
    const char *v = *(char *const *)fs;
    char *copy = v != NULL ? strdup(v) : NULL;
    if (v != NULL && copy == NULL)
        return -1;
    free(*(char **)fd);
    *(char **)fd = copy;
    return 0;
}

bool ts_config_key_equal(const struct ts_config_key *k, const struct ts_config *a, const struct ts_config *b)
{
    const char *fa = (const char *)a + k->offset, *fb = (const char *)b + k->offset;
    if (is_string(k)) {
        const char *sa = *(char *const *)fa, *sb = *(char *const *)fb;
        return strcmp(sa != NULL ? sa : "", sb != NULL ? sb : "") == 0;
    }
    if (k->type == TS_CONF_INT)
        return *(const int64_t *)fa == *(const int64_t *)fb;
    return *(const bool *)fa == *(const bool *)fb;
}

int ts_config_set(struct ts_config *c, const char *name, const char *value, struct ts_error *err)
{
    const struct ts_config_key *k = find_key(name, strlen(name));
    if (k == NULL)
        return ts_error_set(err, 400, "unknown setting '%s' (see tessera serve --help)", name);
    return set_key(c, k, value, err);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int ts_config_load_file(struct ts_config *c, const char *path, struct ts_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return ts_error_set(err, 400, "cannot open config file %s: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = ts_error_set(err, 400, "%s:%d: line too long", path, lineno);
            break;
        }
        /* '#' starts a comment, except inside a quoted value */
        bool quoted = false;
        for (char *c = line; *c != '\0'; c++) {
            if (*c == '"')
                quoted = !quoted;
            else if (*c == '#' && !quoted) {
                *c = '\0';
                break;
            }
        }
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = ts_error_set(err, 400, "%s:%d: expected 'key = value'", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vn = strlen(value);
        if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
            value[vn - 1] = '\0';
            value++;
        }
        struct ts_error e;
        if (ts_config_set(c, key, value, &e) != 0) {
            rc = ts_error_set(err, 400, "%s:%d: %s", path, lineno, e.msg);
            break;
        }
    }
    fclose(f);
    return rc;
}

int ts_config_load_env(struct ts_config *c, char *const *envp, struct ts_error *err)
{
    for (; envp != NULL && *envp != NULL; envp++) {
        const char *e = *envp;
        if (strncmp(e, "TESSERA_", 8) != 0 || strncmp(e, "TESSERA_CONFIG=", 15) == 0)
            continue;
        const char *eq = strchr(e, '=');
        if (eq == NULL)
            continue;
        char name[64];
        size_t n = (size_t)(eq - (e + 8));
        if (n >= sizeof(name))
            return ts_error_set(err, 400, "unknown environment variable %.*s", (int)(eq - e), e);
        for (size_t i = 0; i < n; i++)
            name[i] = (char)tolower((unsigned char)e[8 + i]);
        name[n] = '\0';
        const struct ts_config_key *k = find_key(name, n);
        if (k == NULL)
            return ts_error_set(err, 400, "unknown environment variable %.*s", (int)(eq - e), e);
        struct ts_error e2;
        if (set_key(c, k, eq + 1, &e2) != 0)
            return ts_error_set(err, 400, "environment: %s", e2.msg);
    }
    return 0;
}

int ts_config_load(struct ts_config *c, int argc, char **argv, char *const *envp, struct ts_error *err)
{
    const char *file = NULL;
    ts_config_init(c);
    for (char *const *e = envp; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, "TESSERA_CONFIG=", 15) == 0)
            file = *e + 15;
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return ts_error_set(err, 400, "option '--config' needs a file");
            file = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            file = argv[i] + 9;
        }
    }
    if (file != NULL && *file != '\0' && ts_config_load_file(c, file, err) != 0)
        return -1;
    if (ts_config_load_env(c, envp, err) != 0)
        return -1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            return ts_error_set(err, 400, "unexpected argument '%s'", a);
        a += 2;
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        if (n == 6 && strncmp(a, "config", 6) == 0) {
            if (eq == NULL)
                i++;
            continue;
        }
        const struct ts_config_key *k = find_key(a, n);
        if (k == NULL)
            return ts_error_set(err, 400, "unknown option '--%.*s' (see --help)", (int)n, a);
        const char *value;
        if (eq != NULL) {
            value = eq + 1;
        } else if (k->type == TS_CONF_BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
            value = "true";
        } else {
            if (i + 1 >= argc)
                return ts_error_set(err, 400, "option '--%.*s' needs a value", (int)n, a);
            value = argv[++i];
        }
        if (set_key(c, k, value, err) != 0)
            return -1;
    }
    return 0;
}

void ts_config_print_help(FILE *out)
{
    fprintf(out, "Settings (flag --name, environment TESSERA_NAME, or 'name = value' in --config FILE):\n");
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        char flag[64];
        size_t i;
        for (i = 0; k->name[i] != '\0' && i < sizeof(flag) - 1; i++)
            flag[i] = k->name[i] == '_' ? '-' : k->name[i];
        flag[i] = '\0';
        fprintf(out, "  --%-22s %s", flag, k->doc);
        if (k->choices != NULL)
            fprintf(out, ": %s", k->choices);
        if (k->def[0] != '\0')
            fprintf(out, " [%s]", k->def);
        fputc('\n', out);
    }
}
