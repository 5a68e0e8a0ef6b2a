/*
 * model.c: the annotation checks.
 */
#include "anno/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The W3C model's motivations (section 3.3.5) and the ones IIIF adds (Presentation 3.0, Content Search 2.0). */
static const char *const motivations[] = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",   "highlighting",
    "identifying", "linking",   "moderating",  "questioning", "replying",  "tagging",   "painting",
    "supplementing", "contentState", "contextualizing",
};

static const char *const contexts[] = {
    "http://www.w3.org/ns/anno.jsonld",
    "http://iiif.io/api/presentation/3/context.json",
};

bool ts_anno_motivation_known(const char *m)
{
    /* a prefixed form ("oa:commenting", "sc:painting") names the same term */
    const char *colon = strchr(m, ':');
    if (colon != NULL && (strncmp(m, "oa:", 3) == 0 || strncmp(m, "sc:", 3) == 0))
        m = colon + 1;
    for (size_t i = 0; i < sizeof(motivations) / sizeof(motivations[0]); i++) {
        if (strcmp(m, motivations[i]) == 0)
            return true;
    }
    return false;
}

/* Parses a decimal number at *p (at most `end`), advancing *p. */
static bool number(const char **p, const char *end, double *out)
{
    const char *s = *p;
    char buf[40];
    size_t n = 0;
    while (s + n < end && n < sizeof(buf) - 1 && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.'))
        n++;
    if (n == 0 || n == sizeof(buf) - 1)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + n || !isfinite(v))
        return false;
    *out = v;
    *p = s + n;
    return true;
}

/* Keeps a box on a canvas of at least one pixel: whole pixels, at least one, none past an edge. */
static void fit(struct ts_anno_target *t, const struct ts_anno_canvas *c)
{
    if (t->x >= c->width)
        t->x = c->width - 1;
    if (t->y >= c->height)
        t->y = c->height - 1;
    if (t->w < 1)
        t->w = 1;
    if (t->h < 1)
        t->h = 1;
    if (t->w > c->width - t->x)
        t->w = c->width - t->x;
    if (t->h > c->height - t->y)
        t->h = c->height - t->y;
}

static int box(const char *p, const char *end, const struct ts_anno_canvas *c, struct ts_anno_target *t,
               struct ts_error *err)
{
    bool percent = false;
    if ((size_t)(end - p) >= 6 && strncmp(p, "pixel:", 6) == 0) {
        p += 6;
    } else if ((size_t)(end - p) >= 8 && strncmp(p, "percent:", 8) == 0) {
        p += 8;
        percent = true;
    }
    double v[4];
    for (int i = 0; i < 4; i++) {
        if (!number(&p, end, &v[i]))
            return ts_error_set(err, 400, "a region (xywh=) is four numbers x,y,w,h");
        if (i < 3 && (p >= end || *p++ != ','))
            return ts_error_set(err, 400, "a region (xywh=) is four numbers x,y,w,h");
    }
    if (p != end)
        return ts_error_set(err, 400, "a region (xywh=) is four numbers x,y,w,h");
    if (c->width == 0 || c->height == 0)
        return ts_error_set(err, 400, "the canvas '%s' has no width and height: a region cannot point into it", c->id);
    if (percent) {
        v[0] = v[0] * c->width / 100.0;
        v[2] = v[2] * c->width / 100.0;
        v[1] = v[1] * c->height / 100.0;
        v[3] = v[3] * c->height / 100.0;
    }
    if (v[2] <= 0 || v[3] <= 0)
        return ts_error_set(err, 400, "a region must have a width and a height");
    if (v[0] + v[2] > c->width + 0.5 || v[1] + v[3] > c->height + 0.5)
        return ts_error_set(err, 400, "the region %g,%g,%g,%g lies outside the canvas '%s' (%ux%u)", v[0], v[1], v[2],
                            v[3], c->id, c->width, c->height);
    t->has_box = true;
    t->x = (uint32_t)floor(v[0]);
    t->y = (uint32_t)floor(v[1]);
    uint32_t x1 = (uint32_t)fmin(ceil(v[0] + v[2]), c->width), y1 = (uint32_t)fmin(ceil(v[1] + v[3]), c->height);
    t->w = x1 > t->x ? x1 - t->x : 1;
    t->h = y1 > t->y ? y1 - t->y : 1;
    fit(t, c);
    return 0;
}

