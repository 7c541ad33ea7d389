/*
 * nupic/ncp/builder.h - building Cap'n Proto messages.
 *
 * A builder is an arena of segments.  Objects are bump-allocated in the
 * segment that holds the pointer to them when it has room, otherwise in the
 * newest segment, otherwise in a new segment (its size follows the growth
 * policy); pointers across segments become far pointers with a landing pad,
 * and double-far pointers when an orphan's segment is full.  Segments never
 * move, so handles stay valid until ncp_builder_free().
 *
 * Handles (ncp_bptr, ncp_bstruct, ncp_blist) are small values; their fields
 * are private.  Errors are sticky: the first failure (out of memory, a size
 * beyond the format's limits, a misuse) is recorded in the builder, the
 * handle returned is inert (its setters do nothing, its getters read 0), and
 * the output functions refuse to write a builder that holds an error.  So a
 * sequence of builder calls needs one check, ncp_builder_status(), at the
 * end.
 *
 * Thread-safety: a builder and its handles must be used by one thread at a
 * time.
 */
#ifndef NUPIC_NCP_BUILDER_H
#define NUPIC_NCP_BUILDER_H

#include "base.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ncp_builder ncp_builder;

typedef enum ncp_growth {
    /* Each new segment is as large as the first and all earlier ones
     * together (1024, 2048, 4096, ... words by default), as the reference
     * C++ library grows them. */
    NCP_GROW_HEURISTIC = 0,
    /* Every segment has the first segment's size (unless an object needs
     * more).  Mostly useful for tests of multi-segment messages. */
    NCP_GROW_FIXED
} ncp_growth;

#define NCP_DEFAULT_FIRST_SEGMENT_WORDS 1024u

typedef struct ncp_builder_options {
    uint32_t first_segment_words; /* 0 means 1024 */
    ncp_growth growth;
    ncp_allocator alloc;
} ncp_builder_options;

typedef struct ncp_bptr {
    ncp_builder *b;
    uint8_t *p; /* NULL: no pointer here */
    uint32_t seg;
} ncp_bptr;

typedef struct ncp_bstruct {
    ncp_builder *b;
    uint8_t *data;
    uint8_t *ptrs;
    uint32_t seg;
    uint32_t data_bytes;
    uint16_t ptr_count;
} ncp_bstruct;

typedef struct ncp_blist {
    ncp_builder *b;
    uint8_t *start;
    uint32_t seg;
    uint32_t len;
    uint32_t step_bits;
    uint32_t data_bits;
    uint16_t ptr_count;
    uint8_t elem;
} ncp_blist;

/* An object allocated without a pointer to it yet (see ncp_bptr_adopt). */
typedef struct ncp_orphan {
    ncp_builder *b;
    uint32_t seg;
    uint32_t offset; /* word offset of the content (of the tag, for a
                        composite list) in seg */
    uint64_t tag;    /* the pointer word, with offset 0 */
} ncp_orphan;

/* ------------------------------------------------------------------------
 * Builder
 * ------------------------------------------------------------------------ */

/* Creates a builder (options may be NULL).  Returns NCP_OK and sets *out,
 * NCP_ERR_NOMEM, or NCP_ERR_ARG for a first segment beyond
 * NCP_MAX_SEGMENT_WORDS. */
NCP_API NCP_NODISCARD ncp_status
ncp_builder_new(const ncp_builder_options *options, ncp_builder **out);
/* Frees the builder and all its segments.  NULL is allowed. */
NCP_API void ncp_builder_free(ncp_builder *b);

NCP_API ncp_status ncp_builder_status(const ncp_builder *b);
NCP_API const ncp_error *ncp_builder_error(const ncp_builder *b);
/* Records an error in the builder (first error wins); returns status. */
NCP_API ncp_status ncp_builder_fail(ncp_builder *b, ncp_status status,
                                    const char *fmt, ...) NCP_PRINTF(3, 4);

/* The root pointer location, and a convenience that allocates the root
 * struct there. */
NCP_API ncp_bptr ncp_builder_root_ptr(ncp_builder *b);
NCP_API ncp_bstruct ncp_builder_init_root(ncp_builder *b, uint16_t data_words,
                                          uint16_t ptr_count);

