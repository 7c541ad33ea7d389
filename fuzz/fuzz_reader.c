/*
 * fuzz/fuzz_reader.c - fuzz target for reading messages from memory.
 *
 * The input is opened with ncp_msg_from_buffer under several option sets
 * (auto-detected, unpacked and packed framing; default-like and tight
 * limits).  Each message that opens is then read generically, without a
 * schema, in several independent passes over fresh copies of it, each
 * segment copied into an allocation of exactly its size so that
 * AddressSanitizer catches any read outside a segment:
 *
 *  - the strict walk follows every pointer the way ncp_bptr_copy does
 *    (ncp_ptr_type; structs and every pointer in them; lists as encoded,
 *    their elements, struct elements and pointers), reading every value with
 *    the element getters and the bulk getters;
 *  - probe passes also re-open every pointer as something else: a list of
 *    each element size, text, data, a struct, and call the bulk getters with
 *    widths that do not fit;
 *  - the copy pass deep-copies the root into a builder, writes it unpacked
 *    and packed, reads the result back and copies it again.
 *
 * The invariants checked (numbered as in docs/security.md):
 *  I1  a failed open returns NULL, a status other than NCP_OK, and the same
 *      status in the error record, with a non-empty message;
 *  I2  an opened message's segments lie inside the input (unpacked) and
 *      cover exactly the bytes the segment table announces;
 *  I3  every struct, list, text and data returned lies inside a segment;
 *      every read stays inside a segment (AddressSanitizer);
 *  I4  the traversal budget never goes up;
 *  I5  the first error is kept: once set, the status and message never
 *      change;
 *  I6  a call either succeeds or records an error: a non-null pointer that
 *      reads as empty has recorded an error whose message names the field;
 *      ncp_ptr_type returns NCP_PTR_INVALID exactly when it records one;
 *  I7  reading is deterministic: the same walk over the same bytes gives the
 *      same status, message and budget, in place or over copied segments;
 *  I8  a list is accepted as an element size exactly when the
 *      specification allows reading its encoding as that size;
 *  I9  a message that reads without error (and holds no capability) copies
 *      without error; the copy reads without error; copying the copy gives
 *      byte-identical output, unpacked and packed, whatever the segment
 *      layout of the source; its packed form unpacks to the same segments;
 *  I13 the same bytes read on demand from a regular file
 *      (ncp_msg_read_fd_on_demand), lists without pointers opened
 *      transient, walk to the same status, message and budget (extents are
 *      not checked there: the segments are not exposed until the message is
 *      detached, and transient lists lie in the reader's window; every
 *      access is still checked by AddressSanitizer), and, detached, hold
 *      the same segments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/ncp.h>

#include "fuzz_util.h"

#define PROBE_WHAT "fz.probe"
#define SAMPLE     8       /* elements read at each end of a list */
#define MAX_BULK   4096u   /* elements per bulk getter call */
#define MAX_FIELDS 64u     /* data words read per struct */
#define REREAD_CAP 200000u /* largest copy (words) that is read back */

/* ------------------------------------------------------------------------
 * Option sets
 * ------------------------------------------------------------------------ */

enum { NCONFIGS = 5 };

static ncp_read_options config(int i) {
    ncp_read_options o = {0};
    o.traversal_limit_words = (uint64_t)1 << 14;
    switch (i) {
    case 0: o.packing = NCP_PACKING_AUTO; break;
    case 1: o.packing = NCP_PACKING_UNPACKED; break;
    case 2: o.packing = NCP_PACKING_PACKED; break;
    case 3: /* tight limits, met by ordinary small messages */
        o.traversal_limit_words = 300;
        o.nesting_limit = 5;
        o.max_segments = 4;
        o.max_message_words = 256;
        break;
    default: /* a budget scaled by the message size */
        o.traversal_limit_words = 1;
        o.traversal_limit_per_message_word = 3;
        o.nesting_limit = 16;
        break;
    }
    return o;
}

/* The defaults ncp applies to a zero field. */
static ncp_read_options resolved(ncp_read_options o) {
    if (o.traversal_limit_words == 0)
        o.traversal_limit_words = NCP_DEFAULT_TRAVERSAL_LIMIT_WORDS;
    if (o.nesting_limit == 0) o.nesting_limit = NCP_DEFAULT_NESTING_LIMIT;
    if (o.max_segments == 0) o.max_segments = NCP_DEFAULT_MAX_SEGMENTS;
    if (o.max_message_words == 0)
        o.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
    return o;
}

/* ------------------------------------------------------------------------
 * Segments copied to exact-size allocations
 * ------------------------------------------------------------------------ */

typedef struct segs {
    uint32_t n;
    uint8_t **data;
    uint32_t *words;
} segs;

static segs segs_copy(const ncp_msg *m) {
    segs s;
    s.n = ncp_msg_segment_count(m);
    s.data = fz_malloc(s.n * sizeof *s.data);
    s.words = fz_malloc(s.n * sizeof *s.words);
    for (uint32_t i = 0; i < s.n; i++) {
        const uint8_t *d = NULL;
        FZ_CHECK(ncp_msg_segment(m, i, &d, &s.words[i]), "segment %u", i);
        s.data[i] = fz_dup(d, (size_t)s.words[i] * 8);
    }
    FZ_CHECK(!ncp_msg_segment(m, s.n, NULL, NULL), "segment %u exists", s.n);
    return s;
}

