/*
 * config.h: every setting of the server, in one table.
 *
 * Each key has a name (`max_width`), a type, a default and a line of
 * documentation. A key can be set, from weakest to strongest, by its default,
 * a config file (`max_width = 5000`), an environment variable
 * (`TESSERA_MAX_WIDTH=5000`) and a command-line flag (`--max-width 5000` or
 * `--max-width=5000`). `tessera serve --help` prints the table.
 *
 * Strings in a loaded struct ts_config are owned by it (ts_config_release).
 */
#ifndef TS_CORE_CONFIG_H
#define TS_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct ts_config {
    char *root;             /* folder of images; "" = the bundled samples */
    char *host;             /* address to listen on */
    int64_t port;           /* TCP port */
    int64_t threads;        /* pixel worker threads; 0 = one per core */
    int64_t loops;          /* network event loops; 0 = one per core */
    int64_t queue_size;     /* pixel jobs that may wait before 503 */
    int64_t heavy_mp;       /* a job decoding this many megapixels or more is heavy */
    int64_t heavy_queue;    /* heavy jobs that may wait before 503 */
    int64_t work_memory_mb; /* memory for answers being made; 0 = half the machine's, less the caches */
    int64_t max_connections; /* open connections; more are answered 503 and closed */
    int64_t idle_timeout;   /* seconds to receive a request's headers, and between keep-alive requests */
    int64_t request_timeout; /* seconds a render may run; 0 = no limit */
    int64_t drain_timeout;  /* seconds SIGTERM waits for in-flight requests */
    int64_t max_url;        /* longest request target, in bytes */
    int64_t max_header_bytes; /* largest request head (all header names and values), in bytes */
    int64_t max_body_kb;    /* largest request body, in KiB */
    int64_t max_source_mp;  /* largest image opened, in megapixels at full resolution */
    int64_t max_decode_mp;  /* most pixels one request may decode, in megapixels */
    char *base_url;         /* public URL prefix used in ids; "" = from the request */
    char *trusted_proxies;  /* addresses and networks whose forwarding headers are believed */
    char *hosts;            /* with base_url unset: the host names answered for; "" = any */
    char *site_title;       /* the home page's title; "" = the root Collection's label */
    char *tls_cert;         /* PEM certificate chain: enables TLS and HTTP/2 */
    char *tls_key;          /* PEM private key */
    bool h2c;               /* HTTP/2 in cleartext (prior knowledge, Upgrade: h2c) */
    int64_t http2_max_streams; /* HTTP/2 requests one connection may have in progress */
    int64_t max_unsent_mb;  /* answers one connection may hold unread before its requests get 503 */
    int64_t max_width;      /* largest output width */
    int64_t max_height;     /* largest output height; 0 = max_width */
    int64_t max_area;       /* largest output area in pixels */
    int64_t tile_size;      /* tile edge advertised for images without native tiles */
    bool confined_size_strict; /* 3.0 `!w,h` past the region: 400 instead of clamping */
    bool upscale_max_to_limits; /* `^max` enlarges to the limits instead of the region's size */
    char *extensions;       /* file extensions tried, in order, for an identifier */
    char *rights;           /* URI for `rights` (3.0) and `license` (2.1) */
    char *preferred_formats; /* comma list for preferredFormats; "" = none */
    int64_t jpeg_quality;   /* 1-100 */
    int64_t webp_quality;   /* 1-100 */
    int64_t webp_effort;    /* 0-6 */
    int64_t avif_quality;   /* 1-100 */
    int64_t jp2_quality;    /* 1-100 */
    int64_t png_compression; /* 0-9 */
    int64_t vips_threads;   /* libvips threads per request */
    bool simd;              /* libvips's run-time compiled SIMD (liborc) */
    bool passthrough;       /* send stored JPEG tiles of TIFFs without decoding */
    int64_t spool_mp;       /* answers of this many megapixels or more are spooled to a file */
    char *spool_dir;        /* where spool files live (anonymous, O_TMPFILE) */
    char *cache_control;    /* Cache-Control for images and info.json; "" = none */
    int64_t cache_mb;       /* response cache budget in MiB; 0 = off */
    int64_t meta_cache_mb;  /* metadata cache budget in MiB; 0 = off */
    char *search_db;        /* search index file; "" = in memory */
    char *data_dir;         /* where annotations are kept (made on the first write) */
    char *write_keys;       /* comma-separated keys that may write annotations (Authorization: Bearer K) */
    bool open_writes;       /* anyone may write annotations */
    int64_t walk_max_entries; /* folder entries one walk of the tree may read */
    int64_t walk_max_depth; /* folder levels below the root */
    int64_t max_sidecar_kb; /* largest sidecar read, in KiB */
    char *viewer_dir;       /* node_modules with the viewer packages; "" = the source tree's */
    int64_t search_rescan;  /* seconds */
    char *access_log;       /* "-" = stderr, "off", or a file path */
    char *log_level;        /* error, warn, info, debug */
    char *resample;         /* resize kernel: lanczos3, lanczos2, cubic, mitchell, linear, nearest */
};

