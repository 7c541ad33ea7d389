/*
 * src/ncp/reader.c - opening messages and following pointers safely.
 *
 * Every address is formed only after the object it designates has been
 * checked to lie inside its segment: positions are computed as signed 64-bit
 * word indices relative to the segment start, compared with the segment's
 * size, and only then turned into pointers.  For a message read on demand,
 * the same checks then make sure the object's bytes have been read
 * (ncp__ready) before any of them is.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "internal.h"

/* ------------------------------------------------------------------------
 * Options, limits and message objects
 * ------------------------------------------------------------------------ */

void ncp__options_resolve(const ncp_read_options *in, ncp_read_options *o) {
    static const ncp_read_options zero;
    *o = in ? *in : zero;
    if (o->traversal_limit_words == 0)
        o->traversal_limit_words = NCP_DEFAULT_TRAVERSAL_LIMIT_WORDS;
    if (o->nesting_limit == 0) o->nesting_limit = NCP_DEFAULT_NESTING_LIMIT;
    if (o->nesting_limit > UINT16_MAX) o->nesting_limit = UINT16_MAX;
    if (o->max_segments == 0) o->max_segments = NCP_DEFAULT_MAX_SEGMENTS;
    /* Like the reference library, a message may be as large as the
     * traversal limit; with a limit proportional to the message size, up to
     * NCP_LARGE_MAX_MESSAGE_WORDS. */
    if (o->max_message_words == 0)
        o->max_message_words = o->traversal_limit_per_message_word
                                   ? NCP_LARGE_MAX_MESSAGE_WORDS
                                   : o->traversal_limit_words;
}

ncp_status ncp__table_count(uint32_t first, const ncp_read_options *o,
                            uint32_t *nsegs, ncp_error *err) {
    uint64_t n = (uint64_t)first + 1;
    if (n > o->max_segments)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "segment table: %llu segments exceed the limit "
                             "of %u",
                             (unsigned long long)n, o->max_segments);
    *nsegs = (uint32_t)n;
    return NCP_OK;
}

ncp_status ncp__table_total(const uint8_t *table, uint32_t nsegs,
                            const ncp_read_options *o, uint64_t *total,
                            ncp_error *err) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        sum += ncp_load32(table + 4 + (size_t)i * 4);
        if (sum > o->max_message_words)
            return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                                 "segment table: message of at least %llu "
                                 "words exceeds the limit of %llu words",
                                 (unsigned long long)sum,
                                 (unsigned long long)o->max_message_words);
    }
    *total = sum;
    return NCP_OK;
}

ncp_msg *ncp__msg_new(const ncp_read_options *o, uint32_t nsegs,
                      ncp_error *err) {
    size_t size = sizeof(ncp_msg) + (size_t)nsegs * sizeof(struct ncp_seg);
    ncp_msg *m = ncp__alloc(&o->alloc, size);
    if (m == NULL) {
        ncp_error_set(err, NCP_ERR_NOMEM, "message: cannot allocate %zu bytes",
                      size);
        return NULL;
    }
    memset(m, 0, size);
    m->alloc = o->alloc;
    m->self_size = size;
    m->nest_limit = (uint16_t)o->nesting_limit;
    m->single_thread = o->no_read_ahead;
    m->nsegs = nsegs;
    for (uint32_t i = 0; i < nsegs; i++)
        m->segs[i].id = i;
    return m;
}

void ncp__msg_set_budget(ncp_msg *m, const ncp_read_options *o) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < m->nsegs; i++)
        total += m->segs[i].words;
    m->size_words = total;
    uint64_t limit = o->traversal_limit_words;
    uint64_t k = o->traversal_limit_per_message_word;
    if (k != 0) {
        uint64_t scaled = total > UINT64_MAX / k ? UINT64_MAX : total * k;
        if (scaled > limit) limit = scaled;
    }
    m->budget = limit;
}

void ncp__msg_place(ncp_msg *m, const uint8_t *table, const uint8_t *data,
                    const ncp_read_options *o) {
    size_t off = 0;
    for (uint32_t i = 0; i < m->nsegs; i++) {
        uint32_t w = ncp_load32(table + 4 + (size_t)i * 4);
        m->segs[i].data = data + off;
        m->segs[i].words = w;
        off += (size_t)w * 8;
    }
    ncp__msg_set_budget(m, o);
}

bool ncp__unpacked_fits(const uint8_t *b, size_t len,
                        const ncp_read_options *o) {
    if (len < 8) return false;
    uint64_t n = (uint64_t)ncp_load32(b) + 1;
    if (n > o->max_segments) return false;
    size_t tbytes = ncp__table_bytes((uint32_t)n);
    if (len < tbytes) return false;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += ncp_load32(b + 4 + i * 4);
    return total <= (uint64_t)(len - tbytes) / 8;
}

