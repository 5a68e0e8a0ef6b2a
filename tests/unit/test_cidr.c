/*
 * test_cidr.c: address lists (core/cidr.h).
 */
#include <arpa/inet.h>
#include <string.h>

#include "core/cidr.h"
#include "t.h"

static bool in(const struct ts_cidr_list *l, const char *addr)
{
    uint8_t a[16];
    if (inet_pton(AF_INET, addr, a) == 1)
        return ts_cidr_match(l, a, 4);
    if (inet_pton(AF_INET6, addr, a) == 1)
        return ts_cidr_match(l, a, 16);
    return false;
}

static void test_match(void)
{
    static const struct {
        const char *list, *addr;
        bool want;
    } cases[] = {
        {"127.0.0.1", "127.0.0.1", true},
        {"127.0.0.1", "127.0.0.2", false},
        {"loopback", "127.9.8.7", true},
        {"loopback", "::1", true},
        {"loopback", "::2", false},
        {"loopback", "10.0.0.1", false},
        {"10.0.0.0/8", "10.255.1.2", true},
        {"10.0.0.0/8", "11.0.0.1", false},
        {"10.1.2.3/8", "10.200.0.1", true},          /* host bits are cleared */
        {"192.168.1.0/24", "192.168.1.255", true},
        {"192.168.1.0/24", "192.168.2.0", false},
        {"192.168.1.128/25", "192.168.1.127", false},
        {"192.168.1.128/25", "192.168.1.200", true},
        {"172.16.0.0/12", "172.31.255.255", true},
        {"172.16.0.0/12", "172.32.0.0", false},
        {"0.0.0.0/0", "8.8.8.8", true},
        {"0.0.0.0/0", "2001:db8::1", false},         /* an IPv4 network holds no IPv6 address */
        {"::/0", "2001:db8::1", true},
        {"::/0", "1.2.3.4", true},                   /* every address, mapped ones too */
        {"fd00::/8", "fd12:3456::1", true},
        {"fd00::/8", "fe80::1", false},
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"127.0.0.1", "::ffff:127.0.0.1", true},     /* an IPv4 client on an IPv6 socket */
        {"::ffff:10.0.0.0/104", "10.1.1.1", true},
        {"10.0.0.1, 10.0.0.2 10.0.0.3", "10.0.0.3", true},
        {"10.0.0.1,,10.0.0.2", "10.0.0.2", true},
        {"", "127.0.0.1", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_cidr_list l;
        struct ts_error err;
        int rc = ts_cidr_parse(cases[i].list, &l, &err);
        T_CHECK(rc == 0, "%s: parses (%s)", cases[i].list, rc ? err.msg : "");
        T_CHECK(in(&l, cases[i].addr) == cases[i].want, "%s in %s: want %d", cases[i].addr, cases[i].list,
                cases[i].want);
    }
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "localhost", "example.org", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
        "1.2.3", "1.2.3.4.5", "/8", "256.1.1.1", "10.0.0.0/08junk", ":::1",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ts_cidr_list l;
        struct ts_error err;
        T_CHECK(ts_cidr_parse(bad[i], &l, &err) == -1 && err.status == 400 && err.msg[0] != '\0', "'%s' refused",
                bad[i]);
    }
    /* more entries than the list holds */
    char many[TS_CIDR_MAX * 12 + 32] = "";
    for (int i = 0; i <= TS_CIDR_MAX; i++) {
        char e[16];
        snprintf(e, sizeof(e), "10.0.%d.%d,", i / 256, i % 256);
        strcat(many, e);
    }
    struct ts_cidr_list l;
    struct ts_error err;
    T_CHECK(ts_cidr_parse(many, &l, &err) == -1, "%d entries refused", TS_CIDR_MAX + 1);
    T_CHECK(ts_cidr_parse(NULL, &l, &err) == 0 && l.n == 0, "NULL is the empty list");
    uint8_t short_addr[3] = {1, 2, 3};
    T_CHECK(!ts_cidr_match(&l, short_addr, 3), "an address of another length matches nothing");
}

int main(void)
{
    test_match();
    test_refused();
    return t_done();
}
