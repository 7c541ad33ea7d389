/*
 * nupic/ncp/reader.h - zero-copy, bounds-checked reading of Cap'n Proto
 * messages.
 *
 * A message (ncp_msg) is opened over segments that the caller owns (a memory
 * buffer) or that the message owns (read from a file, unpacked, mapped).  It
 * is then read through small value handles - ncp_ptr, ncp_struct, ncp_list -
 * that point into the segments.  Handles are copied freely; they stay valid
 * as long as the message does.  Their fields are private.
 *
 * Safety model (see docs/security.md):
 *  - Every pointer is checked against its segment in 64-bit arithmetic before
 *    an address is formed; no read ever leaves the segments.
 *  - Each object reached costs its size in words from a traversal budget
 *    (zero-size list elements cost one word each), so a small hostile message
 *    cannot make a reader do unbounded work.  Depth is limited too.
 *  - A malformed pointer reads as its default (an empty struct, an empty
 *    list, an empty text) and records an error in the message.  The first
 *    error is kept.  Check ncp_msg_status() after reading: a status of NCP_OK
 *    means every value read so far came from well-formed data.
 *
 * Thread-safety: an ncp_msg and its handles must be used by one thread at a
 * time (reading updates the traversal budget and the error record, and,
 * for a message read on demand, reads the file).  Opening several messages
 * over the same immutable buffer from several threads is safe.
 */
#ifndef NUPIC_NCP_READER_H
#define NUPIC_NCP_READER_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Options and limits
 * ------------------------------------------------------------------------ */

#define NCP_DEFAULT_TRAVERSAL_LIMIT_WORDS ((uint64_t)8 * 1024 * 1024)
#define NCP_DEFAULT_NESTING_LIMIT         64u
#define NCP_DEFAULT_MAX_SEGMENTS          512u
#define NCP_LARGE_MAX_MESSAGE_WORDS       ((uint64_t)1 << 28) /* 2 GiB */

typedef enum ncp_packing {
    NCP_PACKING_AUTO = 0, /* detect from the first bytes (docs/security.md) */
    NCP_PACKING_UNPACKED,
    NCP_PACKING_PACKED
} ncp_packing;

/* Options of every reading function.  A zeroed struct (or a NULL pointer)
 * means the defaults, which equal the reference C++ library's. */
typedef struct ncp_read_options {
    /* Words the reader may traverse; 0 means 8Mi words (64 MiB).
     * UINT64_MAX means no limit and no accounting: reading a well-formed
     * message then never writes to the message object, so trusted constant
     * messages can be shared between threads. */
    uint64_t traversal_limit_words;
    /* If nonzero, the traversal limit is raised to at least this many times
     * the message's size, so that very large (trusted-size) messages can be
     * read completely.  4 is a good value. */
    uint32_t traversal_limit_per_message_word;
    /* Maximum pointer depth; 0 means 64.  At most 65535. */
    uint32_t nesting_limit;
    /* Maximum number of segments; 0 means 512. */
    uint32_t max_segments;
    /* Largest message accepted, in words, checked from the segment table
     * before anything is allocated.  0 means the traversal limit (8Mi words,
     * 64 MiB, by default, as in the reference library), or
     * NCP_LARGE_MAX_MESSAGE_WORDS (2 GiB) when the traversal limit is
     * proportional to the message size. */
    uint64_t max_message_words;
    /* Packed or unpacked input (ignored by ncp_msg_from_segments). */
    ncp_packing packing;
    /* Keep all reading in the calling thread.  For a message read on
     * demand (ncp_msg_read_fd_on_demand in io.h): read every window of
     * transient lists without the helper thread that reads the next one
     * ahead.  For an unpacked message of 8 MiB or more read at once from a
     * regular file (ncp_msg_read_file, ncp_msg_read_fd): read it without
     * the helper thread that otherwise shares the reading.  For any
     * message: ncp_msg_single_thread() tells decoders to keep their work
     * in the calling thread (no views decoded by other threads). */
    bool no_read_ahead;
    /* Memory for the message object and any buffer it owns. */
    ncp_allocator alloc;
} ncp_read_options;

/* ------------------------------------------------------------------------
 * Handles
 * ------------------------------------------------------------------------ */

typedef struct ncp_msg ncp_msg;
struct ncp_seg;