ncp_status ncp__msg_from_buffer(const void *buf, size_t len,
                                const ncp_read_options *options, ncp_msg **out,
                                bool *in_place, ncp_error *err) {
    ncp_read_options o;
    ncp__options_resolve(options, &o);
    const uint8_t *b = buf;
    *out = NULL;
    *in_place = false;
    if (b == NULL && len != 0)
        return ncp_error_set(err, NCP_ERR_ARG, "message: NULL buffer");
    if (len == 0)
        return ncp_error_set(err, NCP_ERR_TRUNCATED, "message: empty input");

    bool packed = o.packing == NCP_PACKING_PACKED;
    if (o.packing == NCP_PACKING_AUTO && len >= 4)
        packed = ncp__surely_packed(b) ||
                 (ncp__ambiguous_head(b) && !ncp__unpacked_fits(b, len, &o));

    if (!packed) {
        if (len < 8)
            return ncp_error_set(err, NCP_ERR_TRUNCATED,
                                 "segment table: input of %zu bytes is "
                                 "shorter than one word",
                                 len);
        uint32_t nsegs = 0;
        ncp_status st = ncp__table_count(ncp_load32(b), &o, &nsegs, err);
        if (st != NCP_OK) return st;
        size_t tbytes = ncp__table_bytes(nsegs);
        if (len < tbytes)
            return ncp_error_set(err, NCP_ERR_TRUNCATED,
                                 "segment table: %u segments need %zu bytes, "
                                 "input has %zu",
                                 nsegs, tbytes, len);
        uint64_t total = 0;
        st = ncp__table_total(b, nsegs, &o, &total, err);
        if (st != NCP_OK) return st;
        if ((uint64_t)(len - tbytes) / 8 < total)
            return ncp_error_set(err, NCP_ERR_TRUNCATED,
                                 "message: segments need %llu bytes, input "
                                 "has %zu after the segment table",
                                 (unsigned long long)total * 8, len - tbytes);
        ncp_msg *m = ncp__msg_new(&o, nsegs, err);
        if (m == NULL) return NCP_ERR_NOMEM;
        ncp__msg_place(m, b, b + tbytes, &o);
        m->consumed = tbytes + (size_t)total * 8;
        *out = m;
        *in_place = true;
        return NCP_OK;
    }

    /* Packed: the first word, the rest of the table, then the segments, each
     * unpacked as its own region (as the reference reader does). */
    size_t ip = 0, op = 0, need, raw;
    uint8_t first[8];
    ncp__unpack_result r0 =
        ncp__unpack_some(b, len, &ip, first, 8, &op, &need, &raw);
    if (r0 == NCP__UNPACK_BAD)
        return ncp_error_set(err, NCP_ERR_MALFORMED,
                             "packed input: a run crosses the end of the "
                             "first word of the segment table");
    if (r0 != NCP__UNPACK_DONE)
        return ncp_error_set(err, NCP_ERR_TRUNCATED,
                             "packed input: truncated in the first word of "
                             "the segment table");
    uint32_t nsegs = 0;
    ncp_status st = ncp__table_count(ncp_load32(first), &o, &nsegs, err);
    if (st != NCP_OK) return st;
    size_t tbytes = ncp__table_bytes(nsegs);
    uint8_t small[64];
    uint8_t *table = small;
    if (tbytes > sizeof small) {
        table = ncp__alloc(&o.alloc, tbytes);
        if (table == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "segment table: cannot allocate %zu bytes",
                                 tbytes);
    }
    memcpy(table, first, 8);
    ncp_msg *m = NULL;
    uint8_t *data = NULL;
    uint64_t total = 0;
    op = 8;
    ncp__unpack_result r =
        ncp__unpack_some(b, len, &ip, table, tbytes, &op, &need, &raw);
    if (r != NCP__UNPACK_DONE) {
        st = ncp_error_set(
            err, r == NCP__UNPACK_BAD ? NCP_ERR_MALFORMED : NCP_ERR_TRUNCATED,
            r == NCP__UNPACK_BAD ? "packed input: a run crosses the end of the "
                                   "segment table"
                                 : "packed input: truncated in the segment "
                                   "table");
        goto fail;
    }
    st = ncp__table_total(table, nsegs, &o, &total, err);
    if (st != NCP_OK) goto fail;
    /* Every 256 words need at least two packed bytes. */
    if ((total + 255) / 256 * 2 > len - ip) {
        st = ncp_error_set(err, NCP_ERR_TRUNCATED,
                           "packed input: %llu words cannot be encoded in "
                           "the %zu bytes left",
                           (unsigned long long)total, len - ip);
        goto fail;
    }
    m = ncp__msg_new(&o, nsegs, err);
    if (m == NULL) {
        st = NCP_ERR_NOMEM;
        goto fail;
    }
    size_t dbytes = (size_t)total * 8;
    data = ncp__alloc(&o.alloc, dbytes);
    if (data == NULL) {
        st = ncp_error_set(err, NCP_ERR_NOMEM,
                           "message: cannot allocate %zu bytes for segments",
                           dbytes);
        goto fail;
    }
    op = 0;
    r = ncp__unpack_some(b, len, &ip, data, dbytes, &op, &need, &raw);
    if (r != NCP__UNPACK_DONE) {
        st = ncp_error_set(
            err, r == NCP__UNPACK_BAD ? NCP_ERR_MALFORMED : NCP_ERR_TRUNCATED,
            r == NCP__UNPACK_BAD
                ? "packed input: a run passes the end of the message at "
                  "byte %zu"
                : "packed input: truncated at byte %zu of the segments",
            op);
        goto fail;
    }
    m->owned = data;
    m->owned_size = dbytes;
    ncp__msg_place(m, table, data, &o);
    m->consumed = ip;
    if (table != small) ncp__free(&o.alloc, table, tbytes);
    *out = m;
    return NCP_OK;

fail:
    if (data) ncp__free(&o.alloc, data, (size_t)total * 8);
    if (m) ncp__free(&o.alloc, m, m->self_size);
    if (table != small) ncp__free(&o.alloc, table, tbytes);
    return st;
}

