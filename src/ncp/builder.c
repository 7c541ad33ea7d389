/*
 * src/ncp/builder.c - the segment arena and object allocation.
 */
#include <stdarg.h>

#include "internal.h"

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

ncp_status ncp_builder_fail(ncp_builder *b, ncp_status status, const char *fmt,
                            ...) {
    va_list ap;
    va_start(ap, fmt);
    ncp__error_vset(&b->err, status, fmt, ap);
    va_end(ap);
    return status;
}

ncp_status ncp_builder_status(const ncp_builder *b) {
    return b->err.status;
}
const ncp_error *ncp_builder_error(const ncp_builder *b) {
    return &b->err;
}

/* ------------------------------------------------------------------------
 * Segments
 * ------------------------------------------------------------------------ */

/* The allocation that holds a segment of `words` words (and room to
 * place it, see add_segment). */
static size_t seg_bytes(uint64_t words) {
    return (size_t)words * 8 + (size_t)NCP__COPY_ALIGN - 8;
}

/* Appends a segment of at least min_words words.  Returns its index or
 * UINT32_MAX (error recorded). */
static uint32_t add_segment(ncp_builder *b, uint64_t min_words) {
    if (min_words > NCP_MAX_SEGMENT_WORDS) {
        ncp_builder_fail(b, NCP_ERR_TOO_LARGE,
                         "builder: an object of %llu words exceeds the "
                         "largest segment (%u words)",
                         (unsigned long long)min_words, NCP_MAX_SEGMENT_WORDS);
        return UINT32_MAX;
    }
    /* Heuristic growth, as the reference library's: each new segment is
     * the first segment's size plus all earlier segments' (1024, 2048,
     * 4096, ... words by default). */
    uint64_t size = b->first_words;
    if (b->growth == NCP_GROW_HEURISTIC) size += b->total_cap;
    if (size < min_words) size = min_words;
    if (size > NCP_MAX_SEGMENT_WORDS) size = NCP_MAX_SEGMENT_WORDS;
    if (b->nsegs == b->segs_cap) {
        uint32_t cap = b->segs_cap ? b->segs_cap * 2 : 4;
        ncp_bseg *s =
            ncp__realloc(&b->alloc, b->segs, (size_t)b->segs_cap * sizeof *s,
                         (size_t)cap * sizeof *s);
        if (s == NULL) {
            ncp_builder_fail(b, NCP_ERR_NOMEM,
                             "builder: cannot grow the segment array to %u",
                             cap);
            return UINT32_MAX;
        }
        b->segs = s;
        b->segs_cap = cap;
    }
    /* The first segment is placed 8 bytes past a multiple of
     * NCP__COPY_ALIGN, as a message of one segment lies in a file (after
     * its 8-byte table): the kernel then copies it into the page cache
     * fastest.  Where later segments will lie depends on how many there
     * will be; they keep the allocator's placement. */
    uint8_t *mem = ncp__alloc(&b->alloc, seg_bytes(size));
    if (mem == NULL) {
        ncp_builder_fail(b, NCP_ERR_NOMEM,
                         "builder: cannot allocate a segment of %llu bytes",
                         (unsigned long long)size * 8);
        return UINT32_MAX;
    }
    ncp_bseg *s = &b->segs[b->nsegs];
    s->mem = mem;
    s->data = b->nsegs == 0 ? mem + ncp__copy_delta(mem, 8) : mem;
    s->used = 0;
    s->cap = (uint32_t)size;
    b->total_cap += size;
    return b->nsegs++;
}

/* Bump-allocates `words` in segment `seg`, or returns NULL if it lacks room.
 * The words are zeroed when `zero` is set. */
static uint8_t *alloc_in(ncp_builder *b, uint32_t seg, uint64_t words,
                         bool zero) {
    ncp_bseg *s = &b->segs[seg];
    if (words > (uint64_t)(s->cap - s->used)) return NULL;
    uint8_t *p = s->data + (size_t)s->used * 8;
    if (zero) memset(p, 0, (size_t)words * 8);
    s->used += (uint32_t)words;
    return p;
}

/* Allocates `words` in the newest segment or in a new one. */
static uint8_t *alloc_any(ncp_builder *b, uint64_t words, uint32_t *seg,
                          bool zero) {
    uint32_t last = b->nsegs - 1;
    uint8_t *p = alloc_in(b, last, words, zero);
    if (p) {
        *seg = last;
        return p;
    }
    uint32_t s = add_segment(b, words);
    if (s == UINT32_MAX) return NULL;
    *seg = s;
    return alloc_in(b, s, words, zero);
}

