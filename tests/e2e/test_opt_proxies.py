"""Forwarding headers from a trusted proxy (--trusted-proxies, here loopback
among others): Forwarded and X-Forwarded-Proto/Host/Port/Prefix make the
ids, and junk in them is ignored. test_info.py checks that the same headers
from a peer that is not trusted change nothing; test_opt_hosts.py the
`hosts` list."""
import test_info

SERVER_ARGS = ["--trusted-proxies", "10.0.0.0/8, 127.0.0.1,fd00::/8"]


def test_ids_behind_a_trusted_proxy(srv, t):
    test_info.check_ids_behind_proxies(srv, t, trusted=True)