NCP_API uint32_t ncp_builder_segment_count(const ncp_builder *b);
/* Segment i's used words; false if i is out of range. */
NCP_API bool ncp_builder_segment(const ncp_builder *b, uint32_t i,
                                 const uint8_t **data, uint32_t *words);
/* Total used words of all segments. */
NCP_API uint64_t ncp_builder_size_words(const ncp_builder *b);

/* Opens the message being built for reading, in place (no copy).  The
 * reader is valid until the builder changes or is freed. */
NCP_API NCP_NODISCARD ncp_status
ncp_builder_open(const ncp_builder *b, const ncp_read_options *options,
                 ncp_msg **out, ncp_error *err);

/* ------------------------------------------------------------------------
 * Pointer locations
 * ------------------------------------------------------------------------ */

/* Allocates a zeroed struct and points p at it. */
NCP_API ncp_bstruct ncp_bptr_init_struct(ncp_bptr p, uint16_t data_words,
                                         uint16_t ptr_count);
/* Allocates a zeroed list of len elements of a non-composite encoding. */
NCP_API ncp_blist ncp_bptr_init_list(ncp_bptr p, ncp_elem_size elem,
                                     uint32_t len);
/* Allocates a zeroed struct list (always the composite encoding). */
NCP_API ncp_blist ncp_bptr_init_struct_list(ncp_bptr p, uint32_t len,
                                            uint16_t data_words,
                                            uint16_t ptr_count);
/* As ncp_bptr_init_struct_list for structs without pointers, except that
 * the elements are NOT zeroed: the caller must write all
 * len * data_words * 8 bytes at the result's start before the message is
 * written, read or copied (bytes it leaves hold whatever the allocator's
 * memory held).  For writers that fill a large list in one pass. */
NCP_API ncp_blist ncp_bptr_init_data_list_unzeroed(ncp_bptr p, uint32_t len,
                                                   uint16_t data_words);
/* Allocates a list of len elements of 1, 2, 4 or 8 bytes (elem is
 * NCP_ELEM_BYTE .. NCP_ELEM_8BYTES) initialised from src, host byte order,
 * at memcpy speed on little-endian hosts. */
NCP_API ncp_blist ncp_bptr_init_list_from(ncp_bptr p, ncp_elem_size elem,
                                          uint32_t len, const void *src);
NCP_API ncp_blist ncp_bptr_init_bools_from(ncp_bptr p, uint32_t len,
                                           const bool *src);
/* Text: len bytes of str (which need not be NUL-terminated; it must not
 * contain NUL) plus the terminating NUL.  Data: len bytes. */
NCP_API void ncp_bptr_set_text(ncp_bptr p, const char *str, size_t len);
NCP_API void ncp_bptr_set_data(ncp_bptr p, const void *data, size_t len);
/* Makes p null.  (Space of an object it pointed to is not reclaimed.) */
NCP_API void ncp_bptr_set_null(ncp_bptr p);
/* Deep-copies the object src points to (from any reader, including one over
 * this builder's own message) and points p at the copy.  An error while
 * reading src is recorded in both the source message and the builder. */
NCP_API void ncp_bptr_copy(ncp_bptr p, ncp_ptr src);

/* Orphans: objects allocated before it is known where they belong. */
NCP_API ncp_orphan ncp_builder_new_struct_orphan(ncp_builder *b,
                                                 uint16_t data_words,
                                                 uint16_t ptr_count);
NCP_API ncp_orphan ncp_builder_new_list_orphan(ncp_builder *b,
                                               ncp_elem_size elem,
                                               uint32_t len);
NCP_API ncp_orphan ncp_builder_new_struct_list_orphan(ncp_builder *b,
                                                      uint32_t len,
                                                      uint16_t data_words,
                                                      uint16_t ptr_count);
NCP_API ncp_bstruct ncp_orphan_struct(ncp_orphan o);
NCP_API ncp_blist ncp_orphan_list(ncp_orphan o);
/* Points p at the orphan (a near, far or double-far pointer as the
 * segments' room requires).  Each orphan must be adopted at most once. */