static inline uint32_t offset_in(const ncp_builder *b, uint32_t seg,
                                 const uint8_t *p) {
    return (uint32_t)((p - b->segs[seg].data) / 8);
}

/* ------------------------------------------------------------------------
 * Pointer words
 * ------------------------------------------------------------------------ */

static inline uint64_t struct_tag(uint16_t dw, uint16_t pc) {
    return (uint64_t)dw << 32 | (uint64_t)pc << 48;
}

static inline uint64_t list_tag(unsigned es, uint32_t count) {
    return (uint64_t)NCP_KIND_LIST | (uint64_t)es << 32 | (uint64_t)count << 35;
}

/* Stores at `ref` a near pointer to `target` described by `tag` (whose
 * offset bits are zero). */
static inline void set_near(uint8_t *ref, const uint8_t *target, uint64_t tag) {
    int64_t off = (target - ref) / 8 - 1;
    uint32_t lo = ((uint32_t)off << 2) | (uint32_t)(tag & 3);
    ncp_store64(ref, (tag & ~(uint64_t)0xffffffffu) | lo);
}

static inline void set_far(uint8_t *ref, bool dbl, uint32_t seg, uint32_t pad) {
    uint64_t w = (uint64_t)NCP_KIND_FAR | (uint64_t)(dbl ? 4 : 0) |
                 (uint64_t)pad << 3 | (uint64_t)seg << 32;
    ncp_store64(ref, w);
}

/* The empty-struct pointer: offset -1, no data, no pointers. */
#define EMPTY_STRUCT_PTR ((uint64_t)0xfffffffcu)

static bool check_loc(ncp_bptr p, const char *op) {
    if (NCP_UNLIKELY(p.b == NULL)) return false;
    if (NCP_UNLIKELY(p.p == NULL)) {
        ncp_builder_fail(p.b, NCP_ERR_ARG,
                         "%s: no such pointer (index beyond the pointer "
                         "section, or a failed parent)",
                         op);
        return false;
    }
    return p.b->err.status == NCP_OK;
}

/* Allocates `words` for an object to be pointed to from p: in p's own
 * segment if it has room, else with a one-word landing pad in front of it in
 * another segment (p becomes a far pointer to the pad).  Returns the content
 * and sets *ref to the word that must hold the near pointer to it. */
static uint8_t *alloc_for(ncp_bptr p, uint64_t words, uint8_t **ref,
                          uint32_t *seg, bool zero) {
    uint8_t *c = alloc_in(p.b, p.seg, words, zero);
    if (c) {
        *ref = p.p;
        *seg = p.seg;
        return c;
    }
    uint32_t s;
    uint8_t *pad = alloc_any(p.b, words + 1, &s, zero);
    if (pad == NULL) return NULL;
    set_far(p.p, false, s, offset_in(p.b, s, pad));
    *ref = pad;
    *seg = s;
    return pad + 8;
}

/* ------------------------------------------------------------------------
 * Builder
 * ------------------------------------------------------------------------ */

ncp_status ncp_builder_new(const ncp_builder_options *options,
                           ncp_builder **out) {
    static const ncp_builder_options defaults;
    const ncp_builder_options *o = options ? options : &defaults;
    if (out == NULL) return NCP_ERR_ARG;
    *out = NULL;
    uint32_t first = o->first_segment_words ? o->first_segment_words
                                            : NCP_DEFAULT_FIRST_SEGMENT_WORDS;
    if (first > NCP_MAX_SEGMENT_WORDS) return NCP_ERR_ARG;
    ncp_builder *b = ncp__alloc(&o->alloc, sizeof *b);
    if (b == NULL) return NCP_ERR_NOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = o->alloc;
    b->first_words = first;
    b->growth = o->growth;
    /* Segment 0 and its root pointer word. */
    uint32_t s0 = add_segment(b, 1);
    if (s0 == UINT32_MAX) {
        ncp__free(&b->alloc, b->segs, (size_t)b->segs_cap * sizeof *b->segs);
        ncp__free(&b->alloc, b, sizeof *b);
        return NCP_ERR_NOMEM;
    }
    alloc_in(b, 0, 1, true);
    *out = b;
    return NCP_OK;
}