/* A pointer location (a pointer field, a pointer-list element, the root).
 * p == NULL stands for "no pointer here" and reads as null. */
typedef struct ncp_ptr {
    ncp_msg *msg;
    const struct ncp_seg *seg;
    const uint8_t *p;
    uint16_t nest; /* pointer hops still allowed */
} ncp_ptr;

/* A struct.  An absent or invalid struct has no data and no pointers, so
 * every field reads as its default. */
typedef struct ncp_struct {
    ncp_msg *msg;
    const struct ncp_seg *seg;
    const uint8_t *data;
    const uint8_t *ptrs;
    uint32_t data_bytes;
    uint16_t ptr_count;
    uint16_t nest;
} ncp_struct;

/* A list of any encoding, seen through the element type it was opened as. */
typedef struct ncp_list {
    ncp_msg *msg;
    const struct ncp_seg *seg;
    const uint8_t *start; /* first element */
    uint32_t len;
    uint32_t step_bits; /* distance between elements */
    uint32_t data_bits; /* data bits of each element */
    uint16_t ptr_count; /* pointers of each element, after its data */
    uint8_t elem;       /* ncp_elem_size of the encoding */
    uint8_t reserved_;
    uint16_t nest;
} ncp_list;

/* Text: str is NUL-terminated and never NULL ("" when absent); len excludes
 * the NUL.  Data: ptr is NULL only when len is 0. */
typedef struct ncp_text {
    const char *str;
    size_t len;
} ncp_text;

typedef struct ncp_data {
    const uint8_t *ptr;
    size_t len;
} ncp_data;

typedef enum ncp_ptr_kind {
    NCP_PTR_NULL = 0,
    NCP_PTR_STRUCT,
    NCP_PTR_LIST,
    NCP_PTR_CAPABILITY,
    NCP_PTR_INVALID /* malformed; the error is recorded in the message */
} ncp_ptr_kind;

/* Value of `expected` in ncp_ptr_list() that accepts a list as encoded. */
#define NCP_LIST_ANY (-1)

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

/* Opens a message in standard stream framing (or packed, see options) held
 * in buf[0..len).  Unpacked input is read in place: buf must stay valid and
 * unchanged until ncp_msg_free().  Packed input is unpacked into memory the
 * message owns.  Bytes after the message are ignored (ncp_msg_consumed()
 * tells where it ended).
 * Returns NCP_OK and sets *out, or an error (also described in *err when err
 * is not NULL) and sets *out to NULL. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_from_buffer(
    const void *buf, size_t len, const ncp_read_options *options, ncp_msg **out,
    ncp_error *err);

/* Opens a message over `count` caller-owned segments (no framing).
 * segments[i] holds words[i] words; the arrays are copied, the segments are
 * not.  `packing` in options is ignored. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_from_segments(
    const void *const *segments, const uint32_t *words, uint32_t count,
    const ncp_read_options *options, ncp_msg **out, ncp_error *err);

/* Frees the message and anything it owns.  NULL is allowed. */
NCP_API void ncp_msg_free(ncp_msg *msg);

/* First error met while reading, NCP_OK if none. */
NCP_API ncp_status ncp_msg_status(const ncp_msg *msg);
/* The first error (status and message); never NULL. */
NCP_API const ncp_error *ncp_msg_error(const ncp_msg *msg);
/* Records an error against the message (first error wins), for code that
 * validates values read from it.  Returns status. */
NCP_API ncp_status ncp_msg_fail(ncp_msg *msg, ncp_status status,
                                const char *fmt, ...) NCP_PRINTF(3, 4);

NCP_API uint32_t ncp_msg_segment_count(const ncp_msg *msg);
/* Segment i's words and size; false if i is out of range, or if the message
 * is read on demand and not everything has been read (ncp_msg_detach reads
 * the rest). */
NCP_API bool ncp_msg_segment(const ncp_msg *msg, uint32_t i,
                             const uint8_t **data, uint32_t *words);
/* Total size of the segments, in words. */
NCP_API uint64_t ncp_msg_size_words(const ncp_msg *msg);
/* Bytes of input the message occupied (framing included; for packed input,
 * packed bytes).  0 for ncp_msg_from_segments. */