static int time_range(const char *p, const char *end, const struct ts_anno_canvas *c, struct ts_anno_target *t,
                      struct ts_error *err)
{
    if ((size_t)(end - p) >= 4 && strncmp(p, "npt:", 4) == 0)
        p += 4;
    double a = 0, b = c->duration;
    bool has_a = p < end && *p != ',';
    if (has_a && !number(&p, end, &a))
        return ts_error_set(err, 400, "a time range (t=) is seconds: t=start[,end]");
    if (p < end) {
        if (*p++ != ',' || !number(&p, end, &b) || p != end)
            return ts_error_set(err, 400, "a time range (t=) is seconds: t=start[,end]");
    } else if (!has_a) {
        return ts_error_set(err, 400, "a time range (t=) is seconds: t=start[,end]");
    }
    if (c->duration <= 0)
        return ts_error_set(err, 400, "the canvas '%s' has no duration: a time range cannot point into it", c->id);
    if (a < 0 || b <= a || b > c->duration + 1e-6)
        return ts_error_set(err, 400, "the time range %g,%g lies outside the canvas '%s' (0 to %g s)", a, b, c->id,
                            c->duration);
    t->has_time = true;
    t->t0 = a;
    t->t1 = b;
    return 0;
}

static int fragment(const char *frag, size_t len, const struct ts_anno_canvas *c, struct ts_anno_target *t,
                    struct ts_error *err)
{
    const char *p = frag, *end = frag + len;
    if (len == 0)
        return ts_error_set(err, 400, "an empty fragment: say xywh= or t=");
    /* several dimensions, joined with '&' (xywh=...&t=...) */
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        int rc;
        if ((size_t)(stop - p) > 5 && strncmp(p, "xywh=", 5) == 0 && !t->has_box)
            rc = box(p + 5, stop, c, t, err);
        else if ((size_t)(stop - p) > 2 && strncmp(p, "t=", 2) == 0 && !t->has_time)
            rc = time_range(p + 2, stop, c, t, err);
        else
            rc = ts_error_set(err, 400, "an unknown or repeated fragment '%.*s': tessera reads xywh= and t=",
                              (int)((stop - p) > 40 ? 40 : (stop - p)), p);
        if (rc != 0)
            return -1;
        p = amp != NULL ? amp + 1 : end;
    }
    return 0;
}

/* The canvas named `iri` (up to `len` bytes), or -1. */
static long canvas_of(const char *iri, size_t len, const struct ts_anno_canvas *canvases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(canvases[i].id) == len && memcmp(canvases[i].id, iri, len) == 0)
            return (long)i;
    }
    return -1;
}

static const char *type_of(const json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "type"));
    return t != NULL ? t : "";
}

static bool has_type(const json_t *o, const char *want)
{
    const json_t *t = json_object_get(o, "type");
    if (json_is_string(t))
        return strcmp(json_string_value(t), want) == 0;
    size_t i;
    const json_t *x;
    json_array_foreach(t, i, x)
    {
        if (json_is_string(x) && strcmp(json_string_value(x), want) == 0)
            return true;
    }
    return false;
}