void ncp_builder_free(ncp_builder *b) {
    if (b == NULL) return;
    ncp_allocator a = b->alloc;
    for (uint32_t i = 0; i < b->nsegs; i++)
        ncp__free(&a, b->segs[i].mem, seg_bytes(b->segs[i].cap));
    ncp__free(&a, b->segs, (size_t)b->segs_cap * sizeof *b->segs);
    ncp__free(&a, b, sizeof *b);
}

ncp_bptr ncp_builder_root_ptr(ncp_builder *b) {
    ncp_bptr p = {b, b->segs[0].data, 0};
    return p;
}

ncp_bstruct ncp_builder_init_root(ncp_builder *b, uint16_t data_words,
                                  uint16_t ptr_count) {
    return ncp_bptr_init_struct(ncp_builder_root_ptr(b), data_words, ptr_count);
}

uint32_t ncp_builder_segment_count(const ncp_builder *b) {
    return b->nsegs;
}

bool ncp_builder_segment(const ncp_builder *b, uint32_t i, const uint8_t **data,
                         uint32_t *words) {
    if (i >= b->nsegs) return false;
    if (data) *data = b->segs[i].data;
    if (words) *words = b->segs[i].used;
    return true;
}

uint64_t ncp_builder_size_words(const ncp_builder *b) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < b->nsegs; i++)
        n += b->segs[i].used;
    return n;
}

ncp_status ncp_builder_open(const ncp_builder *b,
                            const ncp_read_options *options, ncp_msg **out,
                            ncp_error *err) {
    ncp_read_options o;
    ncp__options_resolve(options, &o);
    if (out == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "builder: NULL output");
    *out = NULL;
    if (b->nsegs > o.max_segments)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "builder: %u segments exceed the reader's limit "
                             "of %u",
                             b->nsegs, o.max_segments);
    ncp_msg *m = ncp__msg_new(&o, b->nsegs, err);
    if (m == NULL) return NCP_ERR_NOMEM;
    for (uint32_t i = 0; i < b->nsegs; i++) {
        m->segs[i].data = b->segs[i].data;
        m->segs[i].words = b->segs[i].used;
    }
    ncp__msg_set_budget(m, &o);
    *out = m;
    return NCP_OK;
}

/* ------------------------------------------------------------------------
 * Objects
 * ------------------------------------------------------------------------ */

static const uint8_t elem_bits[8] = {0, 1, 8, 16, 32, 64, 64, 0};

ncp_bstruct ncp_bptr_init_struct(ncp_bptr p, uint16_t dw, uint16_t pc) {
    ncp_bstruct s = {p.b, NULL, NULL, p.seg, 0, 0};
    if (!check_loc(p, "ncp_bptr_init_struct")) return s;
    uint64_t words = (uint64_t)dw + pc;
    if (words == 0) {
        ncp_store64(p.p, EMPTY_STRUCT_PTR);
        return s;
    }
    uint8_t *ref;
    uint32_t seg;
    uint8_t *c = alloc_for(p, words, &ref, &seg, true);
    if (c == NULL) return s;
    set_near(ref, c, struct_tag(dw, pc));
    s.data = c;
    s.ptrs = c + (size_t)dw * 8;
    s.seg = seg;
    s.data_bytes = (uint32_t)dw * 8;
    s.ptr_count = pc;
    return s;
}

static bool check_len(ncp_builder *b, uint64_t len, const char *op) {
    if (len <= NCP_MAX_LIST_ELEMENTS) return true;
    ncp_builder_fail(b, NCP_ERR_TOO_LARGE,
                     "%s: %llu elements exceed the largest list (%u)", op,
                     (unsigned long long)len, NCP_MAX_LIST_ELEMENTS);
    return false;
}

/* A non-composite list of len elements, zeroed or not. */
static ncp_blist init_list(ncp_bptr p, ncp_elem_size es, uint32_t len,
                           bool zero, const char *op) {
    ncp_blist l = {p.b, NULL, p.seg, 0, 0, 0, 0, (uint8_t)es};
    if (!check_loc(p, op)) return l;
    if ((unsigned)es >= NCP_ELEM_COMPOSITE) {
        ncp_builder_fail(p.b, NCP_ERR_ARG,
                         "%s: element size %d is not a primitive or pointer "
                         "encoding (use ncp_bptr_init_struct_list)",
                         op, (int)es);
        return l;
    }
    if (!check_len(p.b, len, op)) return l;
    uint64_t words = ((uint64_t)len * elem_bits[es] + 63) / 64;
    uint8_t *ref;
    uint32_t seg;
    uint8_t *c = alloc_for(p, words, &ref, &seg, zero);
    if (c == NULL) return l;
    if (!zero && words > 0) ncp_store64(c + (words - 1) * 8, 0);
    set_near(ref, c, list_tag(es, len));
    l.start = c;
    l.seg = seg;
    l.len = len;
    l.step_bits = elem_bits[es];
    l.data_bits = es == NCP_ELEM_POINTER ? 0 : elem_bits[es];
    l.ptr_count = es == NCP_ELEM_POINTER ? 1 : 0;
    return l;
}