ncp_status ncp_msg_from_buffer(const void *buf, size_t len,
                               const ncp_read_options *options, ncp_msg **out,
                               ncp_error *err) {
    bool in_place;
    if (out == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "message: NULL output");
    return ncp__msg_from_buffer(buf, len, options, out, &in_place, err);
}

ncp_status ncp_msg_from_segments(const void *const *segments,
                                 const uint32_t *words, uint32_t count,
                                 const ncp_read_options *options, ncp_msg **out,
                                 ncp_error *err) {
    ncp_read_options o;
    ncp__options_resolve(options, &o);
    if (out == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "message: NULL output");
    *out = NULL;
    if (count == 0 || segments == NULL || words == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "message: no segments");
    if (count > o.max_segments)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "message: %u segments exceed the limit of %u",
                             count, o.max_segments);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (segments[i] == NULL && words[i] != 0)
            return ncp_error_set(err, NCP_ERR_ARG,
                                 "message: segment %u is NULL", i);
        total += words[i];
    }
    if (total > o.max_message_words)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "message: %llu words exceed the limit of %llu",
                             (unsigned long long)total,
                             (unsigned long long)o.max_message_words);
    ncp_msg *m = ncp__msg_new(&o, count, err);
    if (m == NULL) return NCP_ERR_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        m->segs[i].data = segments[i];
        m->segs[i].words = words[i];
    }
    ncp__msg_set_budget(m, &o);
    *out = m;
    return NCP_OK;
}

void ncp_msg_free(ncp_msg *m) {
    if (m == NULL) return;
    ncp_allocator a = m->alloc;
    if (m->owned) ncp__free(&a, m->owned, m->owned_size);
    if (m->map) ncp__unmap(m->map, m->map_size);
    if (m->fill) ncp__fill_free(m);
    ncp__free(&a, m, m->self_size);
}

ncp_status ncp_msg_status(const ncp_msg *m) {
    return m->err.status;
}
const ncp_error *ncp_msg_error(const ncp_msg *m) {
    return &m->err;
}

ncp_status ncp_msg_fail(ncp_msg *m, ncp_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ncp__error_vset(&m->err, status, fmt, ap);
    va_end(ap);
    return status;
}

uint32_t ncp_msg_segment_count(const ncp_msg *m) {
    return m->nsegs;
}

bool ncp_msg_segment(const ncp_msg *m, uint32_t i, const uint8_t **data,
                     uint32_t *words) {
    if (i >= m->nsegs || m->fill != NULL) return false;
    if (data) *data = m->segs[i].data;
    if (words) *words = m->segs[i].words;
    return true;
}

uint64_t ncp_msg_size_words(const ncp_msg *m) {
    return m->size_words;
}
size_t ncp_msg_consumed(const ncp_msg *m) {
    return m->consumed;
}
uint64_t ncp_msg_traversal_left(const ncp_msg *m) {
    return m->budget;
}

bool ncp_msg_single_thread(const ncp_msg *m) {
    return m->single_thread;
}

/* ------------------------------------------------------------------------
 * Pointer resolution
 * ------------------------------------------------------------------------ */

#define WHAT(w) ((w) ? (w) : "pointer")

/* A pointer's target: the segment, the word index of the object in it
 * (signed: not yet checked), and the word describing it. */
typedef struct target {
    const struct ncp_seg *seg;
    int64_t at;
    uint64_t tag;
} target;

/* Signed 30-bit word offset of a struct or list pointer. */
static inline int64_t ptr_offset(uint64_t w) {
    int64_t off = (int64_t)((w & 0xffffffffu) >> 2);
    if (off >= ((int64_t)1 << 29)) off -= (int64_t)1 << 30;
    return off;
}