/* The box of an SVG selector's value: the extremes of every number pair in its points, paths and rects. */
static int svg_box(const char *svg, const struct ts_anno_canvas *c, struct ts_anno_target *t, struct ts_error *err)
{
    size_t n = strlen(svg);
    if (n > TS_ANNO_MAX_SVG)
        return ts_error_set(err, 400, "an SvgSelector is over %d KiB", TS_ANNO_MAX_SVG / 1024);
    if (strstr(svg, "<svg") == NULL)
        return ts_error_set(err, 400, "an SvgSelector's value is an <svg> element");
    if (c->width == 0 || c->height == 0)
        return ts_error_set(err, 400, "the canvas '%s' has no width and height: a shape cannot point into it", c->id);
    /* the numbers of d="..." and points="..." attributes, taken in pairs */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    static const char *const attrs[] = {" d=\"", " points=\""};
    for (size_t k = 0; k < 2; k++) {
        for (const char *a = strstr(svg, attrs[k]); a != NULL; a = strstr(a + 1, attrs[k])) {
            const char *p = a + strlen(attrs[k]), *end = strchr(p, '"');
            if (end == NULL)
                return ts_error_set(err, 400, "an SvgSelector has an unterminated attribute");
            double v[2];
            int have = 0;
            while (p < end) {
                if ((*p >= '0' && *p <= '9') || *p == '.') {
                    if (!number(&p, end, &v[have]))
                        return ts_error_set(err, 400, "an SvgSelector has a malformed number");
                    if (++have == 2) {
                        x0 = fmin(x0, v[0]), x1 = fmax(x1, v[0]), y0 = fmin(y0, v[1]), y1 = fmax(y1, v[1]);
                        have = 0;
                    }
                } else if (*p == '-') {
                    return ts_error_set(err, 400, "an SvgSelector's shape lies outside the canvas '%s'", c->id);
                } else {
                    p++;
                }
            }
        }
    }
    if (!(x1 >= x0 && y1 >= y0))
        return ts_error_set(err, 400, "an SvgSelector needs a path (d=) or polygon (points=) with coordinates");
    if (x1 > c->width + 0.5 || y1 > c->height + 0.5)
        return ts_error_set(err, 400, "an SvgSelector's shape lies outside the canvas '%s' (%ux%u)", c->id, c->width,
                            c->height);
    t->has_box = true;
    t->x = (uint32_t)floor(x0);
    t->y = (uint32_t)floor(y0);
    t->w = (uint32_t)fmax(1, ceil(x1) - t->x);
    t->h = (uint32_t)fmax(1, ceil(y1) - t->y);
    fit(t, c);
    return 0;
}

static int selector(const json_t *s, const struct ts_anno_canvas *c, struct ts_anno_target *t, struct ts_error *err)
{
    if (!json_is_object(s))
        return ts_error_set(err, 400, "a selector is an object");
    const char *type = type_of(s);
    const char *value = json_string_value(json_object_get(s, "value"));
    if (strcmp(type, "FragmentSelector") == 0) {
        if (value == NULL)
            return ts_error_set(err, 400, "a FragmentSelector needs a value (xywh=... or t=...)");
        return fragment(value, strlen(value), c, t, err);
    }
    if (strcmp(type, "SvgSelector") == 0) {
        if (value == NULL)
            return ts_error_set(err, 400, "an SvgSelector needs a value (an <svg> element)");
        return svg_box(value, c, t, err);
    }
    if (strcmp(type, "PointSelector") == 0) {
        const json_t *x = json_object_get(s, "x"), *y = json_object_get(s, "y"), *tt = json_object_get(s, "t");
        if ((x == NULL) != (y == NULL) || (x == NULL && tt == NULL))
            return ts_error_set(err, 400, "a PointSelector has x and y, or t");
        if (x != NULL) {
            if (c->width == 0 || c->height == 0)
                return ts_error_set(err, 400, "the canvas '%s' has no width and height: a point cannot be on it", c->id);
            if (!json_is_number(x) || !json_is_number(y) || json_number_value(x) < 0 || json_number_value(y) < 0 ||
                json_number_value(x) > c->width || json_number_value(y) > c->height)
                return ts_error_set(err, 400, "a PointSelector's point lies outside the canvas '%s' (%ux%u)", c->id,
                                    c->width, c->height);
            t->has_point = true;
            t->has_box = true;
            /* a point on the right or bottom edge marks the last pixel */
            t->x = (uint32_t)json_number_value(x);
            t->y = (uint32_t)json_number_value(y);
            t->w = t->h = 1;
            fit(t, c);
        }
        if (tt != NULL) {
            if (!json_is_number(tt) || c->duration <= 0 || json_number_value(tt) < 0 ||
                json_number_value(tt) > c->duration)
                return ts_error_set(err, 400, "a PointSelector's time lies outside the canvas '%s'", c->id);
            t->has_time = true;
            t->t0 = t->t1 = json_number_value(tt);
        }
        return 0;
    }
    return ts_error_set(err, 400, "a selector of type '%.40s': tessera reads FragmentSelector, SvgSelector and "
                                  "PointSelector", type);
}