NCP_API void ncp_bptr_adopt(ncp_bptr p, ncp_orphan o);

/* ------------------------------------------------------------------------
 * Struct fields (offsets as in reader.h).  Values are stored as given: the
 * caller XORs in the field's default.
 * ------------------------------------------------------------------------ */

static inline void ncp_bstruct_set_bool(const ncp_bstruct *s, uint32_t bit,
                                        bool v) {
    if ((bit >> 3) < s->data_bytes) {
        uint8_t *b = s->data + (bit >> 3);
        uint8_t m = (uint8_t)(1u << (bit & 7));
        *b = v ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
    }
}
static inline void ncp_bstruct_set_u8(const ncp_bstruct *s, uint32_t off,
                                      uint8_t v) {
    if ((uint64_t)off + 1 <= s->data_bytes) s->data[off] = v;
}
static inline void ncp_bstruct_set_u16(const ncp_bstruct *s, uint32_t off,
                                       uint16_t v) {
    if ((uint64_t)off + 2 <= s->data_bytes) ncp_store16(s->data + off, v);
}
static inline void ncp_bstruct_set_u32(const ncp_bstruct *s, uint32_t off,
                                       uint32_t v) {
    if ((uint64_t)off + 4 <= s->data_bytes) ncp_store32(s->data + off, v);
}
static inline void ncp_bstruct_set_u64(const ncp_bstruct *s, uint32_t off,
                                       uint64_t v) {
    if ((uint64_t)off + 8 <= s->data_bytes) ncp_store64(s->data + off, v);
}

static inline bool ncp_bstruct_bool(const ncp_bstruct *s, uint32_t bit) {
    return (bit >> 3) < s->data_bytes &&
           ((s->data[bit >> 3] >> (bit & 7)) & 1) != 0;
}
static inline uint8_t ncp_bstruct_u8(const ncp_bstruct *s, uint32_t off) {
    return (uint64_t)off + 1 <= s->data_bytes ? s->data[off] : 0;
}
static inline uint16_t ncp_bstruct_u16(const ncp_bstruct *s, uint32_t off) {
    return (uint64_t)off + 2 <= s->data_bytes ? ncp_load16(s->data + off) : 0;
}
static inline uint32_t ncp_bstruct_u32(const ncp_bstruct *s, uint32_t off) {
    return (uint64_t)off + 4 <= s->data_bytes ? ncp_load32(s->data + off) : 0;
}
static inline uint64_t ncp_bstruct_u64(const ncp_bstruct *s, uint32_t off) {
    return (uint64_t)off + 8 <= s->data_bytes ? ncp_load64(s->data + off) : 0;
}

static inline ncp_bptr ncp_bstruct_ptr(const ncp_bstruct *s, uint32_t idx) {
    ncp_bptr p = {s->b, NULL, s->seg};
    if (idx < s->ptr_count) p.p = s->ptrs + (size_t)idx * 8;
    return p;
}

/* ------------------------------------------------------------------------
 * List elements
 * ------------------------------------------------------------------------ */

static inline uint32_t ncp_blist_len(const ncp_blist *l) {
    return l->len;
}

static inline uint8_t *ncp_blist_elem_(const ncp_blist *l, uint32_t i) {
    return l->start + (((uint64_t)i * l->step_bits) >> 3);
}

