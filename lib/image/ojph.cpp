/*
 * ojph.cpp: the OpenJPH shim. Kept to plain, exception-safe glue: every
 * entry point catches everything and turns it into -1 and a message.
 */
#include "image/ojph.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include <openjph/ojph_arch.h> /* defines OJPH_EXPORT, which the other headers assume */
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>

namespace {

/* OpenJPH calls this on errors: throw the text instead of printing it. */
class quiet_error : public ojph::message_error
{
  public:
    void operator()(int code, const char *file, int line, const char *fmt, ...) override
    {
        (void)code;
        (void)file;
        (void)line;
        char buf[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        throw std::runtime_error(buf);
    }
};

class quiet_warning : public ojph::message_warning
{
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

class quiet_info : public ojph::message_info
{
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

quiet_error error_handler;
quiet_warning warning_handler;
quiet_info info_handler;

/* A sub-code-stream as an OpenJPH input file. */
class stream_infile : public ojph::infile_base
{
  public:
    explicit stream_infile(ts_j2k_stream *s) : s(s) {}
    size_t read(void *ptr, size_t size) override
    {
        ssize_t r = ts_j2k_stream_read(s, ptr, size);
        return r < 0 ? 0 : static_cast<size_t>(r);
    }
    int seek(ojph::si64 offset, enum infile_base::seek origin) override
    {
        ojph::si64 base = origin == OJPH_SEEK_SET ? 0 : origin == OJPH_SEEK_CUR ? (ojph::si64)s->pos : (ojph::si64)s->len;
        ojph::si64 to = base + offset;
        if (to < 0)
            return -1;
        ts_j2k_stream_seek(s, static_cast<uint64_t>(to));
        return 0;
    }
    ojph::si64 tell() override { return static_cast<ojph::si64>(s->pos); }
    bool eof() override { return s->pos >= s->len; }

