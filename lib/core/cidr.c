/*
 * cidr.c: address lists, matched by prefix over IPv6 (IPv4 mapped into it).
 */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void map4(const uint8_t v4[4], uint8_t out[16])
{
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, v4, 4);
}

static int add(struct ts_cidr_list *l, const uint8_t addr[16], int bits, const char *entry, struct ts_error *err)
{
    if (l->n >= TS_CIDR_MAX)
        return ts_error_set(err, 400, "more than %d addresses and networks", TS_CIDR_MAX);
    struct ts_cidr *c = &l->v[l->n++];
    memcpy(c->addr, addr, 16);
    c->bits = bits;
    /* clear the host bits, so "10.1.2.3/8" means 10.0.0.0/8 */
    for (int i = 0; i < 16; i++) {
        int keep = bits - i * 8;
        if (keep <= 0)
            c->addr[i] = 0;
        else if (keep < 8)
            c->addr[i] &= (uint8_t)(0xff << (8 - keep));
    }
    (void)entry;
    return 0;
}

/* `e` as it may appear in a one-line message: bytes that are not printable ASCII as '?'. */
static const char *shown(const char *e, char *buf, size_t cap)
{
    size_t i = 0;
    for (; e[i] != '\0' && i + 1 < cap; i++)
        buf[i] = e[i] > 0x20 && e[i] < 0x7f ? e[i] : '?';
    buf[i] = '\0';
    return buf;
}

static int parse_one(const char *e, struct ts_cidr_list *out, struct ts_error *err)
{
    char sh[84];
    if (strcmp(e, "loopback") == 0) {
        static const uint8_t lo4[4] = {127, 0, 0, 0};
        uint8_t a[16], lo6[16] = {0};
        lo6[15] = 1;
        map4(lo4, a);
        return add(out, a, 96 + 8, e, err) != 0 || add(out, lo6, 128, e, err) != 0 ? -1 : 0;
    }
    char host[64];
    const char *slash = strchr(e, '/');
    size_t hn = slash != NULL ? (size_t)(slash - e) : strlen(e);
    if (hn == 0 || hn >= sizeof(host))
        return ts_error_set(err, 400, "'%s' is not an address or network", shown(e, sh, sizeof(sh)));
    memcpy(host, e, hn);
    host[hn] = '\0';
    uint8_t a[16];
    int max;
    uint8_t v4[4];
    if (inet_pton(AF_INET, host, v4) == 1) {
        map4(v4, a);
        max = 32;
    } else if (inet_pton(AF_INET6, host, a) == 1) {
        max = 128;
    } else {
        return ts_error_set(err, 400, "'%s' is not an address or network (names are not looked up)",
                            shown(e, sh, sizeof(sh)));
    }
    int bits = max;
    if (slash != NULL) {
        char *end = NULL;
        long b = strtol(slash + 1, &end, 10);
        if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || b < 0 || b > max)
            return ts_error_set(err, 400, "'%s': the prefix length must be 0 to %d", shown(e, sh, sizeof(sh)), max);
        bits = (int)b;
    }
    return add(out, a, max == 32 ? 96 + bits : bits, e, err);
}

int ts_cidr_parse(const char *text, struct ts_cidr_list *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *p = text != NULL ? text : "";
    for (;;) {
        while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            return 0;
        size_t n = strcspn(p, ", \t\n\r");
        char e[128], sh[44];
        if (n >= sizeof(e)) {
            memcpy(e, p, 40);
            e[40] = '\0';
            return ts_error_set(err, 400, "'%s...' is not an address or network", shown(e, sh, sizeof(sh)));
        }
        memcpy(e, p, n);
        e[n] = '\0';
        if (parse_one(e, out, err) != 0)
            return -1;
        p += n;
    }
}

bool ts_cidr_match(const struct ts_cidr_list *l, const uint8_t *addr, size_t len)
{
    uint8_t a[16];
    if (len == 4)
        map4(addr, a);
    else if (len == 16)
        memcpy(a, addr, 16);
    else
        return false;
    for (int k = 0; k < l->n; k++) {
        const struct ts_cidr *c = &l->v[k];
        int full = c->bits / 8, rest = c->bits % 8;
        if (memcmp(a, c->addr, (size_t)full) != 0)
            continue;
        if (rest == 0 || (a[full] & (uint8_t)(0xff << (8 - rest))) == c->addr[full])
            return true;
    }
    return false;
}