NCP_API size_t ncp_msg_consumed(const ncp_msg *msg);
/* Words of traversal budget left. */
NCP_API uint64_t ncp_msg_traversal_left(const ncp_msg *msg);
/* Whether the message was opened with the option no_read_ahead: a decoder
 * then does all its work in the calling thread. */
NCP_API bool ncp_msg_single_thread(const ncp_msg *msg);

/* ---- views: one message decoded by several threads ----------------------
 *
 * A view of message m reads m's segments in place, for decoding part of
 * the message in another thread while m, or another view, decodes the
 * rest.  It has its own error record, its own traversal budget (m's budget
 * left when the view is made) and, when m is read on demand, its own window
 * for transient lists, read with pread(2) in the thread that uses the view
 * (no helper thread reads ahead for a view).  Of a message read on demand,
 * a view reads in place only the bytes m had read when the view was made,
 * and other bytes only through transient lists: anything else fails in the
 * view with NCP_ERR_ARG ("view: ... not read when the view was made"),
 * which m itself could open.  A handle taken from m (ncp_ptr, ncp_struct,
 * ncp_list) is used through a view by setting its msg field to the view.
 *
 * Thread-safety: m and each of its views may be used by different threads
 * at the same time.  A view must reach its thread through something that
 * orders memory (pthread_create, a mutex, an atomic release/acquire); m
 * must outlive its views and must not be detached (ncp_msg_detach) while
 * they exist.
 *
 * Makes a view of m: NCP_ERR_ARG for a view or a message that has recorded
 * an error, NCP_ERR_NOMEM.  The view is released by ncp_msg_view_merge or
 * ncp_msg_free. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_view(ncp_msg *msg, ncp_msg **out,
                                              ncp_error *err);

/* Ends the views v[0..n) of m, freeing them all.  When none of them has
 * recorded an error and what they traversed together fits in m's budget,
 * that is charged to m and NCP_OK returned.  Otherwise m is left exactly as
 * it was and the first view's error status is returned (NCP_ERR_LIMIT when
 * only the budget is short), so that the caller can decode that part in m
 * itself and have m report the error it meets.  NCP_ERR_ARG for a v[i]
 * that is not a view of m (nothing is then freed). */
NCP_API ncp_status ncp_msg_view_merge(ncp_msg *msg, ncp_msg *const *views,
                                      size_t n);

/* A hint for a decoder that walks lists in order up to the list that p
 * points to: the windows of transient lists read on demand in msg stop
 * there instead of reading a whole window past it, which another thread's
 * view may be decoding.  Only when no helper reads ahead for msg (a view,
 * or the option no_read_ahead); cleared by a p that is not an in-segment
 * list pointer of msg (a null ncp_ptr, for one); nothing is checked,
 * charged or recorded. */
NCP_API void ncp_msg_window_until(ncp_msg *msg, ncp_ptr p);

/* The root pointer, and the root read as a struct.  A message without a
 * root pointer records an error and gives a null pointer. */
NCP_API ncp_ptr ncp_msg_root_ptr(ncp_msg *msg);
NCP_API ncp_struct ncp_msg_root(ncp_msg *msg, const char *what);

/* The root of a constant message compiled into a program (the default
 * values and constants of generated code): words[0..count) is one segment
 * of trusted data.  *cache (a static initialised to NULL) keeps the message
 * between calls; it is created on first use, safely if several threads race
 * (GCC and clang atomics), read without accounting, and lives as long as the
 * program.  If it cannot be allocated the result is a null pointer. */
NCP_API ncp_ptr ncp_const_root(const uint8_t *words, uint32_t count,
                               ncp_msg **cache);

/* ------------------------------------------------------------------------
 * Following pointers.  `what` names the field for error messages (for
 * example "SpatialPoolerProto.permanences"); it may be NULL.
 * ------------------------------------------------------------------------ */

static inline bool ncp_ptr_is_null(ncp_ptr p) {
    return p.p == NULL || ncp_load64(p.p) == 0;
}

/* What the pointer refers to (far pointers are followed and checked). */
NCP_API ncp_ptr_kind ncp_ptr_type(ncp_ptr p);

/* The struct p points to; an empty struct if null or on error. */
NCP_API ncp_struct ncp_ptr_struct(ncp_ptr p, const char *what);

