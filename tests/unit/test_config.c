/*
 * test_config.c: unit tests for lib/core/config.c.
 *
 * Defaults, ts_config_set by name, the config file syntax, TESSERA_*
 * variables, command-line flags and the precedence flags > env > file >
 * default. Files are written to a temporary directory that is removed at the
 * end.
 */
#include "core/config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static char tmpdir[64];

/* The key called `name`, or NULL. */
static const struct ts_config_key *key(const char *name)
{
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        if (strcmp(k->name, name) == 0)
            return k;
    }
    return NULL;
}

/* The value of key `name` in `c` as text, in a static buffer. */
static const char *value(const struct ts_config *c, const char *name)
{
    static char out[512];
    const struct ts_config_key *k = key(name);
    if (k == NULL)
        return "(no such key)";
    const char *field = (const char *)c + k->offset;
    switch (k->type) {
    case TS_CONF_ENUM:
    case TS_CONF_STRING: {
        const char *s = *(char *const *)field;
        snprintf(out, sizeof(out), "%s", s ? s : "(null)");
        break;
    }
    case TS_CONF_INT:
        snprintf(out, sizeof(out), "%lld", (long long)*(const int64_t *)field);
        break;
    case TS_CONF_BOOL:
        snprintf(out, sizeof(out), "%s", *(const bool *)field ? "true" : "false");
        break;
    }
    return out;
}

/* Writes `text` to a new file in tmpdir and returns its path (static buffer per slot). */
static const char *write_file(int slot, const char *text)
{
    static char paths[4][128];
    snprintf(paths[slot], sizeof(paths[slot]), "%s/conf%d", tmpdir, slot);
    FILE *f = fopen(paths[slot], "w");
    if (f == NULL) {
        T_CHECK(0, "cannot create %s", paths[slot]);
        return paths[slot];
    }
    fputs(text, f);
    fclose(f);
    return paths[slot];
}

static void test_defaults(void)
{
    struct ts_config c;
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    /* A few literal defaults the documentation promises. */
    T_STREQ(c.host, "127.0.0.1", "default host");
    T_CHECK(c.port == 8182, "default port %lld", (long long)c.port);
    T_CHECK(c.max_width == 10000, "default max_width %lld", (long long)c.max_width);
    T_CHECK(c.max_height == 0, "default max_height %lld", (long long)c.max_height);
    T_CHECK(c.max_area == 100000000, "default max_area %lld", (long long)c.max_area);
    T_CHECK(!c.confined_size_strict && !c.upscale_max_to_limits, "default bools not false");
    T_STREQ(c.root, "", "default root");
    T_STREQ(c.cache_control, "public, max-age=86400", "default cache_control");
    T_STREQ(c.log_level, "info", "default log_level");
    /* Every key gets its default text, inside its own range. */
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
        const char *v = value(&c, k->name);
        if (k->type == TS_CONF_BOOL) {
            const char *want = strcmp(k->def, "true") == 0 ? "true" : "false";
            T_CHECK(strcmp(v, want) == 0, "default of %s: got %s, want %s", k->name, v, want);
        } else {
            T_CHECK(strcmp(v, k->def) == 0, "default of %s: got '%s', want '%s'", k->name, v, k->def);
        }
        if (k->type == TS_CONF_INT) {
            long long n = atoll(k->def);
            T_CHECK(n >= k->min && n <= k->max, "default of %s (%lld) outside %lld..%lld", k->name, n,
                    (long long)k->min, (long long)k->max);
        }
        T_CHECK(k->doc != NULL && k->doc[0] != '\0', "key %s has no doc", k->name);
        T_CHECK((k->type == TS_CONF_ENUM) == (k->choices != NULL), "key %s: choices go with TS_CONF_ENUM", k->name);
        if (k->type == TS_CONF_ENUM)
            T_CHECK(ts_config_choice_ok(k, k->def), "default of %s is not one of its choices", k->name);
    }
    ts_config_release(&c);
    T_CHECK(c.host == NULL && c.root == NULL, "release left strings behind");
    ts_config_release(NULL);
}