ncp_blist ncp_bptr_init_list(ncp_bptr p, ncp_elem_size es, uint32_t len) {
    return init_list(p, es, len, true, "ncp_bptr_init_list");
}

static ncp_blist init_struct_list(ncp_bptr p, uint32_t len, uint16_t dw,
                                  uint16_t pc, bool zero, const char *op) {
    ncp_blist l = {p.b, NULL, p.seg, 0, 0, 0, 0, NCP_ELEM_COMPOSITE};
    if (!check_loc(p, op) || !check_len(p.b, len, op)) return l;
    uint64_t per = (uint64_t)dw + pc;
    uint64_t words = (uint64_t)len * per;
    if (words > NCP_MAX_LIST_ELEMENTS) {
        ncp_builder_fail(p.b, NCP_ERR_TOO_LARGE,
                         "%s: %u elements of %llu words exceed the largest "
                         "struct list (%u words)",
                         op, len, (unsigned long long)per,
                         NCP_MAX_LIST_ELEMENTS);
        return l;
    }
    uint8_t *ref;
    uint32_t seg;
    uint8_t *c = alloc_for(p, words + 1, &ref, &seg, zero);
    if (c == NULL) return l;
    set_near(ref, c, list_tag(NCP_ELEM_COMPOSITE, (uint32_t)words));
    ncp_store64(c, ((uint64_t)len << 2) | struct_tag(dw, pc));
    l.start = c + 8;
    l.seg = seg;
    l.len = len;
    l.step_bits = (uint32_t)per * 64;
    l.data_bits = (uint32_t)dw * 64;
    l.ptr_count = pc;
    return l;
}

ncp_blist ncp_bptr_init_struct_list(ncp_bptr p, uint32_t len, uint16_t dw,
                                    uint16_t pc) {
    return init_struct_list(p, len, dw, pc, true, "ncp_bptr_init_struct_list");
}

ncp_blist ncp_bptr_init_data_list_unzeroed(ncp_bptr p, uint32_t len,
                                           uint16_t dw) {
    return init_struct_list(p, len, dw, 0, false,
                            "ncp_bptr_init_data_list_unzeroed");
}

ncp_blist ncp_bptr_init_list_from(ncp_bptr p, ncp_elem_size es, uint32_t len,
                                  const void *src) {
    const char *op = "ncp_bptr_init_list_from";
    if (es < NCP_ELEM_BYTE || es > NCP_ELEM_8BYTES) {
        ncp_blist l = {p.b, NULL, p.seg, 0, 0, 0, 0, (uint8_t)es};
        if (check_loc(p, op))
            ncp_builder_fail(p.b, NCP_ERR_ARG,
                             "%s: element size %d is not 1, 2, 4 or 8 bytes",
                             op, (int)es);
        return l;
    }
    ncp_blist l = init_list(p, es, len, false, op);
    if (l.start == NULL) return l;
    unsigned eb = elem_bits[es] / 8;
    if (NCP_HOST_LE) {
        if (len) memcpy(l.start, src, (size_t)len * eb);
    } else {
        ncp_blist_set_array(&l, eb, 0, len, src);
    }
    return l;
}

ncp_blist ncp_bptr_init_bools_from(ncp_bptr p, uint32_t len, const bool *src) {
    ncp_blist l =
        init_list(p, NCP_ELEM_BIT, len, true, "ncp_bptr_init_bools_from");
    if (l.start) ncp_blist_set_bools(&l, 0, len, src);
    return l;
}

static void set_bytes(ncp_bptr p, const void *src, size_t len, size_t extra,
                      const char *op) {
    if (!check_loc(p, op)) return;
    if (len > NCP_MAX_LIST_ELEMENTS - extra) {
        ncp_builder_fail(p.b, NCP_ERR_TOO_LARGE,
                         "%s: %zu bytes exceed the largest list", op, len);
        return;
    }
    ncp_blist l =
        init_list(p, NCP_ELEM_BYTE, (uint32_t)(len + extra), false, op);
    if (l.start && len) memcpy(l.start, src, len);
    if (l.start && extra) l.start[len] = 0;
}