  private:
    ts_j2k_stream *s;
};

uint8_t to8(int32_t v, int shift_down, int shift_up)
{
    if (v < 0)
        return 0;
    v = shift_down > 0 ? v >> shift_down : v << shift_up;
    return v > 255 ? 255 : static_cast<uint8_t>(v);
}

void set_msg(char *msg, size_t len, const char *text)
{
    if (msg != nullptr && len > 0)
        snprintf(msg, len, "%s", text);
}

} // namespace

extern "C" void ts_ojph_init(void)
{
    ojph::configure_error(&error_handler);
    ojph::configure_warning(&warning_handler);
    ojph::configure_info(&info_handler);
    /* One tiny round trip fills OpenJPH's SIMD tables before threads race to do it. */
    struct ts_ojph_encode_opts o = {16, 16, 3, 16, 1, false, 0.01f};
    uint8_t *data = nullptr;
    size_t len = 0;
    char msg[64];
    auto grey_row = [](void *, uint32_t, uint8_t *row) -> int {
        memset(row, 128, 16 * 3);
        return 0;
    };
    if (ts_ojph_encode(&o, grey_row, nullptr, &data, &len, msg, sizeof(msg)) == 0) {
        ts_j2k_seg seg = {data, 0, len};
        ts_j2k_stream s = {};
        s.b = nullptr; /* every byte is in memory */
        s.segs = &seg;
        s.n_segs = 1;
        s.len = len;
        ts_pixels px = {};
        if (ts_ojph_decode(&s, 0, 0, 16, &px, msg, sizeof(msg)) == 0)
            free(px.data);
    }
    free(data);
}

extern "C" int ts_ojph_decode(struct ts_j2k_stream *s, unsigned reduce, uint32_t row0, uint32_t row1,
                              struct ts_pixels *out, char *msg, size_t msg_len)
{
    memset(out, 0, sizeof(*out));
    uint8_t *data = nullptr;
    try {
        stream_infile in(s);
        ojph::codestream cs;
        cs.read_headers(&in);
        ojph::param_siz siz = cs.access_siz();
        ojph::param_cod cod = cs.access_cod();
        uint32_t ncomp = siz.get_num_components();
        if (ncomp < 1 || ncomp > 4)
            throw std::runtime_error("unsupported number of components");
        if (reduce > cod.get_num_decompositions())
            reduce = cod.get_num_decompositions();
        cs.restrict_input_resolution(reduce, reduce);
        cs.set_planar(false);
        cs.create();
        uint32_t w = siz.get_recon_width(0), h = siz.get_recon_height(0);
        ojph::point off = siz.get_image_offset();
        uint32_t ox = static_cast<uint32_t>(((uint64_t)off.x + (1ull << reduce) - 1) >> reduce);
        uint32_t oy = static_cast<uint32_t>(((uint64_t)off.y + (1ull << reduce) - 1) >> reduce);
        uint32_t first = row0 > oy ? row0 - oy : 0, last = row1 > oy ? row1 - oy : 0;
        if (last > h)
            last = h;
        if (first >= last)
            first = last > 0 ? last - 1 : 0;
        int depth = static_cast<int>(siz.get_bit_depth(0));
        int down = depth > 8 ? depth - 8 : 0, up = depth < 8 ? 8 - depth : 0;
        size_t stride = static_cast<size_t>(w) * ncomp;
        data = static_cast<uint8_t *>(malloc(stride * (last - first) + 1));
        if (data == nullptr)
            throw std::bad_alloc();
        for (uint32_t y = 0; y < last; y++) {
            for (uint32_t c = 0; c < ncomp; c++) {
                ojph::ui32 comp = 0;
                ojph::line_buf *line = cs.pull(comp);
                if (line == nullptr || comp >= ncomp)
                    throw std::runtime_error("short code-stream");
                if (y < first)
                    continue;
                uint8_t *dst = data + (y - first) * stride + comp;
                const int32_t *src = line->i32;
                for (uint32_t x = 0; x < w; x++, dst += ncomp)
                    *dst = to8(src[x], down, up);
            }
        }
        cs.close();
        out->data = data;
        out->width = w;
        out->height = last - first;
        out->bands = static_cast<int>(ncomp);
        out->x0 = ox;
        out->y0 = oy + first;
        return 0;
    } catch (const std::exception &e) {
        free(data);
        set_msg(msg, msg_len, e.what());
    } catch (...) {
        free(data);
        set_msg(msg, msg_len, "HTJ2K decoding failed");
    }
    return -1;
}

extern "C" int ts_ojph_encode(const struct ts_ojph_encode_opts *o, ts_row_fn get_row, void *arg, uint8_t **data,
                              size_t *len, char *msg, size_t msg_len)
{
    *data = nullptr;
    *len = 0;
    uint8_t *row = nullptr;
    try {
        ojph::mem_outfile file;
        file.open(1 << 20);
        ojph::codestream cs;
        ojph::param_siz siz = cs.access_siz();
        siz.set_image_extent(ojph::point(o->width, o->height));
        siz.set_num_components(static_cast<ojph::ui32>(o->bands));
        for (int c = 0; c < o->bands; c++)
            siz.set_component(static_cast<ojph::ui32>(c), ojph::point(1, 1), 8, false);
        siz.set_tile_size(ojph::size(o->tile, o->tile));
        ojph::param_cod cod = cs.access_cod();
        cod.set_num_decomposition(o->decompositions);
        cod.set_block_dims(64, 64);
        cod.set_progression_order("RPCL");
        cod.set_reversible(o->reversible);
        cod.set_color_transform(o->bands >= 3);
        if (!o->reversible)
            cs.access_qcd().set_irrev_quant(o->qstep);
        cs.set_planar(false);
        cs.write_headers(&file);
        row = static_cast<uint8_t *>(malloc(static_cast<size_t>(o->width) * o->bands));
        if (row == nullptr)
            throw std::bad_alloc();
        ojph::ui32 next = 0;
        ojph::line_buf *line = cs.exchange(nullptr, next);
        for (uint32_t y = 0; y < o->height; y++) {
            if (get_row(arg, y, row) != 0)
                throw std::runtime_error("reading the input failed");
            for (int c = 0; c < o->bands; c++) {
                if (next != static_cast<ojph::ui32>(c))
                    throw std::runtime_error("unexpected component order");
                int32_t *dst = line->i32;
                const uint8_t *src = row + c;
                for (uint32_t x = 0; x < o->width; x++, src += o->bands)
                    dst[x] = *src;
                line = cs.exchange(line, next);
            }
        }
        cs.flush();
        size_t n = static_cast<size_t>(file.tell());
        uint8_t *buf = static_cast<uint8_t *>(malloc(n));
        if (buf == nullptr)
            throw std::bad_alloc();
        memcpy(buf, file.get_data(), n);
        cs.close();
        free(row);
        *data = buf;
        *len = n;
        return 0;
    } catch (const std::exception &e) {
        set_msg(msg, msg_len, e.what());
    } catch (...) {
        set_msg(msg, msg_len, "HTJ2K encoding failed");
    }
    free(row);
    return -1;
}
