/*
 * datadir.c: the folders of tessera's own files (datadir.h). The build
 * passes three paths: TS_BUILD_DIR and TS_SOURCE_DIR (for a binary run in
 * its build tree) and TS_INSTALL_DATADIR (PREFIX/share/tessera).
 */
#include "core/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TS_BUILD_DIR
#define TS_BUILD_DIR ""
#endif
#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR ""
#endif
#ifndef TS_INSTALL_DATADIR
#define TS_INSTALL_DATADIR "/usr/local/share/tessera"
#endif

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder the running binary is in (no trailing slash), or "". */
static void exe_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    out[0] = '\0';
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    snprintf(out, cap, "%s", exe);
}

static void note(char *looked, size_t cap, const char *where)
{
    if (looked == NULL || cap == 0)
        return;
    size_t n = strlen(looked);
    snprintf(looked + n, cap - n, "%s%s", n > 0 ? ", " : "", where);
}

int ts_data_dir(enum ts_data what, char *out, size_t cap, char *looked, size_t looked_cap)
{
    const char *dev = what == TS_DATA_SAMPLES ? "samples" : "viewer/node_modules";
    const char *inst = what == TS_DATA_SAMPLES ? "samples" : "viewer";
    if (looked != NULL && looked_cap > 0)
        looked[0] = '\0';
    char here[PATH_MAX], cand[PATH_MAX * 2];
    exe_dir(here, sizeof(here));
    char build[PATH_MAX];
    /* 1. run in the build tree: the source tree beside it */
    if (here[0] != '\0' && TS_BUILD_DIR[0] != '\0' && realpath(TS_BUILD_DIR, build) != NULL && strcmp(here, build) == 0) {
        snprintf(cand, sizeof(cand), "%s/%s", TS_SOURCE_DIR, dev);
        if (is_dir(cand) && snprintf(out, cap, "%s", cand) < (int)cap)
            return 0;
        note(looked, looked_cap, cand);
    }
    /* 2. installed next to the binary: BIN/../share/tessera */
    if (here[0] != '\0') {
        snprintf(cand, sizeof(cand), "%s/../share/tessera/%s", here, inst);
        char real[PATH_MAX];
        if (realpath(cand, real) != NULL && is_dir(real) && snprintf(out, cap, "%s", real) < (int)cap)
            return 0;
        note(looked, looked_cap, cand);
    }
    /* 3. where the build said it would be installed */
    snprintf(cand, sizeof(cand), "%s/%s", TS_INSTALL_DATADIR, inst);
    if (is_dir(cand) && snprintf(out, cap, "%s", cand) < (int)cap)
        return 0;
    note(looked, looked_cap, cand);
    return -1;
}