static void test_set(void)
{
    /* rc 0: `check` must then read `want`; rc -1: the message must contain `want`. */
    static const struct {
        const char *name, *val;
        int rc;
        const char *check, *want;
    } cases[] = {
        {"max_width", "5000", 0, "max_width", "5000"},
        {"max-width", "5001", 0, "max_width", "5001"},
        {"max_width", "1", 0, "max_width", "1"},
        {"max_width", "1000000", 0, "max_width", "1000000"},
        {"max_width", "0", -1, NULL, "max_width"},
        {"max_width", "1000001", -1, NULL, "out of range"},
        {"max_width", "-5", -1, NULL, "out of range"},
        {"max_width", "abc", -1, NULL, "not a whole number"},
        {"max_width", "", -1, NULL, "not a whole number"},
        {"max_width", "12abc", -1, NULL, "not a whole number"},
        {"max_width", "5.5", -1, NULL, "not a whole number"},
        {"max_width", "0x10", -1, NULL, "not a whole number"},
        {"max_width", "99999999999999999999999", -1, NULL, "max_width"},
        {"max_area", "1000000000000", 0, "max_area", "1000000000000"},
        {"max_area", "1000000000001", -1, NULL, "out of range"},
        {"port", "0", 0, "port", "0"},
        {"port", "65535", 0, "port", "65535"},
        {"port", "65536", -1, NULL, "port"},
        {"png_compression", "0", 0, "png_compression", "0"},
        {"png_compression", "10", -1, NULL, "png_compression"},
        {"jpeg_quality", "0", -1, NULL, "jpeg_quality"},
        {"tile-size", "256", 0, "tile_size", "256"},
        {"tile_size", "8", -1, NULL, "tile_size"},
        {"confined_size_strict", "true", 0, "confined_size_strict", "true"},
        {"confined_size_strict", "1", 0, "confined_size_strict", "true"},
        {"confined_size_strict", "yes", 0, "confined_size_strict", "true"},
        {"confined_size_strict", "on", 0, "confined_size_strict", "true"},
        {"confined_size_strict", "false", 0, "confined_size_strict", "false"},
        {"confined_size_strict", "0", 0, "confined_size_strict", "false"},
        {"confined_size_strict", "no", 0, "confined_size_strict", "false"},
        {"confined-size-strict", "off", 0, "confined_size_strict", "false"},
        {"upscale-max-to-limits", "on", 0, "upscale_max_to_limits", "true"},
        {"confined_size_strict", "maybe", -1, NULL, "not true or false"},
        {"confined_size_strict", "", -1, NULL, "confined_size_strict"},
        {"confined_size_strict", "TRUE", 0, "confined_size_strict", "true"}, /* bool values ignore case */
        {"confined_size_strict", "Off", 0, "confined_size_strict", "false"},
        {"resample", "linear", 0, "resample", "linear"},
        {"resample", "lanczos3", 0, "resample", "lanczos3"},
        {"resample", "nearest", 0, "resample", "nearest"},
        {"resample", "Linear", -1, NULL, "not one of lanczos3|"},
        {"resample", "lanczos", -1, NULL, "not one of"},
        {"resample", "lanczos33", -1, NULL, "not one of"},
        {"resample", "", -1, NULL, "resample"},
        {"resample", "linear|cubic", -1, NULL, "not one of"},
        {"log_level", "debug", 0, "log_level", "debug"},
        {"log_level", "verbose", -1, NULL, "error|warn|info|debug"},
        {"root", "/srv/images", 0, "root", "/srv/images"},
        {"rights", "", 0, "rights", ""},
        {"base-url", "https://img.example.org/iiif", 0, "base_url", "https://img.example.org/iiif"},
        {"cache_control", "no-cache, \"x\"", 0, "cache_control", "no-cache, \"x\""},
        {"no_such_key", "1", -1, NULL, "no_such_key"},
        {"", "1", -1, NULL, "unknown setting"},
        {"MAX_WIDTH", "1", -1, NULL, "unknown setting"}, /* names are case-sensitive */
        {"max_width_", "1", -1, NULL, "unknown setting"},
        {"max width", "1", -1, NULL, "unknown setting"},
        {"--max-width", "1", -1, NULL, "unknown setting"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_config c;
        memset(&c, 0, sizeof(c));
        ts_config_init(&c);
        struct ts_error err;
        ts_error_clear(&err);
        int rc = ts_config_set(&c, cases[i].name, cases[i].val, &err);
        T_CHECK(rc == cases[i].rc, "set %s=%s: rc %d, want %d (%s)", cases[i].name, cases[i].val, rc, cases[i].rc,
                err.msg);
        if (cases[i].rc == 0 && rc == 0) {
            const char *got = value(&c, cases[i].check);
            T_CHECK(strcmp(got, cases[i].want) == 0, "set %s=%s: %s is '%s', want '%s'", cases[i].name, cases[i].val,
                    cases[i].check, got, cases[i].want);
        } else if (cases[i].rc != 0 && rc != 0) {
            T_CHECK(err.status == 400, "set %s=%s: status %d", cases[i].name, cases[i].val, err.status);
            T_CHECK(strstr(err.msg, cases[i].want) != NULL, "set %s=%s: message '%s' lacks '%s'", cases[i].name,
                    cases[i].val, err.msg, cases[i].want);
        }
        ts_config_release(&c);
    }

    /* A failed set leaves the old value; a second set of a string frees the first. */
    struct ts_config c;
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    T_CHECK(ts_config_set(&c, "max_width", "777", NULL) == 0, "set with NULL err");
    T_CHECK(ts_config_set(&c, "max_width", "oops", NULL) == -1, "bad set with NULL err accepted");
    T_CHECK(c.max_width == 777, "failed set changed max_width to %lld", (long long)c.max_width);
    T_CHECK(ts_config_set(&c, "host", "a", NULL) == 0 && ts_config_set(&c, "host", "b", NULL) == 0, "string twice");
    T_STREQ(c.host, "b", "second string set");
    ts_config_release(&c);
}

static void test_file(void)
{
    struct ts_config c;
    struct ts_error err;
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    const char *path = write_file(0,
                                  "# a comment line\n"
                                  "\n"
                                  "   \t \n"
                                  "max_width = 5000   # trailing comment\n"
                                  "  max-height=4000\n"
                                  "jpeg_quality\t=\t90\n"
                                  "rights = \"http://rightsstatements.org/vocab/InC/1.0/\"\n"
                                  "cache_control = \"\"\n"
                                  "log_level = debug\r\n"
                                  "confined_size_strict = yes\n"
                                  "base_url = \"https://example.org/#not-a-comment\" # a comment\n"
                                  "preferred_formats =\n"
                                  "host = \"0.0.0.0\n");
    ts_error_clear(&err);
    T_CHECK(ts_config_load_file(&c, path, &err) == 0, "good file refused: %s", err.msg);
    T_CHECK(c.max_width == 5000, "file max_width %lld", (long long)c.max_width);
    T_CHECK(c.max_height == 4000, "file max-height %lld", (long long)c.max_height);
    T_CHECK(c.jpeg_quality == 90, "file jpeg_quality (tabs) %lld", (long long)c.jpeg_quality);
    T_STREQ(c.rights, "http://rightsstatements.org/vocab/InC/1.0/", "file quoted value");
    T_STREQ(c.cache_control, "", "file empty quoted value");
    T_STREQ(c.log_level, "debug", "file CRLF line");
    T_CHECK(c.confined_size_strict, "file bool");
    T_STREQ(c.base_url, "https://example.org/#not-a-comment", "file '#' inside quotes");
    T_STREQ(c.preferred_formats, "", "file empty value");
    T_STREQ(c.host, "\"0.0.0.0", "file unbalanced quote kept as is");
    T_CHECK(c.port == 8182, "file changed port it does not mention");
    ts_config_release(&c);

    /* Bad files: the error names the file and the line, and says what is wrong. */
    static const struct {
        const char *text;
        const char *where; /* ":N:" */
        const char *what;
    } bad[] = {
        {"max_width = 5000\nmax_width 6000\n", ":2:", "expected 'key = value'"},
        {"# ok\n\nnope = 1\n", ":3:", "unknown setting 'nope'"},
        {"max_width = abc\n", ":1:", "not a whole number"},
        {"port = 70000\n", ":1:", "out of range"},
        {"confined_size_strict = perhaps\n", ":1:", "not true or false"},
        {"= 5\n", ":1:", "unknown setting ''"},
        {"max_width = 5 # ok\n\"max_width\" = 5\n", ":2:", "unknown setting"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&c, 0, sizeof(c));
        ts_config_init(&c);
        path = write_file(1, bad[i].text);
        ts_error_clear(&err);
        int rc = ts_config_load_file(&c, path, &err);
        T_CHECK(rc == -1, "bad file %zu accepted", i);
        T_CHECK(err.status == 400, "bad file %zu: status %d", i, err.status);
        T_CHECK(strstr(err.msg, path) != NULL, "bad file %zu: message '%s' lacks the path", i, err.msg);
        T_CHECK(strstr(err.msg, bad[i].where) != NULL, "bad file %zu: message '%s' lacks '%s'", i, err.msg,
                bad[i].where);
        T_CHECK(strstr(err.msg, bad[i].what) != NULL, "bad file %zu: message '%s' lacks '%s'", i, err.msg,
                bad[i].what);
        ts_config_release(&c);
    }

    /* A line longer than the reader's 4 KiB line buffer. */
    char *longline = malloc(6000);
    memset(longline, 'x', 5000);
    strcpy(longline + 5000, " = 1\n");
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    path = write_file(2, longline);
    ts_error_clear(&err);
    T_CHECK(ts_config_load_file(&c, path, &err) == -1 && strstr(err.msg, ":1: line too long") != NULL,
            "long line: '%s'", err.msg);
    free(longline);
    ts_config_release(&c);

    /* A missing file. */
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    char missing[128];
    snprintf(missing, sizeof(missing), "%s/does-not-exist", tmpdir);
    ts_error_clear(&err);
    T_CHECK(ts_config_load_file(&c, missing, &err) == -1 && err.status == 400 && strstr(err.msg, missing) != NULL,
            "missing file: '%s'", err.msg);
    ts_config_release(&c);
}

static void test_env(void)
{
    struct ts_config c;
    struct ts_error err;
    char *good[] = {"PATH=/usr/bin",
                    "TESSERA_MAX_WIDTH=3000",
                    "TESSERA_CONFINED_SIZE_STRICT=true",
                    "TESSERA_host=0.0.0.0",
                    "TESSERA_CONFIG=/nonexistent/ignored-here",
                    "TESSERA_NO_EQUALS_SIGN",
                    "XTESSERA_PORT=1",
                    "TESSERA_RIGHTS=",
                    NULL};
    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    ts_error_clear(&err);
    T_CHECK(ts_config_load_env(&c, good, &err) == 0, "good env refused: %s", err.msg);
    T_CHECK(c.max_width == 3000, "env max_width %lld", (long long)c.max_width);
    T_CHECK(c.confined_size_strict, "env bool");
    T_STREQ(c.host, "0.0.0.0", "env lower-case name");
    T_STREQ(c.rights, "", "env empty value");
    T_CHECK(c.port == 8182, "env XTESSERA_PORT was applied");
    ts_config_release(&c);

    static const struct {
        const char *var, *what;
    } bad[] = {
        {"TESSERA_NOPE=1", "TESSERA_NOPE"},
        {"TESSERA_MAX_WIDTH=wide", "max_width"},
        {"TESSERA_PORT=99999", "port"},
        {"TESSERA_=1", "unknown environment variable"},
        {"TESSERA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=1",
         "unknown environment variable"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *env[] = {(char *)bad[i].var, NULL};
        memset(&c, 0, sizeof(c));
        ts_config_init(&c);
        ts_error_clear(&err);
        T_CHECK(ts_config_load_env(&c, env, &err) == -1, "bad env %s accepted", bad[i].var);
        T_CHECK(err.status == 400 && strstr(err.msg, bad[i].what) != NULL, "bad env %s: '%s' lacks '%s'", bad[i].var,
                err.msg, bad[i].what);
        ts_config_release(&c);
    }

    memset(&c, 0, sizeof(c));
    ts_config_init(&c);
    T_CHECK(ts_config_load_env(&c, NULL, &err) == 0, "NULL envp refused");
    ts_config_release(&c);
}

/* Runs ts_config_load on a NULL-terminated argument list. */
static int load(struct ts_config *c, const char **args, char **env, struct ts_error *err)
{
    int argc = 0;
    while (args[argc] != NULL)
        argc++;
    memset(c, 0, sizeof(*c));
    ts_error_clear(err);
    return ts_config_load(c, argc, (char **)args, env, err);
}

static void test_flags(void)
{
    /* Each case: arguments, rc, then `check` == `want` (rc 0) or the message contains `want`. */
    static const struct {
        const char *args[6];
        int rc;
        const char *check, *want;
    } cases[] = {
        {{NULL}, 0, "port", "8182"},
        {{"--max-width", "123", NULL}, 0, "max_width", "123"},
        {{"--max-width=124", NULL}, 0, "max_width", "124"},
        {{"--max_width=125", NULL}, 0, "max_width", "125"},
        {{"--host", "::1", NULL}, 0, "host", "::1"},
        {{"--rights=", NULL}, 0, "rights", ""},
        {{"--cache-control", "--weird", NULL}, 0, "cache_control", "--weird"},
        {{"--confined-size-strict", NULL}, 0, "confined_size_strict", "true"},
        {{"--confined-size-strict", "--port", "9", NULL}, 0, "confined_size_strict", "true"},
        {{"--confined-size-strict", "--port", "9", NULL}, 0, "port", "9"},
        {{"--confined-size-strict", "false", NULL}, 0, "confined_size_strict", "false"},
        {{"--confined-size-strict=no", NULL}, 0, "confined_size_strict", "false"},
        {{"--upscale-max-to-limits", NULL}, 0, "upscale_max_to_limits", "true"},
        {{"--port", "1", "--port", "2", NULL}, 0, "port", "2"},
        {{"--port", NULL}, -1, NULL, "needs a value"},
        {{"--port=abc", NULL}, -1, NULL, "port"},
        {{"--confined-size-strict", "maybe", NULL}, -1, NULL, "not true or false"},
        {{"serve", NULL}, -1, NULL, "unexpected argument 'serve'"},
        {{"-p", "1", NULL}, -1, NULL, "unexpected argument '-p'"},
        {{"--nope=1", NULL}, -1, NULL, "unknown option '--nope'"},
        {{"--", NULL}, -1, NULL, "unknown option"},
        {{"--port", "1", "extra", NULL}, -1, NULL, "unexpected argument 'extra'"},
    };
    char *env[] = {NULL};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_config c;
        struct ts_error err;
        int rc = load(&c, (const char **)cases[i].args, env, &err);
        T_CHECK(rc == cases[i].rc, "flags case %zu: rc %d, want %d (%s)", i, rc, cases[i].rc, err.msg);
        if (cases[i].rc == 0 && rc == 0) {
            const char *got = value(&c, cases[i].check);
            T_CHECK(strcmp(got, cases[i].want) == 0, "flags case %zu: %s is '%s', want '%s'", i, cases[i].check, got,
                    cases[i].want);
        } else if (cases[i].rc != 0 && rc != 0) {
            T_CHECK(err.status == 400 && strstr(err.msg, cases[i].want) != NULL,
                    "flags case %zu: message '%s' lacks '%s'", i, err.msg, cases[i].want);
        }
        ts_config_release(&c);
    }
}

/* flags > env > file > default, and where the file name comes from. */
static void test_precedence(void)
{
    struct ts_config c;
    struct ts_error err;
    const char *file = write_file(0, "max_width = 100\nport = 1000\njpeg_quality = 10\nwebp_quality = 11\n");
    const char *other = write_file(1, "max_width = 200\n");
    char envfile[160];
    snprintf(envfile, sizeof(envfile), "TESSERA_CONFIG=%s", file);
    char *env[] = {envfile, "TESSERA_PORT=2000", "TESSERA_JPEG_QUALITY=20", NULL};

    const char *args[] = {"--jpeg-quality", "30", NULL};
    T_CHECK(load(&c, args, env, &err) == 0, "precedence: %s", err.msg);
    T_CHECK(c.max_width == 100, "file value lost: max_width %lld", (long long)c.max_width);
    T_CHECK(c.port == 2000, "env must beat file: port %lld", (long long)c.port);
    T_CHECK(c.jpeg_quality == 30, "flag must beat env: jpeg_quality %lld", (long long)c.jpeg_quality);
    T_CHECK(c.webp_quality == 11, "file value lost: webp_quality %lld", (long long)c.webp_quality);
    T_CHECK(c.avif_quality == 50, "default lost: avif_quality %lld", (long long)c.avif_quality);
    ts_config_release(&c);

    /* --config FILE beats TESSERA_CONFIG, in both spellings. */
    const char *args2[] = {"--config", other, NULL};
    T_CHECK(load(&c, args2, env, &err) == 0, "--config FILE: %s", err.msg);
    T_CHECK(c.max_width == 200 && c.webp_quality == 80, "--config FILE not used: max_width %lld",
            (long long)c.max_width);
    T_CHECK(c.port == 2000, "--config FILE: env lost");
    ts_config_release(&c);
    char eq[160];
    snprintf(eq, sizeof(eq), "--config=%s", other);
    const char *args3[] = {eq, "--max-width", "300", NULL};
    T_CHECK(load(&c, args3, env, &err) == 0, "--config=FILE: %s", err.msg);
    T_CHECK(c.max_width == 300, "flag must beat --config file: %lld", (long long)c.max_width);
    ts_config_release(&c);

    /* A file that does not load stops the whole load, with its message. */
    char *env_missing[] = {"TESSERA_CONFIG=/nonexistent/tessera.conf", NULL};
    const char *none[] = {NULL};
    T_CHECK(load(&c, none, env_missing, &err) == -1 && strstr(err.msg, "/nonexistent/tessera.conf") != NULL,
            "missing TESSERA_CONFIG file: '%s'", err.msg);
    ts_config_release(&c);

    /* An empty TESSERA_CONFIG means no file. */
    char *env_empty[] = {"TESSERA_CONFIG=", NULL};
    T_CHECK(load(&c, none, env_empty, &err) == 0 && c.max_width == 10000, "empty TESSERA_CONFIG: %s", err.msg);
    ts_config_release(&c);

    /* --config with nothing after it is an error, not silently ignored. */
    const char *args5[] = {"--max-width", "5", "--config", NULL};
    T_CHECK(load(&c, args5, env, &err) == -1 && strstr(err.msg, "--config") != NULL, "dangling --config: '%s'",
            err.msg);
    ts_config_release(&c);

    /* A bad environment variable stops the load even when the flags are fine. */
    char *env_bad[] = {"TESSERA_PORT=x", NULL};
    const char *args4[] = {"--port", "5", NULL};
    T_CHECK(load(&c, args4, env_bad, &err) == -1 && strstr(err.msg, "port") != NULL, "bad env with flags: '%s'",
            err.msg);
    ts_config_release(&c);
}

static void test_help(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/help", tmpdir);
    FILE *f = fopen(path, "w+");
    if (f == NULL) {
        T_CHECK(0, "cannot create %s", path);
        return;
    }
    ts_config_print_help(f);
    rewind(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    remove(path);
    T_CHECK(strstr(text, "--max-width") != NULL && strstr(text, "[10000]") != NULL, "help lacks --max-width [10000]");
    T_CHECK(strstr(text, "--confined-size-strict") != NULL, "help lacks --confined-size-strict");
    T_CHECK(strstr(text, "--max_width") == NULL, "help shows an underscore flag name");
}

/* Deep copies, copying one key, and comparing keys: what a reload is built from. */
static void test_copy(void)
{
    struct ts_config a, b;
    memset(&a, 0, sizeof(a));
    ts_config_init(&a);
    ts_config_set(&a, "root", "/srv/a", NULL);
    ts_config_set(&a, "max_width", "1234", NULL);
    ts_config_set(&a, "passthrough", "false", NULL);
    ts_config_set(&a, "resample", "linear", NULL);
    T_CHECK(ts_config_copy(&b, &a) == 0, "copy");
    T_CHECK(b.root != a.root && strcmp(b.root, "/srv/a") == 0, "strings are copied, not shared");
    for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++)
        T_CHECK(ts_config_key_equal(k, &a, &b), "%s differs after a copy", k->name);
    ts_config_set(&b, "root", "/srv/b", NULL);
    ts_config_set(&b, "max_width", "99", NULL);
    ts_config_set(&b, "passthrough", "true", NULL);
    ts_config_set(&b, "resample", "cubic", NULL);
    static const char *const changed[] = {"root", "max_width", "passthrough", "resample"};
    for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
        const struct ts_config_key *k = key(changed[i]);
        T_CHECK(!ts_config_key_equal(k, &a, &b), "%s: a change is seen", changed[i]);
        T_CHECK(ts_config_copy_key(&b, &a, k) == 0 && ts_config_key_equal(k, &a, &b), "%s copied back", changed[i]);
    }
    T_STREQ(b.root, "/srv/a", "root copied back");
    T_CHECK(b.root != a.root, "a copied key owns its string");
    T_CHECK(b.max_width == 1234 && !b.passthrough, "numbers and booleans copied back");
    ts_config_release(&a);
    T_STREQ(b.root, "/srv/a", "the copy outlives the original");
    ts_config_release(&b);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tessera-test-config-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_defaults();
    test_set();
    test_copy();
    test_file();
    test_env();
    test_flags();
    test_precedence();
    test_help();
    for (int i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof(p), "%s/conf%d", tmpdir, i);
        remove(p);
    }
    rmdir(tmpdir);
    return t_done();
}
