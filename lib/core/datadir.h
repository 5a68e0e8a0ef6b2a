/*
 * datadir.h: where tessera's own files are (the sample images, the viewer
 * packages), wherever the binary was put.
 *
 * In order:
 *   1. a binary run from the build tree it was built in: that tree's source
 *      folder (samples/, viewer/node_modules), for development;
 *   2. next to the binary: BIN/../share/tessera (an install anywhere,
 *      moved or not: /opt/tessera/bin/tessera finds /opt/tessera/share/tessera);
 *   3. the install prefix it was built for (PREFIX/share/tessera).
 * A binary copied somewhere else finds none, and says so: it depends on no
 * source tree.
 */
#ifndef TS_CORE_DATADIR_H
#define TS_CORE_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

enum ts_data { TS_DATA_SAMPLES, TS_DATA_VIEWER };

/**
 * The folder of `what` (the samples; the viewer packages' node_modules) as
 * an absolute path in `out`. Returns 0, or -1 when it is nowhere; `looked`
 * (may be NULL) then lists where it looked, for the message.
 */
int ts_data_dir(enum ts_data what, char *out, size_t cap, char *looked, size_t looked_cap);

#endif
