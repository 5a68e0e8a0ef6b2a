"""info.json of both versions: every property the checklist names, the
media types and content negotiation, and the id behind proxies."""
import harness
from harness import VID, get_json, CT_INFO3

CONTEXT3 = "http://iiif.io/api/image/3/context.json"
CONTEXT2 = "http://iiif.io/api/image/2/context.json"
FEATURES3 = {"baseUriRedirect", "canonicalLinkHeader", "cors", "jsonldMediaType", "mirroring", "profileLinkHeader",
             "regionByPct", "regionByPx", "regionSquare", "rotationArbitrary", "rotationBy90s", "sizeByConfinedWh",
             "sizeByH", "sizeByPct", "sizeByW", "sizeByWh", "sizeUpscaling"}
FEATURES2 = {"baseUriRedirect", "canonicalLinkHeader", "cors", "jsonldMediaType", "mirroring", "profileLinkHeader",
             "regionByPct", "regionByPx", "regionSquare", "rotationArbitrary", "rotationBy90s", "sizeAboveFull",
             "sizeByConfinedWh", "sizeByDistortedWh", "sizeByH", "sizeByPct", "sizeByW", "sizeByWh",
             "sizeByForcedWh"}
# what this server implements beyond level 2 and so must declare
BEYOND3 = {"canonicalLinkHeader", "mirroring", "profileLinkHeader", "rotationArbitrary", "sizeUpscaling"}
BEYOND2 = {"canonicalLinkHeader", "mirroring", "profileLinkHeader", "regionSquare", "rotationArbitrary",
           "sizeAboveFull"}
FORMATS = {"jpg", "png", "webp", "tif", "gif", "jp2", "avif", "pdf"}


def _base(srv):
    return "http://127.0.0.1:%d" % srv.port