static int one_target(const json_t *v, const struct ts_anno_canvas *canvases, size_t n, struct ts_anno_target *t,
                      struct ts_error *err)
{
    memset(t, 0, sizeof(*t));
    const char *iri = NULL;
    const json_t *sel = NULL;
    if (json_is_string(v)) {
        iri = json_string_value(v);
    } else if (json_is_object(v)) {
        const json_t *src = json_object_get(v, "source");
        if (src != NULL) {
            iri = json_is_string(src) ? json_string_value(src) : json_string_value(json_object_get(src, "id"));
            sel = json_object_get(v, "selector");
        } else {
            iri = json_string_value(json_object_get(v, "id"));
        }
    } else {
        return ts_error_set(err, 400, "a target is an IRI or an object");
    }
    if (iri == NULL)
        return ts_error_set(err, 400, "a target names no canvas (no id, or no source)");
    const char *hash = strchr(iri, '#');
    size_t base = hash != NULL ? (size_t)(hash - iri) : strlen(iri);
    long ci = canvas_of(iri, base, canvases, n);
    if (ci < 0)
        return ts_error_set(err, 400, "the target '%.200s' is not a canvas of this manifest", iri);
    t->canvas = (size_t)ci;
    const struct ts_anno_canvas *c = &canvases[ci];
    if (hash != NULL && fragment(hash + 1, strlen(hash + 1), c, t, err) != 0)
        return -1;
    if (sel != NULL) {
        if (json_is_array(sel)) {
            size_t i;
            const json_t *s;
            if (json_array_size(sel) == 0 || json_array_size(sel) > 4)
                return ts_error_set(err, 400, "a target has one to four selectors");
            json_array_foreach(sel, i, s)
            {
                /* alternatives describing one part (a box and its shape): each is checked, the first box kept */
                struct ts_anno_target alt = *t;
                if (selector(s, c, &alt, err) != 0)
                    return -1;
                if (i == 0)
                    *t = alt;
            }
        } else if (selector(sel, c, t, err) != 0) {
            return -1;
        }
    }
    return 0;
}

static int check_motivation(const json_t *m, const char *what, struct ts_error *err)
{
    if (m == NULL)
        return 0;
    if (json_is_string(m)) {
        if (!ts_anno_motivation_known(json_string_value(m)))
            return ts_error_set(err, 400, "an unknown %s '%.60s'", what, json_string_value(m));
        return 0;
    }
    if (!json_is_array(m) || json_array_size(m) == 0)
        return ts_error_set(err, 400, "a %s is a string or a list of strings", what);
    size_t i;
    const json_t *x;
    json_array_foreach(m, i, x)
    {
        if (!json_is_string(x))
            return ts_error_set(err, 400, "a %s is a string or a list of strings", what);
        if (!ts_anno_motivation_known(json_string_value(x)))
            return ts_error_set(err, 400, "an unknown %s '%.60s'", what, json_string_value(x));
    }
    return 0;
}

static int one_body(const json_t *b, struct ts_error *err)
{
    if (json_is_string(b))
        return 0; /* an IRI */
    if (!json_is_object(b))
        return ts_error_set(err, 400, "a body is an IRI or an object");
    if (check_motivation(json_object_get(b, "purpose"), "purpose", err) != 0)
        return -1;
    const char *type = type_of(b);
    if (strcmp(type, "TextualBody") == 0) {
        if (!json_is_string(json_object_get(b, "value")))
            return ts_error_set(err, 400, "a TextualBody needs its text as a string value");
        static const char *const strings[] = {"format", "language"};
        for (size_t i = 0; i < 2; i++) {
            const json_t *v = json_object_get(b, strings[i]);
            if (v != NULL && !json_is_string(v))
                return ts_error_set(err, 400, "a TextualBody's %s is a string", strings[i]);
        }
        return 0;
    }
    if (strcmp(type, "Choice") == 0) {
        const json_t *items = json_object_get(b, "items");
        if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > TS_ANNO_MAX_BODIES)
            return ts_error_set(err, 400, "a Choice body lists its items");
        size_t i;
        const json_t *x;
        json_array_foreach(items, i, x)
        {
            if (json_is_object(x) && strcmp(type_of(x), "Choice") == 0)
                return ts_error_set(err, 400, "a Choice inside a Choice");
            if (one_body(x, err) != 0)
                return -1;
        }
        return 0;
    }
    /* an external resource (Image, Sound, Dataset, SpecificResource...): it must say where it is */
    if (!json_is_string(json_object_get(b, "id")) && json_object_get(b, "source") == NULL)
        return ts_error_set(err, 400, "a body of type '%.40s' names its resource (id)", type[0] ? type : "(none)");
    return 0;
}