static inline int64_t word_index(const struct ncp_seg *seg, const uint8_t *p) {
    return (int64_t)((p - seg->data) / 8);
}

static bool charge(ncp_msg *m, uint64_t words, const char *what) {
    if (m->budget == UINT64_MAX) return true; /* no limit, no accounting */
    if (NCP_LIKELY(words <= m->budget)) {
        m->budget -= words;
        return true;
    }
    m->budget = 0;
    ncp_msg_fail(m, NCP_ERR_LIMIT,
                 "%s: traversal limit exceeded (raise "
                 "ncp_read_options.traversal_limit_words for large messages)",
                 WHAT(what));
    return false;
}

/* Where the `words` words at word `at` of seg (inside it) are read: in the
 * message, once its bytes are there; for a transient list of a message read
 * on demand that has not read them, in its window.  NULL when they cannot
 * be read (the error is recorded). */
static const uint8_t *words_at(ncp_msg *m, const struct ncp_seg *seg,
                               int64_t at, uint64_t words, bool transient) {
    struct ncp_fill *f = m->fill;
    if (transient && f != NULL && words > 0 && words <= f->win_cap / 8) {
        uint64_t off = (uint64_t)(seg->data - f->base) + (uint64_t)at * 8;
        uint64_t end = off + words * 8;
        if (!ncp__fill_has(f, off, end)) return ncp__fill_window(m, off, end);
    }
    if (!ncp__ready(m, seg, at, words)) return NULL;
    return seg->data + (size_t)at * 8;
}

/* Follows far pointers from location p.  Fails (recording why) if a landing
 * pad is out of range or malformed. */
static bool resolve(const ncp_ptr *p, target *t, const char *what,
                    bool transient) {
    ncp_msg *m = p->msg;
    uint64_t w = ncp_load64(p->p);
    if ((w & 3) != NCP_KIND_FAR) {
        t->seg = p->seg;
        t->tag = w;
        t->at = word_index(p->seg, p->p) + 1 + ptr_offset(w);
        return true;
    }
    uint32_t sid = (uint32_t)(w >> 32);
    unsigned dbl = (unsigned)(w >> 2) & 1;
    uint64_t pad = (w >> 3) & 0x1fffffff;
    if (sid >= m->nsegs) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: far pointer at segment %u word %lld names segment "
                     "%u; the message has %u",
                     WHAT(what), p->seg->id,
                     (long long)word_index(p->seg, p->p), sid, m->nsegs);
        return false;
    }
    const struct ncp_seg *ps = &m->segs[sid];
    if (pad + 1 + dbl > ps->words) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: far pointer landing pad at word %llu of segment %u "
                     "lies outside its %u words",
                     WHAT(what), (unsigned long long)pad, sid, ps->words);
        return false;
    }
    if (!charge(m, 1 + dbl, what)) return false;
    /* (For a transient list, the pad is read through the window, which
     * then usually holds the list too.) */
    const uint8_t *pp = words_at(m, ps, (int64_t)pad, 1 + dbl, transient);
    if (pp == NULL) return false;
    uint64_t pw = ncp_load64(pp);
    if (!dbl) {
        if ((pw & 3) == NCP_KIND_FAR) {
            ncp_msg_fail(m, NCP_ERR_MALFORMED,
                         "%s: far pointer's landing pad (segment %u word "
                         "%llu) is itself a far pointer",
                         WHAT(what), sid, (unsigned long long)pad);
            return false;
        }
        t->seg = ps;
        t->tag = pw;
        t->at = (int64_t)pad + 1 + ptr_offset(pw);
        return true;
    }
    uint32_t sid2 = (uint32_t)(pw >> 32);
    if ((pw & 3) != NCP_KIND_FAR || ((pw >> 2) & 1) != 0) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: double-far landing pad (segment %u word %llu) does "
                     "not start with a single far pointer",
                     WHAT(what), sid, (unsigned long long)pad);
        return false;
    }
    if (sid2 >= m->nsegs) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: double-far landing pad names segment %u; the "
                     "message has %u",
                     WHAT(what), sid2, m->nsegs);
        return false;
    }
    uint64_t tag = ncp_load64(pp + 8);
    if ((tag & 3) != NCP_KIND_STRUCT && (tag & 3) != NCP_KIND_LIST) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: double-far landing pad's tag (segment %u word %llu) "
                     "is not a struct or list pointer",
                     WHAT(what), sid, (unsigned long long)pad + 1);
        return false;
    }
    t->seg = &m->segs[sid2];
    t->tag = tag;
    t->at = (int64_t)((pw >> 3) & 0x1fffffff);
    return true;
}

/* Whether words [at, at + size) lie in the segment. */
static inline bool in_segment(const struct ncp_seg *seg, int64_t at,
                              uint64_t size) {
    return at >= 0 && (uint64_t)at <= seg->words &&
           size <= seg->words - (uint64_t)at;
}