static ncp_msg *segs_open(const segs *s, const ncp_read_options *o) {
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_from_segments((const void *const *)s->data,
                                          s->words, s->n, o, &m, &err);
    FZ_CHECK(st == NCP_OK, "reopening %u segments: %s", s->n, err.message);
    return m;
}

static void segs_free(segs *s) {
    for (uint32_t i = 0; i < s->n; i++)
        free(s->data[i]);
    free(s->data);
    free(s->words);
}

/* Whether bytes [p, p + n) lie inside one segment of m. */
static int in_message(const ncp_msg *m, const void *p, uint64_t n) {
    uintptr_t a = (uintptr_t)p;
    for (uint32_t i = 0; i < ncp_msg_segment_count(m); i++) {
        const uint8_t *d;
        uint32_t w;
        ncp_msg_segment(m, i, &d, &w);
        uintptr_t lo = (uintptr_t)d, hi = lo + (uintptr_t)w * 8;
        if (d != NULL && a >= lo && a <= hi && n <= hi - a) return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Walking
 * ------------------------------------------------------------------------ */

enum {
    PROBE_NONE = -1,
    /* 0..7: re-open every list as that ncp_elem_size */
    PROBE_TEXT = 8,
    PROBE_DATA,
    PROBE_STRUCT,
    PROBE_BULK,
    NPROBES
};

typedef struct walker {
    ncp_msg *m;
    int probe;
    int on_demand; /* I13: no extent checks; transient lists */
    int saw_cap;
    uint64_t left;   /* budget after the last call (I4) */
    ncp_error first; /* the first error seen (I5) */
    uint8_t *scratch;
} walker;

static void walker_init(walker *w, ncp_msg *m, int probe_kind,
                        uint8_t *scratch) {
    w->m = m;
    w->probe = probe_kind;
    w->on_demand = 0;
    w->saw_cap = 0;
    w->left = ncp_msg_traversal_left(m);
    w->first = *ncp_msg_error(m);
    w->scratch = scratch;
}

/* I4, I5: called after every call that may charge or record (the message
 * text is compared in full at the end of the walk). */
static void after_call(walker *w) {
    uint64_t now = ncp_msg_traversal_left(w->m);
    FZ_CHECK(now <= w->left, "budget went up from %llu to %llu",
             (unsigned long long)w->left, (unsigned long long)now);
    w->left = now;
    const ncp_error *e = ncp_msg_error(w->m);
    if (w->first.status != NCP_OK) {
        FZ_CHECK(e->status == w->first.status,
                 "first error \"%s\" replaced by \"%s\"", w->first.message,
                 e->message);
    } else if (e->status != NCP_OK) {
        fz_check_error(e, "message error");
        w->first = *e;
    }
}

/* I6 for a probe call: `failed` says whether the result has the shape of a
 * failure (no object).  Returns whether this call recorded the first error. */
static int check_probe(walker *w, ncp_status before, ncp_ptr p, int failed,
                       const char *call) {
    ncp_status now = ncp_msg_status(w->m);
    if (before != NCP_OK) return 0;
    if (now == NCP_OK) {
        FZ_CHECK(failed == ncp_ptr_is_null(p),
                 "%s: %s without an error for a %s pointer", call,
                 failed ? "failed" : "succeeded",
                 ncp_ptr_is_null(p) ? "null" : "non-null");
        return 0;
    }
    const char *msg = ncp_msg_error(w->m)->message;
    FZ_CHECK(failed, "%s recorded \"%s\" but returned an object", call, msg);
    FZ_CHECK(strncmp(msg, PROBE_WHAT ": ", sizeof PROBE_WHAT + 1) == 0,
             "%s: message \"%s\" does not name the field", call, msg);
    FZ_CHECK(now == NCP_ERR_MALFORMED || now == NCP_ERR_LIMIT ||
                 now == NCP_ERR_NESTING || now == NCP_ERR_TYPE ||
                 now == NCP_ERR_CAPABILITY,
             "%s: status %s", call, ncp_status_name(now));
    return 1;
}

/* I3 for a list: its elements (and a struct list's tag) lie in a segment. */
static void check_list_extent(const walker *w, const ncp_list *l) {
    if (w->on_demand) return;
    uint64_t bytes = ((uint64_t)l->len * l->step_bits + 7) / 8;
    FZ_CHECK(in_message(w->m, l->start, bytes),
             "list of %u elements of %u bits outside the message", l->len,
             l->step_bits);
    if (l->elem == NCP_ELEM_COMPOSITE)
        FZ_CHECK(in_message(w->m, (const void *)((uintptr_t)l->start - 8), 8),
                 "struct list tag outside the message");
    FZ_CHECK(l->data_bits + 64u * l->ptr_count <= l->step_bits,
             "element of %u data bits and %u pointers in a step of %u bits",
             l->data_bits, l->ptr_count, l->step_bits);
}

static void check_struct_extent(const walker *w, const ncp_struct *s) {
    if (w->on_demand) return;
    FZ_CHECK(
        in_message(w->m, s->data, (uint64_t)s->data_bytes + 8u * s->ptr_count),
        "struct of %u data bytes and %u pointers outside the message",
        s->data_bytes, s->ptr_count);
    FZ_CHECK(s->ptrs == s->data + s->data_bytes, "pointer section misplaced");
}

/* Reads the data of a struct (values are not checked, only touched). */
static uint64_t read_struct_data(const ncp_struct *s) {
    uint64_t acc = 0;
    uint32_t words = s->data_bytes / 8;
    for (uint32_t i = 0; i < words && i < MAX_FIELDS; i++)
        acc ^= ncp_struct_u64(s, i * 8);
    if (s->data_bytes > 0) {
        uint32_t last = s->data_bytes - 1;
        acc ^= ncp_struct_u8(s, last) + ncp_struct_u16(s, last & ~1u) +
               ncp_struct_u32(s, last & ~3u);
        acc += ncp_struct_bool(s, last * 8 + 7);
    }
    /* Beyond the section: zero. */
    FZ_CHECK(ncp_struct_u64(s, s->data_bytes) == 0, "field past the data");
    FZ_CHECK(ncp_ptr_is_null(ncp_struct_ptr(s, s->ptr_count)),
             "pointer past the pointer section");
    return acc;
}

/* Reads elements of a list with every element getter (uncharged). */
static uint64_t read_elements(const ncp_list *l) {
    uint64_t acc = 0;
    uint32_t n = ncp_list_len(l);
    for (uint32_t k = 0; k < 2 * SAMPLE + 1; k++) {
        uint32_t i = k < SAMPLE       ? k
                     : k < 2 * SAMPLE ? n - 1 - (k - SAMPLE)
                                      : n / 2;
        if (i >= n) continue;
        acc += ncp_list_bool(l, i) + ncp_list_u8(l, i) + ncp_list_u16(l, i) +
               ncp_list_u32(l, i) + ncp_list_u64(l, i);
        ncp_struct s = ncp_list_struct(l, i);
        acc ^= read_struct_data(&s);
        acc += ncp_ptr_is_null(ncp_list_ptr(l, i));
    }
    /* Out of range: zero. */
    FZ_CHECK(ncp_list_u64(l, n) == 0 && !ncp_list_bool(l, n),
             "element past the end");
    return acc;
}

/* Element i of a bulk getter's output (host byte order, eb bytes each). */
static uint64_t bulk_value(const uint8_t *out, unsigned eb, uint32_t i) {
    const uint8_t *p = out + (size_t)i * eb;
    switch (eb) {
    case 1: return *p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* The bulk getters, with widths that fit (or, when `misuse`, any). */
static void read_bulk(walker *w, const ncp_list *l, int misuse) {
    uint32_t n = ncp_list_len(l);
    uint32_t take = n < MAX_BULK ? n : MAX_BULK;
    for (unsigned eb = 1; eb <= 8; eb *= 2) {
        int fits = l->elem != NCP_ELEM_BIT && l->data_bits >= eb * 8;
        if (!fits && !misuse) continue;
        ncp_status before = ncp_msg_status(w->m);
        uint32_t got = ncp_list_get_array(l, eb, 0, take, w->scratch);
        after_call(w);
        if (fits) {
            FZ_CHECK(got == take, "get_array(%u): %u of %u", eb, got, take);
            /* Agrees with the element getters. */
            for (uint32_t i = 0; i < got && i < SAMPLE; i++) {
                uint64_t v = bulk_value(w->scratch, eb, i), e = 0;
                switch (eb) {
                case 1: e = ncp_list_u8(l, i); break;
                case 2: e = ncp_list_u16(l, i); break;
                case 4: e = ncp_list_u32(l, i); break;
                default: e = ncp_list_u64(l, i); break;
                }
                FZ_CHECK(v == e, "get_array(%u)[%u] = %llu, getter %llu", eb, i,
                         (unsigned long long)v, (unsigned long long)e);
            }
            /* The tail, clipped to the list. */
            if (n > 0) {
                got = ncp_list_get_array(l, eb, n - 1, 5, w->scratch);
                FZ_CHECK(got == 1, "get_array tail: %u", got);
            }
        } else if (n > 0) {
            FZ_CHECK(got == 0, "get_array(%u) of %u-bit elements gave %u", eb,
                     l->data_bits, got);
            if (before == NCP_OK)
                FZ_CHECK(ncp_msg_status(w->m) == NCP_ERR_ARG,
                         "misused get_array recorded %s",
                         ncp_status_name(ncp_msg_status(w->m)));
        }
        FZ_CHECK(ncp_list_get_array(l, eb, n, 1, w->scratch) == 0,
                 "get_array past the end");
        after_call(w);
    }
    if (l->elem == NCP_ELEM_BIT || misuse) {
        bool *bools = (bool *)(void *)w->scratch;
        uint32_t got = ncp_list_get_bools(l, 0, take, bools);
        after_call(w);
        if (l->elem == NCP_ELEM_BIT) {
            FZ_CHECK(got == take, "get_bools: %u of %u", got, take);
            for (uint32_t i = 0; i < got && i < SAMPLE; i++)
                FZ_CHECK(bools[i] == ncp_list_bool(l, i), "get_bools[%u]", i);
        } else {
            FZ_CHECK(got == 0, "get_bools of a non-bit list gave %u", got);
        }
    }
}

/* I8: whether the specification lets a list encoded as `any` be read as a
 * list of `expected`. */
static int upgrade_allowed(const ncp_list *any, int expected) {
    static const uint32_t bits[8] = {0, 1, 8, 16, 32, 64, 0, 0};
    switch (expected) {
    case NCP_ELEM_VOID: return 1;
    case NCP_ELEM_BIT: return any->elem == NCP_ELEM_BIT;
    case NCP_ELEM_POINTER: return any->ptr_count >= 1;
    case NCP_ELEM_COMPOSITE: return any->elem != NCP_ELEM_BIT;
    default:
        return any->elem != NCP_ELEM_BIT && any->data_bits >= bits[expected];
    }
}

static void probe(walker *w, ncp_ptr p) {
    ncp_status before = ncp_msg_status(w->m);
    if (w->probe >= 0 && w->probe <= NCP_ELEM_COMPOSITE) {
        ncp_list any = ncp_ptr_list(p, NCP_LIST_ANY, PROBE_WHAT);
        after_call(w);
        if (check_probe(w, before, p, any.start == NULL, "list(any)")) return;
        if (any.start) check_list_extent(w, &any);
        before = ncp_msg_status(w->m);
        uint64_t left = ncp_msg_traversal_left(w->m);
        ncp_list l = ncp_ptr_list(p, w->probe, PROBE_WHAT);
        after_call(w);
        if (l.start) {
            check_list_extent(w, &l);
            FZ_CHECK(l.len == any.len, "length %u as %d, %u as encoded", l.len,
                     w->probe, any.len);
            read_elements(&l);
            read_bulk(w, &l, 0);
        }
        if (before == NCP_OK && any.start != NULL) {
            int allowed = upgrade_allowed(&any, w->probe);
            ncp_status now = ncp_msg_status(w->m);
            if (allowed)
                FZ_CHECK(l.start != NULL || now == NCP_ERR_LIMIT,
                         "encoding %u (%u data bits, %u pointers) refused as "
                         "%d: %s",
                         any.elem, any.data_bits, any.ptr_count, w->probe,
                         ncp_msg_error(w->m)->message);
            else
                FZ_CHECK(l.start == NULL &&
                             (now == NCP_ERR_TYPE || now == NCP_ERR_LIMIT) &&
                             ncp_msg_traversal_left(w->m) <= left,
                         "encoding %u (%u data bits, %u pointers) accepted "
                         "as %d",
                         any.elem, any.data_bits, any.ptr_count, w->probe);
        }
        return;
    }
    switch (w->probe) {
    case PROBE_TEXT: {
        ncp_text t = ncp_ptr_text(p, PROBE_WHAT);
        after_call(w);
        FZ_CHECK(t.str != NULL, "text is NULL");
        int failed = !in_message(w->m, t.str, (uint64_t)t.len + 1);
        if (failed) FZ_CHECK(t.len == 0 && t.str[0] == '\0', "failed text");
        if (!failed) {
            FZ_CHECK(t.str[t.len] == '\0', "text not NUL-terminated");
        }
        check_probe(w, before, p, failed, "text");
        break;
    }
    case PROBE_DATA: {
        ncp_data d = ncp_ptr_data(p, PROBE_WHAT);
        after_call(w);
        if (d.ptr == NULL) FZ_CHECK(d.len == 0, "NULL data of %zu", d.len);
        if (d.ptr != NULL) {
            FZ_CHECK(in_message(w->m, d.ptr, d.len), "data outside");
            if (d.len > 0) {
                volatile uint8_t last = d.ptr[d.len - 1];
                (void)last;
            }
        }
        check_probe(w, before, p, d.ptr == NULL, "data");
        break;
    }
    case PROBE_STRUCT: {
        ncp_struct s = ncp_ptr_struct(p, PROBE_WHAT);
        after_call(w);
        if (s.data != NULL) {
            check_struct_extent(w, &s);
            read_struct_data(&s);
        } else {
            FZ_CHECK(s.data_bytes == 0 && s.ptr_count == 0, "empty struct");
        }
        check_probe(w, before, p, s.data == NULL, "struct");
        break;
    }
    case PROBE_BULK: {
        ncp_list l = ncp_ptr_list(p, NCP_LIST_ANY, PROBE_WHAT);
        after_call(w);
        check_probe(w, before, p, l.start == NULL, "list(any)");
        read_bulk(w, &l, 1);
        break;
    }
    default: break;
    }
}

static void walk_ptr(walker *w, ncp_ptr p);

static void walk_struct_body(walker *w, const ncp_struct *s) {
    read_struct_data(s);
    for (uint32_t i = 0; i < s->ptr_count; i++)
        walk_ptr(w, ncp_struct_ptr(s, i));
}

/* Follows p as ncp_bptr_copy does; probes first if this is a probe pass. */
static void walk_ptr(walker *w, ncp_ptr p) {
    if (w->probe != PROBE_NONE) probe(w, p);
    ncp_status before = ncp_msg_status(w->m);
    ncp_ptr_kind kind = ncp_ptr_type(p);
    after_call(w);
    /* I6: INVALID exactly when an error is recorded. */
    if (before == NCP_OK)
        FZ_CHECK((kind == NCP_PTR_INVALID) == (ncp_msg_status(w->m) != NCP_OK),
                 "ncp_ptr_type gave %d, status %s", (int)kind,
                 ncp_status_name(ncp_msg_status(w->m)));
    FZ_CHECK((kind == NCP_PTR_NULL) == ncp_ptr_is_null(p), "null kind");
    switch (kind) {
    case NCP_PTR_NULL:
    case NCP_PTR_INVALID: return;
    case NCP_PTR_CAPABILITY: w->saw_cap = 1; return;
    case NCP_PTR_STRUCT: {
        before = ncp_msg_status(w->m);
        ncp_struct s = ncp_ptr_struct(p, NULL);
        after_call(w);
        if (before == NCP_OK)
            FZ_CHECK((s.data == NULL) == (ncp_msg_status(w->m) != NCP_OK),
                     "struct: %s, status %s", s.data ? "object" : "none",
                     ncp_status_name(ncp_msg_status(w->m)));
        if (s.data == NULL) return;
        check_struct_extent(w, &s);
        walk_struct_body(w, &s);
        return;
    }
    case NCP_PTR_LIST: {
        before = ncp_msg_status(w->m);
        /* (A transient list is used up before the next list is opened.) */
        ncp_list l = w->on_demand
                         ? ncp_ptr_list_transient(p, NCP_LIST_ANY, NULL)
                         : ncp_ptr_list(p, NCP_LIST_ANY, NULL);
        after_call(w);
        if (before == NCP_OK)
            FZ_CHECK((l.start == NULL) == (ncp_msg_status(w->m) != NCP_OK),
                     "list: %s, status %s", l.start ? "object" : "none",
                     ncp_status_name(ncp_msg_status(w->m)));
        if (l.start == NULL) return;
        check_list_extent(w, &l);
        read_elements(&l);
        if (w->probe == PROBE_NONE) read_bulk(w, &l, 0);
        if (l.elem == NCP_ELEM_COMPOSITE) {
            if (l.data_bits == 0 && l.ptr_count == 0) return;
            for (uint32_t i = 0; i < l.len; i++) {
                ncp_struct s = ncp_list_struct(&l, i);
                walk_struct_body(w, &s);
            }
        } else if (l.elem == NCP_ELEM_POINTER) {
            for (uint32_t i = 0; i < l.len; i++)
                walk_ptr(w, ncp_list_ptr(&l, i));
        }
        return;
    }
    }
}

typedef struct outcome {
    ncp_error err;
    uint64_t left;
    int saw_cap;
} outcome;

/* Caller errors (NCP_ERR_ARG) at the end of a probe pass: an element size
 * that does not exist, a bulk width that does not exist. */
static void probe_caller_errors(walker *w, ncp_ptr root) {
    ncp_status before = ncp_msg_status(w->m);
    ncp_list l = ncp_ptr_list(root, 8, PROBE_WHAT);
    after_call(w);
    FZ_CHECK(l.start == NULL && l.len == 0, "list of element size 8");
    if (before == NCP_OK)
        FZ_CHECK(
            ncp_msg_status(w->m) == NCP_ERR_ARG &&
                strncmp(ncp_msg_error(w->m)->message,
                        PROBE_WHAT ": invalid expected element size",
                        sizeof(PROBE_WHAT ": invalid expected element size") -
                            1) == 0,
            "element size 8: \"%s\"", ncp_msg_error(w->m)->message);
    l = ncp_ptr_list(root, -2, PROBE_WHAT);
    after_call(w);
    FZ_CHECK(l.start == NULL, "list of element size -2");
    l = ncp_ptr_list(root, NCP_LIST_ANY, NULL);
    after_call(w);
    FZ_CHECK(ncp_list_get_array(&l, 3, 0, 1, w->scratch) == 0, "width 3");
    after_call(w);
}

static outcome walk_as(ncp_msg *m, int probe_kind, uint8_t *scratch,
                       int on_demand) {
    walker w;
    walker_init(&w, m, probe_kind, scratch);
    w.on_demand = on_demand;
    ncp_ptr root = ncp_msg_root_ptr(m);
    after_call(&w);
    if (probe_kind == PROBE_STRUCT) {
        ncp_status before = ncp_msg_status(m);
        ncp_struct s = ncp_msg_root(m, PROBE_WHAT);
        after_call(&w);
        if (s.data) check_struct_extent(&w, &s);
        check_probe(&w, before, root, s.data == NULL, "root");
    }
    walk_ptr(&w, root);
    if (probe_kind == PROBE_BULK) probe_caller_errors(&w, root);
    fz_check_error(ncp_msg_error(m), "message error");
    FZ_CHECK(strcmp(ncp_msg_error(m)->message, w.first.message) == 0,
             "first error \"%s\" replaced by \"%s\"", w.first.message,
             ncp_msg_error(m)->message);
    outcome o = {*ncp_msg_error(m), ncp_msg_traversal_left(m), w.saw_cap};
    return o;
}

static outcome walk(ncp_msg *m, int probe_kind, uint8_t *scratch) {
    return walk_as(m, probe_kind, scratch, 0);
}

static void same_outcome(const outcome *a, const outcome *b, const char *what) {
    FZ_CHECK(a->err.status == b->err.status &&
                 strcmp(a->err.message, b->err.message) == 0 &&
                 a->left == b->left && a->saw_cap == b->saw_cap,
             "%s: \"%s\" (%llu left) vs \"%s\" (%llu left)", what,
             a->err.message, (unsigned long long)a->left, b->err.message,
             (unsigned long long)b->left);
}

/* ------------------------------------------------------------------------
 * Copy, write, read back (I9)
 * ------------------------------------------------------------------------ */

typedef struct bytes {
    uint8_t *data;
    size_t len;
} bytes;

static bytes write_mem(const ncp_builder *b, unsigned flags) {
    uint64_t bound = ncp_builder_write_bound(b, flags);
    bytes out = {fz_malloc((size_t)bound), 0};
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_builder_write_mem(b, flags, out.data, (size_t)bound,
                                          &out.len, &err);
    FZ_CHECK(st == NCP_OK, "write (flags %u): %s", flags, err.message);
    FZ_CHECK(out.len <= bound, "wrote %zu bytes, bound %llu", out.len,
             (unsigned long long)bound);
    if (flags == 0)
        FZ_CHECK(out.len == bound, "unpacked bound %llu is not exact (%zu)",
                 (unsigned long long)bound, out.len);
    /* One byte short: refused, with the bound to retry with. */
    size_t want = 0;
    ncp_error_clear(&err);
    st = ncp_builder_write_mem(b, flags, out.data, out.len - 1, &want, &err);
    FZ_CHECK(st == NCP_ERR_TOO_LARGE && want == bound, "short buffer: %s, %zu",
             ncp_status_name(st), want);
    return out;
}

static void same_bytes(const bytes *a, const bytes *b, const char *what) {
    FZ_CHECK(a->len == b->len && memcmp(a->data, b->data, a->len) == 0,
             "%s: %zu bytes vs %zu bytes", what, a->len, b->len);
}

/* Options for reading back a copy: its depth is the source's, its size is
 * bounded by the source's traversal. */
static ncp_read_options reread_options(const ncp_read_options *src,
                                       ncp_packing packing) {
    ncp_read_options o = {0};
    o.traversal_limit_words = UINT64_MAX;
    o.nesting_limit = src->nesting_limit;
    o.max_segments = UINT32_MAX;
    o.max_message_words = UINT64_MAX;
    o.packing = packing;
    return o;
}

static ncp_msg *open_ok(const bytes *b, const ncp_read_options *o,
                        const char *what) {
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_from_buffer(b->data, b->len, o, &m, &err);
    FZ_CHECK(st == NCP_OK, "%s: %s", what, err.message);
    FZ_CHECK(ncp_msg_consumed(m) == b->len, "%s: consumed %zu of %zu", what,
             ncp_msg_consumed(m), b->len);
    return m;
}

/* Copies the root of m into a new builder. */
static ncp_builder *copy_into(ncp_msg *m, const ncp_builder_options *bo) {
    ncp_builder *b = NULL;
    FZ_CHECK(ncp_builder_new(bo, &b) == NCP_OK, "builder");
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
    return b;
}

/* Reads a copy back: it must read without error. */
static void reread_clean(const bytes *b, const ncp_read_options *o,
                         uint8_t *scratch, const char *what) {
    ncp_msg *m = open_ok(b, o, what);
    outcome r = walk(m, PROBE_NONE, scratch);
    FZ_CHECK(r.err.status == NCP_OK && !r.saw_cap, "%s reads back with: %s",
             what, r.err.message);
    ncp_msg_free(m);
}

static void same_segments(ncp_msg *a, ncp_msg *b, const char *what) {
    FZ_CHECK(ncp_msg_segment_count(a) == ncp_msg_segment_count(b),
             "%s: %u vs %u segments", what, ncp_msg_segment_count(a),
             ncp_msg_segment_count(b));
    for (uint32_t i = 0; i < ncp_msg_segment_count(a); i++) {
        const uint8_t *da, *db;
        uint32_t wa, wb;
        ncp_msg_segment(a, i, &da, &wa);
        ncp_msg_segment(b, i, &db, &wb);
        FZ_CHECK(wa == wb && memcmp(da, db, (size_t)wa * 8) == 0,
                 "%s: segment %u differs", what, i);
    }
}

static void copy_pass(const segs *sg, const ncp_read_options *o,
                      const outcome *strict, uint8_t *scratch, size_t size) {
    ncp_msg *m = segs_open(sg, o);
    ncp_ptr root = ncp_msg_root_ptr(m);
    ncp_status before = ncp_msg_status(m);
    ncp_builder *a = NULL;
    FZ_CHECK(ncp_builder_new(NULL, &a) == NCP_OK, "builder");
    ncp_bptr_copy(ncp_builder_root_ptr(a), root);
    ncp_status sm = ncp_msg_status(m), sb = ncp_builder_status(a);
    /* The copy reads exactly as the strict walk did (I7). */
    if (!strict->saw_cap) {
        outcome c = {*ncp_msg_error(m), ncp_msg_traversal_left(m), 0};
        same_outcome(strict, &c, "copy vs strict walk");
    } else {
        FZ_CHECK(sm != NCP_OK, "a capability was copied without error");
    }
    /* Errors met while copying reach the builder. */
    if (before != NCP_OK || sm == NCP_OK) {
        FZ_CHECK(sb == NCP_OK, "builder failed: %s",
                 ncp_builder_error(a)->message);
    } else {
        FZ_CHECK(sb == sm &&
                     strncmp(ncp_builder_error(a)->message, "copy: ", 6) == 0,
                 "builder has %s \"%s\" for %s", ncp_status_name(sb),
                 ncp_builder_error(a)->message, ncp_status_name(sm));
        size_t n = 0;
        uint8_t tiny[8];
        FZ_CHECK(ncp_builder_write_mem(a, 0, tiny, sizeof tiny, &n, NULL) == sb,
                 "a builder holding an error was written");
    }
    ncp_msg_free(m);
    if (sb != NCP_OK || ncp_builder_size_words(a) > REREAD_CAP) {
        ncp_builder_free(a);
        return;
    }

    /* The copy, unpacked and packed. */
    bytes wa = write_mem(a, 0), wap = write_mem(a, NCP_WRITE_PACKED);
    uint32_t nsegs = ncp_builder_segment_count(a);
    ncp_builder_free(a);
    ncp_read_options ru = reread_options(o, NCP_PACKING_UNPACKED);
    ncp_read_options rp = reread_options(o, NCP_PACKING_PACKED);
    if (before == NCP_OK && strict->err.status == NCP_OK)
        reread_clean(&wa, &ru, scratch, "copy");
    ncp_msg *mu = open_ok(&wa, &ru, "copy");
    ncp_msg *mp = open_ok(&wap, &rp, "packed copy");
    same_segments(mu, mp, "packed copy vs copy");
    ncp_msg_free(mp);

    /* Copying the copy gives the same bytes. */
    ncp_builder *b = copy_into(mu, NULL);
    FZ_CHECK(ncp_builder_status(b) == NCP_OK, "recopy: %s",
             ncp_builder_error(b)->message);
    ncp_msg_free(mu);
    bytes wb = write_mem(b, 0), wbp = write_mem(b, NCP_WRITE_PACKED);
    same_bytes(&wa, &wb, "copy of the copy");
    same_bytes(&wap, &wbp, "packed copy of the copy");
    ncp_builder_free(b);
    free(wb.data);
    free(wbp.data);

    /* Through a layout of many small segments (far pointers), and back. */
    ncp_builder_options small = {0};
    small.first_segment_words = 1 + (uint32_t)(size % 7);
    small.growth = NCP_GROW_FIXED;
    mu = open_ok(&wa, &ru, "copy");
    ncp_builder *c = copy_into(mu, &small);
    ncp_msg_free(mu);
    FZ_CHECK(ncp_builder_status(c) == NCP_OK, "copy to small segments: %s",
             ncp_builder_error(c)->message);
    bytes wc = write_mem(c, 0);
    if (before == NCP_OK && strict->err.status == NCP_OK)
        reread_clean(&wc, &ru, scratch, "copy in small segments");
    ncp_msg *mc = open_ok(&wc, &ru, "copy in small segments");
    ncp_builder *d = copy_into(mc, NULL);
    ncp_msg_free(mc);
    bytes wd = write_mem(d, 0);
    same_bytes(&wa, &wd, "copy of the small-segment copy");
    ncp_builder_free(d);
    free(wd.data);
    /* Flattened to one segment it equals the one-segment copy. */
    if (nsegs == 1) {
        bytes ws = write_mem(c, NCP_WRITE_SINGLE_SEGMENT);
        same_bytes(&wa, &ws, "single-segment write of the small-segment copy");
        free(ws.data);
    }
    ncp_builder_free(c);
    free(wc.data);
    free(wa.data);
    free(wap.data);
}

/* ------------------------------------------------------------------------
 * Opening (I1, I2)
 * ------------------------------------------------------------------------ */

static size_t table_bytes(uint32_t nsegs) {
    return ((size_t)nsegs / 2 + 1) * 8;
}

/* The documented auto-detection (docs/security.md, "Packed or unpacked"):
 * input of 4 bytes or more is packed when its bytes 2 and 3 are not both
 * zero; when it starts "T n 00 00" with T one of 0x10, 0x20, 0x40, 0x80 and
 * n nonzero, it is packed unless the bytes hold a whole unpacked message by
 * its framing. */
static int surely_packed(const uint8_t *b) {
    return b[2] != 0 || b[3] != 0;
}

static int ambiguous_head(const uint8_t *b) {
    return !surely_packed(b) &&
           (b[0] == 0x10 || b[0] == 0x20 || b[0] == 0x40 || b[0] == 0x80) &&
           b[1] != 0;
}

static int unpacked_fits(const uint8_t *b, size_t len,
                         const ncp_read_options *r) {
    if (len < 8) return 0;
    uint64_t n = (uint64_t)ncp_load32(b) + 1;
    if (n > r->max_segments) return 0;
    size_t tbytes = table_bytes((uint32_t)n);
    if (len < tbytes) return 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += ncp_load32(b + 4 + i * 4);
    return total <= (len - tbytes) / 8;
}

/* I13: the input read on demand from a regular file walks as m did (its
 * outcome `want`) and, detached, holds m's segments. */
static void on_demand_pass(const uint8_t *data, size_t size, const ncp_msg *m,
                           const ncp_read_options *o, const outcome *want,
                           uint8_t *scratch) {
    int fd = fz_file_with(data, size);
    ncp_msg *od = NULL;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_read_fd_on_demand(fd, o, &od, &err);
    if (st != NCP_OK) {
        /* The stream readers need four bytes (fuzz_stream.c). */
        FZ_CHECK(ncp_msg_consumed(m) < 4,
                 "opens from memory, not on demand: %s", err.message);
        return;
    }
    outcome got = walk_as(od, PROBE_NONE, scratch, 1);
    same_outcome(want, &got, "walk in place vs read on demand");
    ncp_error derr = {NCP_OK, ""};
    FZ_CHECK(ncp_msg_detach(od, &derr) == NCP_OK, "detach: %s", derr.message);
    uint32_t n = ncp_msg_segment_count(m);
    FZ_CHECK(ncp_msg_segment_count(od) == n, "on demand: %u segments",
             ncp_msg_segment_count(od));
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *a = NULL, *b = NULL;
        uint32_t wa = 0, wb = 0;
        ncp_msg_segment(m, i, &a, &wa);
        FZ_CHECK(ncp_msg_segment(od, i, &b, &wb), "detached segment %u", i);
        FZ_CHECK(wa == wb && (wa == 0 || memcmp(a, b, (size_t)wa * 8) == 0),
                 "on demand: segment %u differs", i);
    }
    ncp_msg_free(od);
}

static void check_open(const uint8_t *data, size_t size, ncp_read_options o) {
    static int sentinel;
    ncp_msg *m = (ncp_msg *)(void *)&sentinel;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_from_buffer(data, size, &o, &m, &err);
    fz_check_error(&err, "open");
    if (st != NCP_OK) {
        FZ_CHECK(m == NULL, "a failed open returned a message");
        FZ_CHECK(err.status == st, "returned %s, recorded %s",
                 ncp_status_name(st), ncp_status_name(err.status));
        FZ_CHECK(st == NCP_ERR_TRUNCATED || st == NCP_ERR_MALFORMED ||
                     st == NCP_ERR_TOO_LARGE,
                 "open failed with %s: %s", ncp_status_name(st), err.message);
        m = (ncp_msg *)(void *)&sentinel;
        FZ_CHECK(ncp_msg_from_buffer(data, size, &o, &m, NULL) == st &&
                     m == NULL,
                 "open without an error record differs");
        return;
    }
    FZ_CHECK(m != NULL && err.status == NCP_OK, "open succeeded without a "
                                                "message");
    ncp_read_options r = resolved(o);
    uint32_t nsegs = ncp_msg_segment_count(m);
    FZ_CHECK(nsegs >= 1 && nsegs <= r.max_segments, "%u segments", nsegs);
    uint64_t total = 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        const uint8_t *d;
        uint32_t w;
        FZ_CHECK(ncp_msg_segment(m, i, &d, &w), "segment %u", i);
        total += w;
    }
    FZ_CHECK(total == ncp_msg_size_words(m) && total <= r.max_message_words,
             "size %llu words", (unsigned long long)total);
    size_t consumed = ncp_msg_consumed(m);
    FZ_CHECK(consumed > 0 && consumed <= size, "consumed %zu of %zu", consumed,
             size);
    uint64_t budget = r.traversal_limit_words;
    if (r.traversal_limit_per_message_word != 0 &&
        total * r.traversal_limit_per_message_word > budget)
        budget = total * r.traversal_limit_per_message_word;
    FZ_CHECK(ncp_msg_traversal_left(m) == budget, "initial budget %llu",
             (unsigned long long)ncp_msg_traversal_left(m));
    int packed = o.packing == NCP_PACKING_PACKED ||
                 (o.packing == NCP_PACKING_AUTO && size >= 4 &&
                  (surely_packed(data) ||
                   (ambiguous_head(data) && !unpacked_fits(data, size, &r))));
    /* Unpacked input is read in place, packed input into owned memory. */
    const uint8_t *seg0 = NULL;
    ncp_msg_segment(m, 0, &seg0, NULL);
    int in_input = (uintptr_t)seg0 >= (uintptr_t)data &&
                   (uintptr_t)seg0 <= (uintptr_t)data + size;
    FZ_CHECK(in_input == !packed, "read as %s, expected %s",
             in_input ? "unpacked" : "packed", packed ? "packed" : "unpacked");
    size_t tbytes = table_bytes(nsegs);
    if (!packed) {
        /* I2: the segments are the bytes after the table, in order. */
        FZ_CHECK(consumed == tbytes + total * 8, "consumed %zu", consumed);
        FZ_CHECK(ncp_load32(data) == nsegs - 1, "segment count");
        const uint8_t *at = data + tbytes;
        for (uint32_t i = 0; i < nsegs; i++) {
            const uint8_t *d;
            uint32_t w;
            ncp_msg_segment(m, i, &d, &w);
            FZ_CHECK(w == ncp_load32(data + 4 + (size_t)i * 4) &&
                         (w == 0 || d == at),
                     "segment %u misplaced", i);
            at += (size_t)w * 8;
        }
    } else {
        /* I2: unpacking the consumed bytes in one go gives the table and
         * the segments. */
        size_t words = tbytes / 8 + (size_t)total;
        uint8_t *out = fz_malloc(words * 8);
        size_t used = 0;
        FZ_CHECK(ncp_unpack(data, consumed, out, words, &used, NULL) ==
                         NCP_OK &&
                     used == consumed,
                 "packed message does not unpack by itself");
        FZ_CHECK(ncp_load32(out) == nsegs - 1, "segment count");
        size_t off = tbytes;
        for (uint32_t i = 0; i < nsegs; i++) {
            const uint8_t *d;
            uint32_t w;
            ncp_msg_segment(m, i, &d, &w);
            FZ_CHECK(w == ncp_load32(out + 4 + (size_t)i * 4) &&
                         (w == 0 || memcmp(d, out + off, (size_t)w * 8) == 0),
                     "segment %u differs from the unpacked input", i);
            off += (size_t)w * 8;
        }
        free(out);
    }

    /* The reading passes, over exact copies of the segments. */
    segs sg = segs_copy(m);
    uint8_t *scratch = fz_malloc(MAX_BULK * 8);
    outcome in_place = walk(m, PROBE_NONE, scratch);
    on_demand_pass(data, size, m, &o, &in_place, scratch);
    ncp_msg *m1 = segs_open(&sg, &o);
    outcome strict = walk(m1, PROBE_NONE, scratch);
    same_outcome(&in_place, &strict, "walk in place vs over copies");
    ncp_msg_free(m1);
    ncp_msg_free(m);
    for (int p = 0; p < NPROBES; p++) {
        ncp_msg *mp = segs_open(&sg, &o);
        walk(mp, p, scratch);
        ncp_msg_free(mp);
    }
    copy_pass(&sg, &o, &strict, scratch, size);
    free(scratch);
    segs_free(&sg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int i = 0; i < NCONFIGS; i++)
        check_open(data, size, config(i));
    return 0;
}