/* The reasons quote what the client sent: one printable line, whatever it sent. */
static int scrubbed(int rc, struct ts_error *err)
{
    if (rc != 0 && err != NULL)
        ts_error_scrub(err);
    return rc;
}

int ts_anno_fragment(const char *frag, size_t len, const struct ts_anno_canvas *c, struct ts_anno_target *t,
                     struct ts_error *err)
{
    return scrubbed(fragment(frag, len, c, t, err), err);
}

static int check(const json_t *a, const struct ts_anno_canvas *canvases, size_t n,
                 struct ts_anno_target targets[TS_ANNO_MAX_TARGETS], size_t *n_targets, struct ts_error *err)
{
    *n_targets = 0;
    if (!json_is_object(a))
        return ts_error_set(err, 400, "an annotation is a JSON object");
    if (!has_type(a, "Annotation"))
        return ts_error_set(err, 400, "not an Annotation: its type must be \"Annotation\"");
    const json_t *ctx = json_object_get(a, "@context");
    if (ctx != NULL) {
        bool known = false;
        size_t i;
        const json_t *x;
        if (json_is_string(ctx)) {
            for (size_t k = 0; k < 2; k++)
                known |= strcmp(json_string_value(ctx), contexts[k]) == 0;
        } else if (json_is_array(ctx)) {
            json_array_foreach(ctx, i, x)
            {
                for (size_t k = 0; x != NULL && json_is_string(x) && k < 2; k++)
                    known |= strcmp(json_string_value(x), contexts[k]) == 0;
            }
        }
        if (!known)
            return ts_error_set(err, 400, "the @context must include %s (or IIIF's %s)", contexts[0], contexts[1]);
    }
    if (check_motivation(json_object_get(a, "motivation"), "motivation", err) != 0)
        return -1;
    const json_t *body = json_object_get(a, "body");
    if (body != NULL) {
        if (json_is_array(body)) {
            if (json_array_size(body) > TS_ANNO_MAX_BODIES)
                return ts_error_set(err, 400, "an annotation has at most %d bodies", TS_ANNO_MAX_BODIES);
            size_t i;
            const json_t *x;
            json_array_foreach(body, i, x)
            {
                if (one_body(x, err) != 0)
                    return -1;
            }
        } else if (one_body(body, err) != 0) {
            return -1;
        }
    }
    const json_t *target = json_object_get(a, "target");
    if (target == NULL)
        return ts_error_set(err, 400, "an annotation needs a target: a canvas of this manifest");
    if (json_is_array(target)) {
        if (json_array_size(target) == 0 || json_array_size(target) > TS_ANNO_MAX_TARGETS)
            return ts_error_set(err, 400, "an annotation has one to %d targets", TS_ANNO_MAX_TARGETS);
        size_t i;
        const json_t *x;
        json_array_foreach(target, i, x)
        {
            if (one_target(x, canvases, n, &targets[i], err) != 0)
                return -1;
        }
        *n_targets = json_array_size(target);
        return 0;
    }
    if (one_target(target, canvases, n, &targets[0], err) != 0)
        return -1;
    *n_targets = 1;
    return 0;
}

int ts_anno_check(const json_t *a, const struct ts_anno_canvas *canvases, size_t n,
                  struct ts_anno_target targets[TS_ANNO_MAX_TARGETS], size_t *n_targets, struct ts_error *err)
{
    int rc = check(a, canvases, n, targets, n_targets, err);
    if (rc != 0)
        *n_targets = 0;
    return scrubbed(rc, err);
}