static void fail_bounds(ncp_msg *m, const char *what, const char *kind,
                        const target *t, uint64_t size) {
    ncp_msg_fail(m, NCP_ERR_MALFORMED,
                 "%s: %s of %llu words at word %lld lies outside segment %u "
                 "of %u words",
                 WHAT(what), kind, (unsigned long long)size, (long long)t->at,
                 t->seg->id, t->seg->words);
}

static void fail_kind(ncp_msg *m, const char *what, uint64_t tag,
                      const char *expected) {
    unsigned kind = (unsigned)(tag & 3);
    if (kind == NCP_KIND_OTHER && ((tag >> 2) & 0x3fffffff) == 0) {
        ncp_msg_fail(m, NCP_ERR_CAPABILITY,
                     "%s: capability pointer where %s was expected (data "
                     "messages cannot hold capabilities)",
                     WHAT(what), expected);
        return;
    }
    if (kind == NCP_KIND_OTHER) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "%s: pointer of an unknown kind where %s was expected",
                     WHAT(what), expected);
        return;
    }
    static const char *const names[] = {"a struct pointer", "a list pointer",
                                        "a far pointer"};
    ncp_msg_fail(m, NCP_ERR_TYPE, "%s: found %s where %s was expected",
                 WHAT(what), names[kind], expected);
}

static bool enter(const ncp_ptr *p, const char *what) {
    if (NCP_LIKELY(p->nest > 0)) return true;
    ncp_msg_fail(p->msg, NCP_ERR_NESTING,
                 "%s: nesting limit exceeded (the message is nested too "
                 "deeply or contains a cycle)",
                 WHAT(what));
    return false;
}

ncp_ptr ncp_msg_root_ptr(ncp_msg *m) {
    ncp_ptr p = {m, NULL, NULL, m->nest_limit};
    if (m->nsegs == 0 || m->segs[0].words == 0) {
        ncp_msg_fail(m, NCP_ERR_MALFORMED,
                     "message: no root pointer (segment 0 is empty)");
        return p;
    }
    if (!ncp__ready(m, &m->segs[0], 0, 1)) return p;
    p.seg = &m->segs[0];
    p.p = m->segs[0].data;
    return p;
}