/* The list p points to, seen as a list of `expected` elements
 * (an ncp_elem_size; NCP_ELEM_COMPOSITE for a struct list; NCP_LIST_ANY to
 * take the list as encoded).  Encodings that the specification allows to be
 * read as the expected one are accepted: a primitive list as a struct list, a
 * struct list as a list of its first data field or first pointer, a wider
 * primitive as a narrower one.  A mismatch records NCP_ERR_TYPE and gives an
 * empty list. */
NCP_API ncp_list ncp_ptr_list(ncp_ptr p, int expected, const char *what);

/* As ncp_ptr_list - the same checks, traversal cost, errors and elements -
 * for a decoder that copies the list out at once.  From a message read on
 * demand (ncp_msg_read_fd_on_demand) that has not read the list's bytes,
 * the list is read from a small window over the file, kept in the cache,
 * instead of the message's own memory; the window is reused by the next
 * ncp_ptr_list_transient() on the same message, so the list, and every
 * handle taken from it, is valid only until then: a stale handle points
 * into the window's buffers, never outside them, but at other bytes, which
 * the helper that reads windows ahead (io.h) may be overwriting.  (The
 * window is 512 KiB; windows are read ahead only for messages larger than
 * that.)  Lists whose elements hold
 * pointers, lists larger than the window, and lists of any other message
 * are read in the message, as by ncp_ptr_list, and stay valid as long as
 * it does. */
NCP_API ncp_list ncp_ptr_list_transient(ncp_ptr p, int expected,
                                        const char *what);

/* The element count that the pointer word at p declares for a list, read
 * from that word alone: no far pointer is followed, nothing is checked,
 * charged or recorded, and the list may turn out invalid, or of another
 * length, when opened.  0 for a null, struct, far or other pointer, and for
 * a struct list (whose count is in its tag).  For sizing memory before the
 * lists are opened, never for trusting a size. */
static inline uint32_t ncp_ptr_list_len_hint(ncp_ptr p) {
    if (p.p == NULL) return 0;
    uint64_t w = ncp_load64(p.p);
    if ((w & 3) != 1 /* a list pointer */ ||
        ((w >> 32) & 7) == NCP_ELEM_COMPOSITE)
        return 0;
    return (uint32_t)(w >> 35);
}

/* Text (must be a byte list ending in NUL) and Data (a byte list). */
NCP_API ncp_text ncp_ptr_text(ncp_ptr p, const char *what);
NCP_API ncp_data ncp_ptr_data(ncp_ptr p, const char *what);

/* ------------------------------------------------------------------------
 * Struct fields.  Offsets are in bytes (bits for bool) from the start of the
 * data section, as the schema compiler lays them out.  A field beyond the
 * encoded data section reads as 0 (the caller XORs in the default).
 * ------------------------------------------------------------------------ */

static inline bool ncp_struct_bool(const ncp_struct *s, uint32_t bit) {
    return (bit >> 3) < s->data_bytes &&
           ((s->data[bit >> 3] >> (bit & 7)) & 1) != 0;
}
static inline uint8_t ncp_struct_u8(const ncp_struct *s, uint32_t off) {
    return (uint64_t)off + 1 <= s->data_bytes ? s->data[off] : 0;
}
static inline uint16_t ncp_struct_u16(const ncp_struct *s, uint32_t off) {
    return (uint64_t)off + 2 <= s->data_bytes ? ncp_load16(s->data + off) : 0;
}
static inline uint32_t ncp_struct_u32(const ncp_struct *s, uint32_t off) {
    return (uint64_t)off + 4 <= s->data_bytes ? ncp_load32(s->data + off) : 0;
}
static inline uint64_t ncp_struct_u64(const ncp_struct *s, uint32_t off) {
    return (uint64_t)off + 8 <= s->data_bytes ? ncp_load64(s->data + off) : 0;
}

/* Pointer field idx (a null location if idx is beyond the section). */
static inline ncp_ptr ncp_struct_ptr(const ncp_struct *s, uint32_t idx) {
    ncp_ptr p = {s->msg, s->seg, NULL, s->nest};
    if (idx < s->ptr_count) p.p = s->ptrs + (size_t)idx * 8;
    return p;
}

/* ------------------------------------------------------------------------
 * List elements.  Index out of range reads as 0 / empty.
 * ------------------------------------------------------------------------ */

static inline uint32_t ncp_list_len(const ncp_list *l) {
    return l->len;
}