/* A TS_CONF_ENUM is stored as a string (char *) that is one of `choices`. */
enum ts_config_type { TS_CONF_STRING, TS_CONF_INT, TS_CONF_BOOL, TS_CONF_ENUM };

struct ts_config_key {
    const char *name;        /* e.g. "max_width" */
    enum ts_config_type type;
    size_t offset;           /* of the field in struct ts_config */
    const char *def;         /* default, as text */
    int64_t min, max;        /* range for TS_CONF_INT */
    const char *doc;         /* one line */
    const char *choices;     /* TS_CONF_ENUM: the allowed values, "a|b|c" */
};

/** Whether `value` is one of the choices of TS_CONF_ENUM key `k`. */
bool ts_config_choice_ok(const struct ts_config_key *k, const char *value);

/** The table of keys, terminated by an entry whose name is NULL. */
extern const struct ts_config_key ts_config_keys[];

/** Sets every key to its default. The struct must be zeroed or released before. */
void ts_config_init(struct ts_config *c);

/** Frees the strings. Accepts NULL. */
void ts_config_release(struct ts_config *c);

/** Makes `dst` (uninitialised) a deep copy of `src`. Returns 0, or -1 when out of memory (dst released). */
int ts_config_copy(struct ts_config *dst, const struct ts_config *src);

/** Sets key `k` of `dst` to its value in `src`. Returns 0, or -1 when out of memory. */
int ts_config_copy_key(struct ts_config *dst, const struct ts_config *src, const struct ts_config_key *k);

/** Whether key `k` has the same value in `a` and `b`. */
bool ts_config_key_equal(const struct ts_config_key *k, const struct ts_config *a, const struct ts_config *b);

/**
 * Sets key `name` (either `max_width` or `max-width`) from text `value`.
 * Returns 0, or -1 with a 400-status message for an unknown key or bad value.
 */
int ts_config_set(struct ts_config *c, const char *name, const char *value, struct ts_error *err);

/**
 * Reads `key = value` lines from the file at `path` (`#` starts a comment).
 * Errors name the file and line.
 */
int ts_config_load_file(struct ts_config *c, const char *path, struct ts_error *err);

/** Applies every TESSERA_<KEY> variable found in `envp` (NULL-terminated). */
int ts_config_load_env(struct ts_config *c, char *const *envp, struct ts_error *err);

/**
 * Builds the configuration from all sources: defaults, then the file named by
 * `--config FILE` (or TESSERA_CONFIG), then the environment, then the flags in
 * argv[0..argc). Arguments that are not flags are an error.
 */
int ts_config_load(struct ts_config *c, int argc, char **argv, char *const *envp, struct ts_error *err);

/** Prints the table of keys with defaults and docs, for --help. */
void ts_config_print_help(FILE *out);

#endif