void ncp_bptr_set_text(ncp_bptr p, const char *str, size_t len) {
    set_bytes(p, str, len, 1, "ncp_bptr_set_text");
}

void ncp_bptr_set_data(ncp_bptr p, const void *data, size_t len) {
    set_bytes(p, data, len, 0, "ncp_bptr_set_data");
}

void ncp_bptr_set_null(ncp_bptr p) {
    if (check_loc(p, "ncp_bptr_set_null")) ncp_store64(p.p, 0);
}

/* ------------------------------------------------------------------------
 * Orphans
 * ------------------------------------------------------------------------ */

static ncp_orphan new_orphan(ncp_builder *b, uint64_t words, uint64_t tag) {
    ncp_orphan o = {b, 0, 0, tag};
    if (b->err.status != NCP_OK) {
        o.b = NULL;
        return o;
    }
    uint32_t seg;
    uint8_t *c = alloc_any(b, words, &seg, true);
    if (c == NULL) {
        o.b = NULL;
        return o;
    }
    o.seg = seg;
    o.offset = offset_in(b, seg, c);
    return o;
}

ncp_orphan ncp_builder_new_struct_orphan(ncp_builder *b, uint16_t dw,
                                         uint16_t pc) {
    return new_orphan(b, (uint64_t)dw + pc, struct_tag(dw, pc));
}

ncp_orphan ncp_builder_new_list_orphan(ncp_builder *b, ncp_elem_size es,
                                       uint32_t len) {
    ncp_orphan none = {NULL, 0, 0, 0};
    const char *op = "ncp_builder_new_list_orphan";
    if ((unsigned)es >= NCP_ELEM_COMPOSITE) {
        ncp_builder_fail(b, NCP_ERR_ARG,
                         "%s: element size %d is not a primitive or pointer "
                         "encoding",
                         op, (int)es);
        return none;
    }
    if (!check_len(b, len, op)) return none;
    return new_orphan(b, ((uint64_t)len * elem_bits[es] + 63) / 64,
                      list_tag(es, len));
}

ncp_orphan ncp_builder_new_struct_list_orphan(ncp_builder *b, uint32_t len,
                                              uint16_t dw, uint16_t pc) {
    ncp_orphan none = {NULL, 0, 0, 0};
    const char *op = "ncp_builder_new_struct_list_orphan";
    uint64_t words = (uint64_t)len * ((uint64_t)dw + pc);
    if (!check_len(b, len, op)) return none;
    if (words > NCP_MAX_LIST_ELEMENTS) {
        ncp_builder_fail(b, NCP_ERR_TOO_LARGE,
                         "%s: %llu words exceed the largest struct list", op,
                         (unsigned long long)words);
        return none;
    }
    ncp_orphan o =
        new_orphan(b, words + 1, list_tag(NCP_ELEM_COMPOSITE, (uint32_t)words));
    if (o.b)
        ncp_store64(b->segs[o.seg].data + (size_t)o.offset * 8,
                    ((uint64_t)len << 2) | struct_tag(dw, pc));
    return o;
}

ncp_bstruct ncp_orphan_struct(ncp_orphan o) {
    ncp_bstruct s = {o.b, NULL, NULL, o.seg, 0, 0};
    if (o.b == NULL || (o.tag & 3) != NCP_KIND_STRUCT) return s;
    uint16_t dw = (uint16_t)(o.tag >> 32), pc = (uint16_t)(o.tag >> 48);
    s.data = o.b->segs[o.seg].data + (size_t)o.offset * 8;
    s.ptrs = s.data + (size_t)dw * 8;
    s.data_bytes = (uint32_t)dw * 8;
    s.ptr_count = pc;
    return s;
}