static inline void ncp_blist_set_bool(const ncp_blist *l, uint32_t i, bool v) {
    if (i < l->len && l->data_bits >= 1) {
        uint64_t bit = (uint64_t)i * l->step_bits;
        uint8_t *b = l->start + (bit >> 3);
        uint8_t m = (uint8_t)(1u << (bit & 7));
        *b = v ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
    }
}
static inline void ncp_blist_set_u8(const ncp_blist *l, uint32_t i, uint8_t v) {
    if (i < l->len && l->data_bits >= 8) *ncp_blist_elem_(l, i) = v;
}
static inline void ncp_blist_set_u16(const ncp_blist *l, uint32_t i,
                                     uint16_t v) {
    if (i < l->len && l->data_bits >= 16) ncp_store16(ncp_blist_elem_(l, i), v);
}
static inline void ncp_blist_set_u32(const ncp_blist *l, uint32_t i,
                                     uint32_t v) {
    if (i < l->len && l->data_bits >= 32) ncp_store32(ncp_blist_elem_(l, i), v);
}
static inline void ncp_blist_set_u64(const ncp_blist *l, uint32_t i,
                                     uint64_t v) {
    if (i < l->len && l->data_bits >= 64) ncp_store64(ncp_blist_elem_(l, i), v);
}
static inline void ncp_blist_set_f32(const ncp_blist *l, uint32_t i, float v) {
    ncp_blist_set_u32(l, i, ncp_f32_to_bits(v));
}
static inline void ncp_blist_set_f64(const ncp_blist *l, uint32_t i, double v) {
    ncp_blist_set_u64(l, i, ncp_f64_to_bits(v));
}

static inline bool ncp_blist_bool(const ncp_blist *l, uint32_t i) {
    if (i >= l->len || l->data_bits < 1) return false;
    uint64_t bit = (uint64_t)i * l->step_bits;
    return ((l->start[bit >> 3] >> (bit & 7)) & 1) != 0;
}
static inline uint32_t ncp_blist_u32(const ncp_blist *l, uint32_t i) {
    return i < l->len && l->data_bits >= 32 ? ncp_load32(ncp_blist_elem_(l, i))
                                            : 0;
}
static inline uint64_t ncp_blist_u64(const ncp_blist *l, uint32_t i) {
    return i < l->len && l->data_bits >= 64 ? ncp_load64(ncp_blist_elem_(l, i))
                                            : 0;
}

static inline ncp_bstruct ncp_blist_struct(const ncp_blist *l, uint32_t i) {
    ncp_bstruct s = {l->b, NULL, NULL, l->seg, 0, 0};
    if (i < l->len && l->elem == NCP_ELEM_COMPOSITE) {
        s.data = ncp_blist_elem_(l, i);
        s.ptrs = s.data + (l->data_bits >> 3);
        s.data_bytes = l->data_bits >> 3;
        s.ptr_count = l->ptr_count;
    }
    return s;
}

static inline ncp_bptr ncp_blist_ptr(const ncp_blist *l, uint32_t i) {
    ncp_bptr p = {l->b, NULL, l->seg};
    if (i < l->len && l->ptr_count > 0)
        p.p = ncp_blist_elem_(l, i) + (l->data_bits >> 3);
    return p;
}

/* Bulk stores of src[0..n) into elements [start, start + n), host byte order
 * in, little-endian out.  elem_bytes must equal the list's element width.
 * Returns the number of elements stored. */
NCP_API uint32_t ncp_blist_set_array(const ncp_blist *l, unsigned elem_bytes,
                                     uint32_t start, uint32_t n,
                                     const void *src);
NCP_API uint32_t ncp_blist_set_bools(const ncp_blist *l, uint32_t start,
                                     uint32_t n, const bool *src);

#define NCP_BLIST_SETTER_(suffix, type, bytes)                                 \
    static inline uint32_t ncp_blist_set_##suffix(                             \
        const ncp_blist *l, uint32_t start, uint32_t n, const type *src) {     \
        return ncp_blist_set_array(l, bytes, start, n, src);                   \
    }
NCP_BLIST_SETTER_(u8s, uint8_t, 1)
NCP_BLIST_SETTER_(i8s, int8_t, 1)
NCP_BLIST_SETTER_(u16s, uint16_t, 2)
NCP_BLIST_SETTER_(i16s, int16_t, 2)
NCP_BLIST_SETTER_(u32s, uint32_t, 4)
NCP_BLIST_SETTER_(i32s, int32_t, 4)
NCP_BLIST_SETTER_(f32s, float, 4)
NCP_BLIST_SETTER_(u64s, uint64_t, 8)
NCP_BLIST_SETTER_(i64s, int64_t, 8)
NCP_BLIST_SETTER_(f64s, double, 8)
#undef NCP_BLIST_SETTER_

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_BUILDER_H */