static inline const uint8_t *ncp_list_elem_(const ncp_list *l, uint32_t i) {
    return l->start + (((uint64_t)i * l->step_bits) >> 3);
}

static inline bool ncp_list_bool(const ncp_list *l, uint32_t i) {
    if (i >= l->len || l->data_bits < 1) return false;
    uint64_t bit = (uint64_t)i * l->step_bits;
    return ((l->start[bit >> 3] >> (bit & 7)) & 1) != 0;
}
static inline uint8_t ncp_list_u8(const ncp_list *l, uint32_t i) {
    return i < l->len && l->data_bits >= 8 ? *ncp_list_elem_(l, i) : 0;
}
static inline uint16_t ncp_list_u16(const ncp_list *l, uint32_t i) {
    return i < l->len && l->data_bits >= 16 ? ncp_load16(ncp_list_elem_(l, i))
                                            : 0;
}
static inline uint32_t ncp_list_u32(const ncp_list *l, uint32_t i) {
    return i < l->len && l->data_bits >= 32 ? ncp_load32(ncp_list_elem_(l, i))
                                            : 0;
}
static inline uint64_t ncp_list_u64(const ncp_list *l, uint32_t i) {
    return i < l->len && l->data_bits >= 64 ? ncp_load64(ncp_list_elem_(l, i))
                                            : 0;
}
static inline float ncp_list_f32(const ncp_list *l, uint32_t i) {
    return ncp_f32_from_bits(ncp_list_u32(l, i));
}
static inline double ncp_list_f64(const ncp_list *l, uint32_t i) {
    return ncp_f64_from_bits(ncp_list_u64(l, i));
}

/* Element i as a struct (any list that was opened as a struct list, or a
 * primitive list: its element is then the struct's data). */
static inline ncp_struct ncp_list_struct(const ncp_list *l, uint32_t i) {
    ncp_struct s = {l->msg, l->seg, NULL, NULL, 0, 0, 0};
    if (i < l->len && l->elem != NCP_ELEM_BIT) {
        s.data = ncp_list_elem_(l, i);
        s.ptrs = s.data + (l->data_bits >> 3);
        s.data_bytes = l->data_bits >> 3;
        s.ptr_count = l->ptr_count;
        s.nest = l->nest;
    }
    return s;
}

/* The first pointer of element i (a pointer list's element, or a struct
 * list element's first pointer field). */
static inline ncp_ptr ncp_list_ptr(const ncp_list *l, uint32_t i) {
    ncp_ptr p = {l->msg, l->seg, NULL, l->nest};
    if (i < l->len && l->ptr_count > 0)
        p.p = ncp_list_elem_(l, i) + (l->data_bits >> 3);
    return p;
}

/* Bulk copies of elements [start, start + n) into a C array, in host byte
 * order, at memcpy speed when the list is densely encoded.  elem_bytes is 1,
 * 2, 4 or 8 and must not exceed the list's element width.  Returns the
 * number of elements copied (fewer than n if the list is shorter). */
NCP_API uint32_t ncp_list_get_array(const ncp_list *l, unsigned elem_bytes,
                                    uint32_t start, uint32_t n, void *dst);
NCP_API uint32_t ncp_list_get_bools(const ncp_list *l, uint32_t start,
                                    uint32_t n, bool *dst);

#define NCP_LIST_GETTER_(suffix, type, bytes)                                  \
    static inline uint32_t ncp_list_get_##suffix(                              \
        const ncp_list *l, uint32_t start, uint32_t n, type *dst) {            \
        return ncp_list_get_array(l, bytes, start, n, dst);                    \
    }
NCP_LIST_GETTER_(u8s, uint8_t, 1)
NCP_LIST_GETTER_(i8s, int8_t, 1)
NCP_LIST_GETTER_(u16s, uint16_t, 2)
NCP_LIST_GETTER_(i16s, int16_t, 2)
NCP_LIST_GETTER_(u32s, uint32_t, 4)
NCP_LIST_GETTER_(i32s, int32_t, 4)
NCP_LIST_GETTER_(f32s, float, 4)
NCP_LIST_GETTER_(u64s, uint64_t, 8)
NCP_LIST_GETTER_(i64s, int64_t, 8)
NCP_LIST_GETTER_(f64s, double, 8)
#undef NCP_LIST_GETTER_

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_READER_H */
