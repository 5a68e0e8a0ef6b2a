/*
 * fuzz_framing.c: libFuzzer target for the body framing check of HTTP/1
 * request heads (http/framing.h).
 *
 * Input: a request head, any bytes.
 *
 * Invariants: the check answers 0, or -1 with a 400 and a one-line
 * printable message (it quotes nothing from the request); a head in which
 * neither framing header's name appears and no line begins with a blank is
 * always taken.
 */
#include "fuzz.h"

#include "http/framing.h"

#include <string.h>
#include <strings.h>

static int mentions(const uint8_t *data, size_t size, const char *name)
{
    size_t k = strlen(name);
    for (size_t i = 0; i + k <= size; i++) {
        if (strncasecmp((const char *)data + i, name, k) == 0)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_error err = {0};
    int rc = ts_framing_check((const char *)data, size, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0)
        FUZZ_CHECK(err.status == 400 && fuzz_msg_ok(err.msg));
    int folded = 0;
    for (size_t i = 0; i + 1 < size; i++) {
        if (data[i] == '\n' && (data[i + 1] == ' ' || data[i + 1] == '\t'))
            folded = 1;
    }
    if (!folded && !mentions(data, size, "content-length") && !mentions(data, size, "transfer-encoding"))
        FUZZ_CHECK(rc == 0);
    return 0;
}
