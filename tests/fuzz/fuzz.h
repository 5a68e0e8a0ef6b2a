/*
 * fuzz.h: shared bits of the libFuzzer targets.
 *
 * In a fuzz build (meson -Dfuzz=true, see `make fuzz`) the core library is
 * compiled with -fsanitize=fuzzer-no-link,address,undefined, so the fuzzers
 * see the branches of the parsers they drive.
 */
#ifndef TS_FUZZ_H
#define TS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant that must hold whatever the input: abort (libFuzzer saves the input). */
#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                             \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An error message is one non-empty line of printable ASCII (it becomes a response body). */
static inline int fuzz_msg_ok(const char *m)
{
    if (m[0] == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)m; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            return 0;
    }
    return 1;
}

#endif