ncp_ptr ncp_const_root(const uint8_t *words, uint32_t count, ncp_msg **cache) {
    ncp_msg *m = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (m == NULL) {
        ncp_read_options o = {0};
        o.traversal_limit_words = UINT64_MAX;
        o.nesting_limit = UINT16_MAX;
        const void *segs[1] = {words};
        ncp_msg *fresh = NULL;
        if (ncp_msg_from_segments(segs, &count, 1, &o, &fresh, NULL) !=
            NCP_OK) {
            ncp_ptr none = {NULL, NULL, NULL, 0};
            return none;
        }
        if (__atomic_compare_exchange_n(cache, &m, fresh, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            m = fresh;
        else
            ncp_msg_free(fresh); /* another thread won; m holds its message */
    }
    return ncp_msg_root_ptr(m);
}

ncp_struct ncp_msg_root(ncp_msg *m, const char *what) {
    return ncp_ptr_struct(ncp_msg_root_ptr(m), what ? what : "root");
}

ncp_ptr_kind ncp_ptr_type(ncp_ptr p) {
    if (ncp_ptr_is_null(p)) return NCP_PTR_NULL;
    target t;
    if (!resolve(&p, &t, NULL, false)) return NCP_PTR_INVALID;
    switch (t.tag & 3) {
    case NCP_KIND_STRUCT: return NCP_PTR_STRUCT;
    case NCP_KIND_LIST: return NCP_PTR_LIST;
    case NCP_KIND_OTHER:
        if (((t.tag >> 2) & 0x3fffffff) == 0) return NCP_PTR_CAPABILITY;
        break;
    default: break;
    }
    ncp_msg_fail(p.msg, NCP_ERR_MALFORMED,
                 "pointer at segment %u word %lld has an unknown kind",
                 p.seg->id, (long long)word_index(p.seg, p.p));
    return NCP_PTR_INVALID;
}

ncp_struct ncp_ptr_struct(ncp_ptr p, const char *what) {
    ncp_struct s = {p.msg, p.seg, NULL, NULL, 0, 0, 0};
    if (ncp_ptr_is_null(p) || !enter(&p, what)) return s;
    target t;
    if (!resolve(&p, &t, what, false)) return s;
    if ((t.tag & 3) != NCP_KIND_STRUCT) {
        fail_kind(p.msg, what, t.tag, "a struct");
        return s;
    }
    uint32_t dw = (uint32_t)(t.tag >> 32) & 0xffff;
    uint32_t pc = (uint32_t)(t.tag >> 48);
    uint64_t size = (uint64_t)dw + pc;
    if (!in_segment(t.seg, t.at, size)) {
        fail_bounds(p.msg, what, "struct", &t, size);
        return s;
    }
    if (!charge(p.msg, size, what)) return s;
    if (!ncp__ready(p.msg, t.seg, t.at, size)) return s;
    s.seg = t.seg;
    s.data = t.seg->data + (size_t)t.at * 8;
    s.ptrs = s.data + (size_t)dw * 8;
    s.data_bytes = dw * 8;
    s.ptr_count = (uint16_t)pc;
    s.nest = (uint16_t)(p.nest - 1);
    return s;
}

static const uint8_t elem_data_bits[8] = {0, 1, 8, 16, 32, 64, 0, 0};

static const char *elem_name(int e) {
    static const char *const names[] = {"List(Void)",
                                        "List(Bool)",
                                        "a list of bytes",
                                        "a list of 2-byte values",
                                        "a list of 4-byte values",
                                        "a list of 8-byte values",
                                        "a list of pointers",
                                        "a struct list"};
    return e >= 0 && e < 8 ? names[e] : "a list";
}

static bool list_compatible(ncp_msg *m, const char *what, int expected,
                            int actual, uint32_t data_bits,
                            uint32_t ptr_count) {
    if (expected == NCP_LIST_ANY || expected == NCP_ELEM_VOID) return true;
    bool ok;
    switch (expected) {
    case NCP_ELEM_BIT: ok = actual == NCP_ELEM_BIT; break;
    case NCP_ELEM_POINTER: ok = ptr_count >= 1; break;
    case NCP_ELEM_COMPOSITE: ok = actual != NCP_ELEM_BIT; break;
    default:
        ok = actual != NCP_ELEM_BIT && data_bits >= elem_data_bits[expected];
        break;
    }
    if (!ok)
        ncp_msg_fail(m, NCP_ERR_TYPE, "%s: found %s where %s was expected",
                     WHAT(what), elem_name(actual), elem_name(expected));
    return ok;
}

static ncp_list open_list(ncp_ptr p, int expected, const char *what,
                          bool transient) {
    ncp_list l = {p.msg, p.seg, NULL, 0, 0, 0, 0, 0, 0, 0};
    if (expected < NCP_LIST_ANY || expected > NCP_ELEM_COMPOSITE) {
        ncp_msg_fail(p.msg, NCP_ERR_ARG, "%s: invalid expected element size %d",
                     WHAT(what), expected);
        return l;
    }
    if (ncp_ptr_is_null(p) || !enter(&p, what)) return l;
    target t;
    if (!resolve(&p, &t, what, transient)) return l;
    if ((t.tag & 3) != NCP_KIND_LIST) {
        fail_kind(p.msg, what, t.tag, "a list");
        return l;
    }
    unsigned es = (unsigned)(t.tag >> 32) & 7;
    uint64_t count = t.tag >> 35;
    if (es == NCP_ELEM_COMPOSITE) {
        uint64_t words = count; /* the content, after the tag word */
        if (!in_segment(t.seg, t.at, words + 1)) {
            fail_bounds(p.msg, what, "struct list", &t, words + 1);
            return l;
        }
        if (!charge(p.msg, words + 1, what)) return l;
        const uint8_t *tp = words_at(p.msg, t.seg, t.at, words + 1, transient);
        if (tp == NULL) return l;
        uint64_t tag = ncp_load64(tp);
        if ((tag & 3) != NCP_KIND_STRUCT) {
            ncp_msg_fail(p.msg, NCP_ERR_MALFORMED,
                         "%s: struct list's tag (segment %u word %lld) is not "
                         "a struct tag",
                         WHAT(what), t.seg->id, (long long)t.at);
            return l;
        }
        uint64_t n = (tag & 0xffffffffu) >> 2;
        uint32_t dw = (uint32_t)(tag >> 32) & 0xffff;
        uint32_t pc = (uint32_t)(tag >> 48);
        uint64_t per = (uint64_t)dw + pc;
        if (n * per > words) {
            ncp_msg_fail(p.msg, NCP_ERR_MALFORMED,
                         "%s: struct list of %llu elements of %llu words "
                         "overruns its %llu words",
                         WHAT(what), (unsigned long long)n,
                         (unsigned long long)per, (unsigned long long)words);
            return l;
        }
        if (n > NCP_MAX_LIST_ELEMENTS) {
            ncp_msg_fail(p.msg, NCP_ERR_MALFORMED,
                         "%s: struct list tag claims %llu elements, more "
                         "than a list can hold (%u)",
                         WHAT(what), (unsigned long long)n,
                         NCP_MAX_LIST_ELEMENTS);
            return l;
        }
        /* Elements of no size cost a word each (amplification). */
        if (per == 0 && !charge(p.msg, n, what)) return l;
        if (!list_compatible(p.msg, what, expected, NCP_ELEM_COMPOSITE, dw * 64,
                             pc))
            return l;
        if (pc > 0 && tp != t.seg->data + (size_t)t.at * 8) {
            /* Pointers are followed inside the message: read it there. */
            if (!ncp__ready(p.msg, t.seg, t.at, words + 1)) return l;
            tp = t.seg->data + (size_t)t.at * 8;
        }
        l.start = tp + 8;
        l.len = (uint32_t)n;
        l.step_bits = (uint32_t)per * 64;
        l.data_bits = dw * 64;
        l.ptr_count = (uint16_t)pc;
    } else {
        uint32_t data_bits = elem_data_bits[es];
        uint32_t ptrs = es == NCP_ELEM_POINTER ? 1 : 0;
        uint32_t step = data_bits + ptrs * 64;
        uint64_t words = (count * step + 63) / 64;
        if (!in_segment(t.seg, t.at, words)) {
            fail_bounds(p.msg, what, "list", &t, words);
            return l;
        }
        if (!charge(p.msg, words, what)) return l;
        if (es == NCP_ELEM_VOID && !charge(p.msg, count, what)) return l;
        if (!list_compatible(p.msg, what, expected, (int)es, data_bits, ptrs))
            return l;
        const uint8_t *start =
            words_at(p.msg, t.seg, t.at, words, transient && ptrs == 0);
        if (start == NULL) return l;
        l.start = start;
        l.len = (uint32_t)count;
        l.step_bits = step;
        l.data_bits = data_bits;
        l.ptr_count = (uint16_t)ptrs;
    }
    l.seg = t.seg;
    l.elem = (uint8_t)es;
    l.nest = (uint16_t)(p.nest - 1);
    return l;
}

ncp_list ncp_ptr_list(ncp_ptr p, int expected, const char *what) {
    return open_list(p, expected, what, false);
}

ncp_list ncp_ptr_list_transient(ncp_ptr p, int expected, const char *what) {
    return open_list(p, expected, what, true);
}

/* ------------------------------------------------------------------------
 * Views
 * ------------------------------------------------------------------------ */

ncp_status ncp_msg_view(ncp_msg *m, ncp_msg **out, ncp_error *err) {
    if (out) *out = NULL;
    if (m == NULL || out == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "view: NULL argument");
    if (m->view_of != NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "view: of a view");
    if (m->err.status != NCP_OK)
        return ncp_error_set(err, NCP_ERR_ARG,
                             "view: the message has failed: %s",
                             m->err.message);
    ncp_msg *v = ncp__alloc(&m->alloc, m->self_size);
    if (v == NULL)
        return ncp_error_set(err, NCP_ERR_NOMEM,
                             "view: cannot allocate %zu bytes", m->self_size);
    memcpy(v, m, m->self_size);
    v->owned = NULL;
    v->owned_size = 0;
    v->map = NULL;
    v->map_size = 0;
    v->fill = NULL;
    v->view_of = m;
    v->view_budget = m->budget;
    if (m->fill != NULL && !ncp__fill_view(m, v, err)) {
        ncp__free(&m->alloc, v, v->self_size);
        return NCP_ERR_NOMEM;
    }
    *out = v;
    return NCP_OK;
}

ncp_status ncp_msg_view_merge(ncp_msg *m, ncp_msg *const *v, size_t n) {
    if (m == NULL || (n > 0 && v == NULL)) return NCP_ERR_ARG;
    for (size_t i = 0; i < n; i++)
        if (v[i] == NULL || v[i]->view_of != m) return NCP_ERR_ARG;
    ncp_status st = m->err.status;
    uint64_t used = 0;
    bool fits = true;
    for (size_t i = 0; i < n; i++) {
        if (st == NCP_OK) st = v[i]->err.status;
        /* (A view's budget only goes down from view_budget.) */
        uint64_t u = v[i]->view_budget - v[i]->budget;
        if (u > UINT64_MAX - used) fits = false;
        used += u;
    }
    if (st == NCP_OK && m->budget != UINT64_MAX && (!fits || used > m->budget))
        st = NCP_ERR_LIMIT;
    if (st == NCP_OK && m->budget != UINT64_MAX) m->budget -= used;
    for (size_t i = 0; i < n; i++)
        ncp_msg_free(v[i]);
    return st;
}

void ncp_msg_window_until(ncp_msg *m, ncp_ptr p) {
    struct ncp_fill *f = m ? m->fill : NULL;
    if (f == NULL) return;
    f->win_bound = 0;
    if (p.p == NULL || p.seg == NULL) return;
    uint64_t w = ncp_load64(p.p);
    if ((w & 3) != NCP_KIND_LIST) return;
    static const uint8_t bits[8] = {0, 1, 8, 16, 32, 64, 64, 0};
    unsigned es = (unsigned)(w >> 32) & 7;
    uint64_t count = w >> 35, words;
    if (es == NCP_ELEM_COMPOSITE)
        words = count + 1; /* the tag and the elements */
    else
        words = (count * bits[es] + 63) / 64;
    int64_t at = word_index(p.seg, p.p) + 1 + ptr_offset(w);
    if (at < 0 || (uint64_t)at + words > p.seg->words) return;
    /* (Addresses compared as integers: p may be of another message.) */
    uintptr_t seg_at = (uintptr_t)p.seg->data, base = (uintptr_t)f->base;
    if (seg_at < base || seg_at - base > f->size) return;
    f->win_bound = (uint64_t)(seg_at - base) + ((uint64_t)at + words) * 8;
}

/* A byte list for Text or Data: start and length, or false. */
static bool byte_list(ncp_ptr p, const char *what, const char *expected,
                      const uint8_t **start, uint64_t *len) {
    target t;
    if (!resolve(&p, &t, what, false)) return false;
    if ((t.tag & 3) != NCP_KIND_LIST) {
        fail_kind(p.msg, what, t.tag, expected);
        return false;
    }
    unsigned es = (unsigned)(t.tag >> 32) & 7;
    if (es != NCP_ELEM_BYTE) {
        ncp_msg_fail(p.msg, NCP_ERR_TYPE, "%s: found %s where %s was expected",
                     WHAT(what), elem_name((int)es), expected);
        return false;
    }
    uint64_t count = t.tag >> 35;
    uint64_t words = (count + 7) / 8;
    if (!in_segment(t.seg, t.at, words)) {
        fail_bounds(p.msg, what, expected, &t, words);
        return false;
    }
    if (!charge(p.msg, words, what)) return false;
    if (!ncp__ready(p.msg, t.seg, t.at, words)) return false;
    *start = t.seg->data + (size_t)t.at * 8;
    *len = count;
    return true;
}

ncp_text ncp_ptr_text(ncp_ptr p, const char *what) {
    ncp_text t = {"", 0};
    if (ncp_ptr_is_null(p)) return t;
    const uint8_t *s;
    uint64_t n;
    if (!byte_list(p, what, "text", &s, &n)) return t;
    if (n == 0 || s[n - 1] != 0) {
        ncp_msg_fail(p.msg, NCP_ERR_MALFORMED,
                     "%s: text of %llu bytes is not NUL-terminated", WHAT(what),
                     (unsigned long long)n);
        return t;
    }
    t.str = (const char *)s;
    t.len = (size_t)n - 1;
    return t;
}

ncp_data ncp_ptr_data(ncp_ptr p, const char *what) {
    ncp_data d = {NULL, 0};
    if (ncp_ptr_is_null(p)) return d;
    const uint8_t *s;
    uint64_t n;
    if (!byte_list(p, what, "data", &s, &n)) return d;
    d.ptr = s;
    d.len = (size_t)n;
    return d;
}

/* ------------------------------------------------------------------------
 * Bulk copies
 * ------------------------------------------------------------------------ */

uint32_t ncp_list_get_array(const ncp_list *l, unsigned eb, uint32_t start,
                            uint32_t n, void *dst) {
    if (eb != 1 && eb != 2 && eb != 4 && eb != 8) {
        if (l->msg)
            ncp_msg_fail(l->msg, NCP_ERR_ARG,
                         "ncp_list_get_array: element width %u is not 1, 2, "
                         "4 or 8 bytes",
                         eb);
        return 0;
    }
    if (start >= l->len) return 0;
    if (n > l->len - start) n = l->len - start;
    if (l->data_bits < eb * 8 || l->elem == NCP_ELEM_BIT) {
        if (l->msg)
            ncp_msg_fail(
                l->msg, NCP_ERR_ARG,
                "ncp_list_get_array: %u-byte elements requested from a "
                "list of %u-bit elements",
                eb, l->data_bits);
        return 0;
    }
    uint8_t *d = dst;
    if (NCP_HOST_LE && l->step_bits == eb * 8) {
        memcpy(d, l->start + (size_t)start * eb, (size_t)n * eb);
        return n;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = ncp_list_elem_(l, start + i);
        switch (eb) {
        case 1: d[i] = *e; break;
        case 2: {
            uint16_t v = ncp_load16(e);
            memcpy(d + (size_t)i * 2, &v, 2);
            break;
        }
        case 4: {
            uint32_t v = ncp_load32(e);
            memcpy(d + (size_t)i * 4, &v, 4);
            break;
        }
        default: {
            uint64_t v = ncp_load64(e);
            memcpy(d + (size_t)i * 8, &v, 8);
            break;
        }
        }
    }
    return n;
}

uint32_t ncp_list_get_bools(const ncp_list *l, uint32_t start, uint32_t n,
                            bool *dst) {
    if (start >= l->len) return 0;
    if (n > l->len - start) n = l->len - start;
    if (l->elem != NCP_ELEM_BIT) {
        if (l->msg)
            ncp_msg_fail(l->msg, NCP_ERR_ARG,
                         "ncp_list_get_bools: the list was not opened as "
                         "List(Bool)");
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = start + i;
        dst[i] = ((l->start[b >> 3] >> (b & 7)) & 1) != 0;
    }
    return n;
}
