/*
 * test_framing.c: one framing per request body (http/framing.h).
 */
#include "http/framing.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *head;
        int status; /* 0: unambiguous */
        const char *why;
    } cases[] = {
        {"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 0, NULL},
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NULL},
        {"POST /a HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL},
        {"POST /a HTTP/1.1\nHost: x\ncontent-length: 5\n\n", 0, NULL},  /* bare LF line ends */
        /* names like the framing headers are not them */
        {"POST /a HTTP/1.1\r\nX-Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 0, NULL},
        {"POST /a HTTP/1.1\r\nContent-Length-X: 5\r\nContent-Length: 5\r\n\r\n", 0, NULL},
        {"POST /a HTTP/1.1\r\nContent-Lengt: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NULL},
        /* the request line never counts, whatever it says */
        {"POST /content-length:5 HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 0, NULL},
        /* what follows the empty line is the body, not the head */
        {"POST /a HTTP/1.1\r\nContent-Length: 30\r\n\r\nContent-Length: 5\r\n", 0, NULL},
        /* two framings */
        {"POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "twice"},
        {"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "twice"},
        {"POST /a HTTP/1.1\r\nCONTENT-LENGTH: 5\r\ntransfer-encoding: chunked\r\n\r\n", 400, "twice"},
        {"POST /a HTTP/1.1\r\nContent-Length : 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "twice"},
        {"POST /a HTTP/1.1\r\nContent-Length\t: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "twice"},
        /* one framing twice, even with the same value */
        {"POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n", 400, "2 Content-Length"},
        {"POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "2 Content-Length"},
        {"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
         "2 Transfer-Encoding"},
        /* folded lines hide headers from one reader or the other */
        {"POST /a HTTP/1.1\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "obs-fold"},
        {"POST /a HTTP/1.1\r\nX-A: 1\r\n\tb\r\nContent-Length: 5\r\n\r\n", 400, "obs-fold"},
        /* a head cut short is read as far as it goes */
        {"POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Enc", 0, NULL},
        {"POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding:", 400, "twice"},
        {"", 0, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_error err = {0};
        int rc = ts_framing_check(cases[i].head, strlen(cases[i].head), &err);
        if (cases[i].status == 0) {
            T_CHECK(rc == 0, "case %zu: refused (%s)", i, err.msg);
        } else {
            T_CHECK(rc == -1 && err.status == cases[i].status, "case %zu: rc %d status %d", i, rc, err.status);
            T_CHECK(strstr(err.msg, cases[i].why) != NULL, "case %zu: message '%s' lacks '%s'", i, err.msg,
                    cases[i].why);
        }
    }
    /* the length given is the end: bytes past it are not read */
    const char *two = "POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n";
    struct ts_error err;
    T_CHECK(ts_framing_check(two, strlen("POST /a HTTP/1.1\r\nContent-Length: 5\r\n"), &err) == 0, "a prefix");
    return t_done();
}