ncp_blist ncp_orphan_list(ncp_orphan o) {
    ncp_blist l = {o.b, NULL, o.seg, 0, 0, 0, 0, 0};
    if (o.b == NULL || (o.tag & 3) != NCP_KIND_LIST) return l;
    unsigned es = (unsigned)(o.tag >> 32) & 7;
    uint8_t *c = o.b->segs[o.seg].data + (size_t)o.offset * 8;
    l.elem = (uint8_t)es;
    if (es == NCP_ELEM_COMPOSITE) {
        uint64_t tag = ncp_load64(c);
        uint32_t dw = (uint32_t)(tag >> 32) & 0xffff;
        uint32_t pc = (uint32_t)(tag >> 48);
        l.start = c + 8;
        l.len = (uint32_t)((tag & 0xffffffffu) >> 2);
        l.step_bits = (dw + pc) * 64;
        l.data_bits = dw * 64;
        l.ptr_count = (uint16_t)pc;
    } else {
        l.start = c;
        l.len = (uint32_t)(o.tag >> 35);
        l.step_bits = elem_bits[es];
        l.data_bits = es == NCP_ELEM_POINTER ? 0 : elem_bits[es];
        l.ptr_count = es == NCP_ELEM_POINTER ? 1 : 0;
    }
    return l;
}

void ncp_bptr_adopt(ncp_bptr p, ncp_orphan o) {
    if (o.b == NULL) {
        if (p.b)
            ncp_builder_fail(p.b, NCP_ERR_ARG,
                             "ncp_bptr_adopt: the orphan was not created");
        return;
    }
    if (!check_loc(p, "ncp_bptr_adopt")) return;
    if (o.b != p.b) {
        ncp_builder_fail(p.b, NCP_ERR_ARG,
                         "ncp_bptr_adopt: the orphan belongs to another "
                         "builder");
        return;
    }
    ncp_builder *b = p.b;
    if ((o.tag & 3) == NCP_KIND_STRUCT && (o.tag >> 32) == 0) {
        ncp_store64(p.p, EMPTY_STRUCT_PTR);
        return;
    }
    uint8_t *content = b->segs[o.seg].data + (size_t)o.offset * 8;
    if (o.seg == p.seg) {
        set_near(p.p, content, o.tag);
        return;
    }
    uint8_t *pad = alloc_in(b, o.seg, 1, false);
    if (pad) {
        set_near(pad, content, o.tag);
        set_far(p.p, false, o.seg, offset_in(b, o.seg, pad));
        return;
    }
    /* The orphan's segment is full: a double-far pointer through a
     * two-word pad in another segment. */
    uint32_t s;
    pad = alloc_any(b, 2, &s, false);
    if (pad == NULL) return;
    set_far(pad, false, o.seg, o.offset);
    ncp_store64(pad + 8, o.tag);
    set_far(p.p, true, s, offset_in(b, s, pad));
}

/* ------------------------------------------------------------------------
 * Bulk stores
 * ------------------------------------------------------------------------ */

uint32_t ncp_blist_set_array(const ncp_blist *l, unsigned eb, uint32_t start,
                             uint32_t n, const void *src) {
    if (l->start == NULL || start >= l->len) return 0;
    if ((eb != 1 && eb != 2 && eb != 4 && eb != 8) || l->data_bits != eb * 8 ||
        l->elem == NCP_ELEM_BIT) {
        ncp_builder_fail(l->b, NCP_ERR_ARG,
                         "ncp_blist_set_array: %u-byte elements do not match "
                         "a list of %u-bit elements",
                         eb, l->data_bits);
        return 0;
    }
    if (n > l->len - start) n = l->len - start;
    const uint8_t *s = src;
    if (NCP_HOST_LE && l->step_bits == eb * 8) {
        memcpy(l->start + (size_t)start * eb, s, (size_t)n * eb);
        return n;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = ncp_blist_elem_(l, start + i);
        switch (eb) {
        case 1: *e = s[i]; break;
        case 2: {
            uint16_t v;
            memcpy(&v, s + (size_t)i * 2, 2);
            ncp_store16(e, v);
            break;
        }
        case 4: {
            uint32_t v;
            memcpy(&v, s + (size_t)i * 4, 4);
            ncp_store32(e, v);
            break;
        }
        default: {
            uint64_t v;
            memcpy(&v, s + (size_t)i * 8, 8);
            ncp_store64(e, v);
            break;
        }
        }
    }
    return n;
}

uint32_t ncp_blist_set_bools(const ncp_blist *l, uint32_t start, uint32_t n,
                             const bool *src) {
    if (l->start == NULL || start >= l->len) return 0;
    if (l->elem != NCP_ELEM_BIT) {
        ncp_builder_fail(l->b, NCP_ERR_ARG,
                         "ncp_blist_set_bools: the list is not a List(Bool)");
        return 0;
    }
    if (n > l->len - start) n = l->len - start;
    for (uint32_t i = 0; i < n; i++)
        ncp_blist_set_bool(l, start + i, src[i]);
    return n;
}