def _check_sizes_tiles(t, label, info, width, height):
    sizes, tiles = info.get("sizes"), info.get("tiles")
    if not t.check(isinstance(sizes, list) and sizes, "%s: sizes is a non-empty list: %r" % (label, sizes)):
        return
    if not t.check(isinstance(tiles, list) and len(tiles) >= 1, "%s: tiles is a non-empty list" % label):
        return
    prev = 0
    for s in sizes:
        w, h = s.get("width"), s.get("height")
        t.check(isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0, "%s: size %r" % (label, s))
        if not isinstance(w, int) or not isinstance(h, int):
            continue
        t.check(w * h > prev, "%s: sizes are not in ascending order: %r" % (label, sizes))
        prev = w * h
        t.check(w <= width and h <= height, "%s: size %r is larger than the image" % (label, s))
        t.check(abs(w * height - h * width) <= max(width, height), "%s: size %r has another aspect ratio" % (label, s))
        if "maxWidth" in info:
            t.check(w <= info["maxWidth"] and h <= info.get("maxHeight", info["maxWidth"]),
                    "%s: size %r over maxWidth/maxHeight" % (label, s))
    for tile in tiles:
        t.check(isinstance(tile.get("width"), int) and tile["width"] > 0, "%s: tile width %r" % (label, tile))
        sf = tile.get("scaleFactors")
        if t.check(isinstance(sf, list) and sf, "%s: tile scaleFactors %r" % (label, sf)):
            t.eq(sf[0], 1, label + ": scale factors start at 1")
            t.check(all(b == 2 * a for a, b in zip(sf, sf[1:])), "%s: scale factors are powers of 2: %r" % (label, sf))
            edge = min(tile["width"], tile.get("height", tile["width"]))
            t.check(edge * sf[-1] >= max(width, height),
                    "%s: the largest scale factor %d does not reach a single tile" % (label, sf[-1]))
            # the server's sizes: the full image at every scale factor of the tiles and on down to a
            # longest edge of 128 or less, within the limits
            factors = list(sf)
            while ((max(width, height) + factors[-1] - 1) // factors[-1] > 128 and
                   (min(width, height) + 2 * factors[-1] - 1) // (2 * factors[-1]) >= 32):
                factors.append(factors[-1] * 2)
            lim_w, lim_h = info.get("maxWidth", 10 ** 9), info.get("maxHeight", info.get("maxWidth", 10 ** 9))
            want = [((width + s - 1) // s, (height + s - 1) // s) for s in reversed(factors)]
            want = [(w, h) for w, h in want if w <= lim_w and h <= lim_h and w * h <= info.get("maxArea", 10 ** 18)]
            t.eq([(s["width"], s["height"]) for s in sizes], want, label + ": sizes at every scale factor")


def test_info3(srv, t):
    for ident in (VID, VID + ".png"):
        status, h, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
        label = "3.0 info.json of %s" % ident
        if not t.check(status == 200 and isinstance(info, dict), "%s: status %s" % (label, status)):
            continue
        keys = list(info)
        t.eq(keys[0], "@context", label + ": first key")
        t.eq(info["@context"], CONTEXT3, label + ": @context")
        t.eq(info.get("id"), "%s/iiif/3/%s" % (_base(srv), ident), label + ": id is the request URL minus /info.json")
        t.eq(info.get("type"), "ImageService3", label + ": type")
        t.eq(info.get("protocol"), "http://iiif.io/api/image", label + ": protocol")
        t.eq(info.get("profile"), "level2", label + ": profile")
        t.eq((info.get("width"), info.get("height")), (1000, 1000), label + ": width/height")
        for k in ("maxWidth", "maxHeight", "maxArea"):
            t.check(isinstance(info.get(k), int) and info[k] > 0, "%s: %s = %r" % (label, k, info.get(k)))
        t.check("maxHeight" not in info or "maxWidth" in info, label + ": maxHeight needs maxWidth")
        t.check(info.get("maxWidth", 0) >= 2000, label + ": maxWidth is at least 2000 (upscaling is declared)")
        for k in ("@id", "@type", "license", "attribution", "logo"):
            t.check(k not in info, "%s: %s is not a 3.0 property" % (label, k))
        _check_sizes_tiles(t, label, info, 1000, 1000)
        eq = info.get("extraQualities", [])
        t.eq(sorted(eq), sorted(["color", "gray", "bitonal"]), label + ": extraQualities")
        ef = info.get("extraFormats", [])
        t.check(set(ef) <= FORMATS - {"jpg", "png"} and len(ef) == len(set(ef)),
                "%s: extraFormats %r (no jpg/png, known names, no repeats)" % (label, ef))
        feats = info.get("extraFeatures", [])
        t.check(set(feats) <= FEATURES3, "%s: unknown extraFeatures %r" % (label, set(feats) - FEATURES3))
        t.check(BEYOND3 <= set(feats), "%s: extraFeatures lacks %r" % (label, BEYOND3 - set(feats)))
        t.eq(h.get("content-type"), CT_INFO3, label + ": default content type")
        t.eq(h.get("access-control-allow-origin"), "*", label + ": CORS")


def test_info2(srv, t):
    for ident in (VID, VID + ".png"):
        status, h, info = get_json(srv, "/iiif/2/%s/info.json" % ident)
        label = "2.1 info.json of %s" % ident
        if not t.check(status == 200 and isinstance(info, dict), "%s: status %s" % (label, status)):
            continue
        t.eq(list(info)[0], "@context", label + ": first key")
        t.eq(info["@context"], CONTEXT2, label + ": @context")
        t.eq(info.get("@id"), "%s/iiif/2/%s" % (_base(srv), ident), label + ": @id is the request URL minus /info.json")
        t.eq(info.get("@type"), "iiif:Image", label + ": @type")
        t.eq(info.get("protocol"), "http://iiif.io/api/image", label + ": protocol")
        t.eq((info.get("width"), info.get("height")), (1000, 1000), label + ": width/height")
        for k in ("id", "type", "extraFormats", "extraQualities", "extraFeatures", "rights"):
            t.check(k not in info, "%s: %s is not a 2.1 property" % (label, k))
        prof = info.get("profile")
        if t.check(isinstance(prof, list) and len(prof) == 2, "%s: profile is [uri, {...}]: %r" % (label, prof)):
            t.eq(prof[0], "http://iiif.io/api/image/2/level2.json", label + ": profile[0]")
            d = prof[1]
            if t.check(isinstance(d, dict), label + ": profile[1] is an object"):
                for k in ("formats", "qualities", "supports"):
                    t.check(k not in d or (isinstance(d[k], list) and d[k]),
                            "%s: profile[1].%s is a non-empty list when present" % (label, k))
                t.check(set(d.get("formats", [])) <= FORMATS, "%s: formats %r" % (label, d.get("formats")))
                t.check({"color", "gray", "bitonal"} <= set(d.get("qualities", [])),
                        "%s: qualities %r lack color/gray/bitonal" % (label, d.get("qualities")))
                sup = set(d.get("supports", []))
                t.check(sup <= FEATURES2, "%s: unknown supports %r" % (label, sup - FEATURES2))
                t.check(BEYOND2 <= sup, "%s: supports lacks %r" % (label, BEYOND2 - sup))
                for k in ("maxWidth", "maxHeight", "maxArea"):
                    t.check(isinstance(d.get(k), int) and d[k] > 0, "%s: profile[1].%s = %r" % (label, k, d.get(k)))
                info_for_sizes = dict(info, maxWidth=d.get("maxWidth", 10 ** 9), maxHeight=d.get("maxHeight", 10 ** 9))
                _check_sizes_tiles(t, label, info_for_sizes, 1000, 1000)
        t.eq(h.get("content-type"), "application/json", label + ": default content type")
        links = harness.links(h)
        t.eq(links.get("http://www.w3.org/ns/json-ld#context"), [CONTEXT2], label + ": JSON-LD context Link header")
        t.eq(h.get("access-control-allow-origin"), "*", label + ": CORS")


def test_grey_source_qualities(srv, t):
    for ident in ("kinds%2Fgrey.png", "kinds%2Fgrey16.png"):
        status, _, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
        if t.check(status == 200 and info, "3.0 %s: status %s" % (ident, status)):
            q = info.get("extraQualities", [])
            t.check("color" not in q, "3.0 %s: a grey image does not offer color: %r" % (ident, q))
            t.check("gray" in q and "bitonal" in q, "3.0 %s: gray and bitonal offered: %r" % (ident, q))
        status, _, info = get_json(srv, "/iiif/2/%s/info.json" % ident)
        if t.check(status == 200 and info, "2.1 %s: status %s" % (ident, status)):
            q = info["profile"][1].get("qualities", [])
            t.check("color" not in q, "2.1 %s: a grey image does not offer color: %r" % (ident, q))
            t.check("bitonal" in q, "2.1 %s: bitonal is required at level 2: %r" % (ident, q))


def test_listed_formats_and_qualities_work(srv, t):
    """Everything info.json offers really works."""
    _, _, i3 = get_json(srv, "/iiif/3/%s/info.json" % VID)
    _, _, i2 = get_json(srv, "/iiif/2/%s/info.json" % VID)
    for v, fmts, quals in (("3", ["jpg", "png"] + (i3 or {}).get("extraFormats", []),
                            ["default"] + (i3 or {}).get("extraQualities", [])),
                           ("2", ["jpg", "png"] + (i2 or {"profile": [0, {}]})["profile"][1].get("formats", []),
                            (i2 or {"profile": [0, {}]})["profile"][1].get("qualities", []))):
        t.check(len(fmts) > 2, "v%s: extra formats are offered" % v)
        for fmt in fmts:
            status, h, body = srv.get(harness.image_path(v, VID, "full", "64,", fmt=fmt))
            t.eq(status, 200, "v%s offered format %s" % (v, fmt))
            t.eq(h.get("content-type"), harness.MIME.get(fmt), "v%s offered format %s: content type" % (v, fmt))
            t.check(len(body) > 50, "v%s offered format %s: a body" % (v, fmt))
        for q in quals:
            status, _, _ = srv.get(harness.image_path(v, VID, "full", "64,", quality=q, fmt="jpg"))
            t.eq(status, 200, "v%s offered quality %s" % (v, q))


# (version, Accept header or None, expected content type prefix or exact)
CONNEG = [
    ("3", None, CT_INFO3, True),
    ("3", "application/ld+json", "application/ld+json", False),
    ("3", 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"', "application/ld+json", False),
    ("3", "*/*", CT_INFO3, True),
    ("3", "application/json", "application/json", True),
    ("3", "application/json;q=0.5, application/ld+json", "application/ld+json", False),
    ("3", "application/ld+json;q=0", "application/json", True),   # q=0: not acceptable
    ("2", None, "application/json", True),
    ("2", "*/*", "application/json", True),
    ("2", "application/json", "application/json", True),
    ("2", "application/ld+json", "application/ld+json", False),
    ("2", "application/ld+json;q=0.9, application/json;q=0.1", "application/ld+json", False),
    ("2", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json", True),
]


def test_media_types(srv, t):
    for v, accept, want, exact in CONNEG:
        hdrs = {"Accept": accept} if accept else None
        status, h, body = srv.get("/iiif/%s/%s/info.json" % (v, VID), hdrs)
        label = "v%s info.json with Accept %r" % (v, accept)
        t.eq(status, 200, label)
        ct = h.get("content-type", "")
        if exact:
            t.eq(ct, want, label + ": content type")
        else:
            t.check(ct.startswith(want), "%s: content type %r should start with %r" % (label, ct, want))
        if v == "2" and ct.startswith("application/ld+json"):
            t.check("2/context.json" in ct or "profile" not in ct, "%s: a 3.0 profile on 2.1: %r" % (label, ct))
        if v == "3" and ct.startswith("application/ld+json") and "profile" in ct:
            t.check('profile="http://iiif.io/api/image/3/context.json"' in ct, "%s: profile parameter %r" % (label, ct))
        t.check("accept" in h.get("vary", "").lower(), "%s: Vary: Accept (%r)" % (label, h.get("vary")))


def test_id_for_other_identifiers(srv, t):
    for ident in ("nested%2Fa%2Fb%2Fp1", "nested%2Fa%2Fb%2Fp1.png", "grid%2Ftiff-jpeg.tif", "ext%2Fp001"):
        for v, key in (("3", "id"), ("2", "@id")):
            status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, ident))
            if t.check(status == 200 and info, "v%s %s info.json: %s" % (v, ident, status)):
                t.eq(info.get(key), "%s/iiif/%s/%s" % (_base(srv), v, ident), "v%s %s %s" % (v, ident, key))


P = "/iiif/3/%s" % VID
# (headers, expected id prefix before /iiif/3/{id}); None means the plain request base
PROXY = [
    ({"X-Forwarded-Proto": "https"}, "https://127.0.0.1:{port}"),
    ({"X-Forwarded-Host": "images.example.org"}, "http://images.example.org"),
    ({"X-Forwarded-Host": "images.example.org", "X-Forwarded-Proto": "https"}, "https://images.example.org"),
    ({"X-Forwarded-Host": "images.example.org:8443", "X-Forwarded-Proto": "https"}, "https://images.example.org:8443"),
    ({"X-Forwarded-Host": "images.example.org", "X-Forwarded-Port": "8080"}, "http://images.example.org:8080"),
    ({"X-Forwarded-Host": "images.example.org", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https"},
     "https://images.example.org"),
    ({"X-Forwarded-Host": "images.example.org", "X-Forwarded-Port": "80"}, "http://images.example.org"),
    ({"X-Forwarded-Prefix": "/images"}, "http://127.0.0.1:{port}/images"),
    ({"X-Forwarded-Prefix": "/a/b/"}, "http://127.0.0.1:{port}/a/b"),
    # of a list, the element the proxy next to tessera appended (the last), never the client's
    ({"X-Forwarded-Host": "a.example.org, b.example.org"}, "http://b.example.org"),
    ({"X-Forwarded-Proto": "http, https"}, "https://127.0.0.1:{port}"),
    ({"X-Forwarded-Host": "pub.example.com", "X-Forwarded-Port": "8443", "X-Forwarded-Proto": "https",
      "X-Forwarded-Prefix": "/iiif-images"}, "https://pub.example.com:8443/iiif-images"),
    ({"Forwarded": "proto=https;host=pub.example.com"}, "https://pub.example.com"),
    ({"Forwarded": 'for=192.0.2.60;proto=https;host="pub.example.com:9443"'}, "https://pub.example.com:9443"),
    ({"Forwarded": "host=one.example.com, host=two.example.com"}, "http://two.example.com"),
    ({"Host": "virtual.example.net"}, "http://virtual.example.net"),
    ({"Host": "virtual.example.net:81"}, "http://virtual.example.net:81"),
    # junk is ignored
    ({"X-Forwarded-Host": "ev<il>.example"}, None),
    ({"X-Forwarded-Host": "a b"}, None),
    ({"X-Forwarded-Host": "evil.example/path"}, None),
    ({"X-Forwarded-Host": ""}, None),
    ({"X-Forwarded-Proto": "gopher"}, None),
    ({"X-Forwarded-Proto": "javascript:"}, None),
    ({"X-Forwarded-Port": "abc", "X-Forwarded-Host": "images.example.org"}, "http://images.example.org"),
    ({"X-Forwarded-Port": "70000", "X-Forwarded-Host": "images.example.org"}, "http://images.example.org"),
    ({"X-Forwarded-Port": "-1", "X-Forwarded-Host": "images.example.org"}, "http://images.example.org"),
    ({"X-Forwarded-Prefix": "nolead"}, None),
    ({"X-Forwarded-Prefix": "/a b"}, None),
    ({"X-Forwarded-Prefix": '/x"><script>'}, None),
    ({"X-Forwarded-Prefix": "/" + "a" * 3000}, None),
    ({"Forwarded": "proto=ftp;host=<bad>"}, None),
    ({"Forwarded": "garbage"}, None),
    ({"Host": "bad host<>"}, "http://{fallback}"),
]


def check_ids_behind_proxies(srv, t, trusted):
    """The PROXY cases: with `trusted`, the forwarding headers make the ids; without, only Host does."""
    plain = "http://127.0.0.1:%d" % srv.port
    for headers, want in PROXY:
        forwarding = any(k.lower() != "host" for k in headers)
        if want is None or (forwarding and not trusted):
            want = plain
        want = want.replace("{port}", str(srv.port))
        for v, key in (("3", "id"), ("2", "@id")):
            path = "/iiif/%s/%s" % (v, VID)
            status, h, info = get_json(srv, path + "/info.json", headers)
            label = "v%s info.json with %r" % (v, headers)
            if not t.check(status == 200 and info, "%s: status %s" % (label, status)):
                continue
            got = info.get(key, "")
            if "{fallback}" in want:
                # an unusable Host: any well-formed base that is not built from it
                t.check(got.startswith("http://") and "<" not in got and " " not in got and
                        got.endswith("/iiif/%s/%s" % (v, VID)), "%s: id %r" % (label, got))
                continue
            t.eq(got, want + path, label + ": " + key)
            t.eq(h.get("vary"), "Accept, Host", label + ": ids from the request vary on Host")
        if want is not None and "{fallback}" not in want:
            # the same base in the 303 Location and in image Link headers
            status, h, _ = srv.get(P, headers)
            t.eq(h.get("location"), want + P + "/info.json", "303 Location with %r" % (headers,))
            status, h, _ = srv.get(P + "/full/64,/0/default.jpg", headers)
            canon = harness.links(h).get("canonical", [""])[0]
            t.check(canon.startswith(want + P + "/"), "canonical Link with %r: %r" % (headers, canon))


def test_forwarding_headers_need_a_trusted_proxy(srv, t):
    # this server trusts no proxy: a client's X-Forwarded-* and Forwarded never reach the ids
    check_ids_behind_proxies(srv, t, trusted=False)