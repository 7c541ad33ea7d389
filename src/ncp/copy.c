/*
 * src/ncp/copy.c - deep copies from a reader into a builder.
 *
 * The source is read through the checked reader, so a copy of hostile data
 * is as safe as reading it: limits apply and errors are recorded.  The walk
 * is iterative, with an explicit stack on the heap, so depth is bounded by the
 * source's nesting limit and the memory available, never by the C stack.
 * Objects are copied depth-first in pointer order, which is the order a
 * recursive copy would take: copying a copy gives identical bytes.
 */
#include "internal.h"

/* A partly copied object whose pointers remain to be copied. */
typedef struct frame {
    ncp_struct s;  /* struct: source */
    ncp_bstruct d; /* struct: copy */
    ncp_list sl;   /* list: source */
    ncp_blist dl;  /* list: copy */
    uint32_t i;    /* next element (lists) or pointer (structs) */
    uint32_t j;    /* next pointer of element i (struct lists) */
    uint8_t kind;
} frame;

enum { F_STRUCT, F_PTR_LIST, F_STRUCT_LIST };

typedef struct walk {
    ncp_builder *b;
    frame *stack;
    size_t n, cap;
    frame inline_stack[16];
} walk;

static bool push(walk *w, const frame *f) {
    if (w->n == w->cap) {
        size_t cap = w->cap * 2;
        frame *s;
        if (w->stack == w->inline_stack) {
            s = ncp__alloc(&w->b->alloc, cap * sizeof *s);
            if (s) memcpy(s, w->stack, w->n * sizeof *s);
        } else {
            s = ncp__realloc(&w->b->alloc, w->stack, w->cap * sizeof *s,
                             cap * sizeof *s);
        }
        if (s == NULL) {
            ncp_builder_fail(w->b, NCP_ERR_NOMEM,
                             "copy: cannot grow the copy stack to %zu levels",
                             cap);
            return false;
        }
        w->stack = s;
        w->cap = cap;
    }
    w->stack[w->n++] = *f;
    return true;
}

/* Copies the object src points to (its own words, not its children) to
 * dst, and pushes a frame when it has pointers to follow. */
static void copy_one(walk *w, ncp_bptr dst, ncp_ptr src) {
    frame f;
    memset(&f, 0, sizeof f);
    switch (ncp_ptr_type(src)) {
    case NCP_PTR_NULL: ncp_bptr_set_null(dst); return;
    case NCP_PTR_STRUCT: {
        f.s = ncp_ptr_struct(src, NULL);
        if (f.s.data == NULL) return; /* error recorded in the source */
        f.d = ncp_bptr_init_struct(dst, (uint16_t)(f.s.data_bytes / 8),
                                   f.s.ptr_count);
        if (f.d.data == NULL) return; /* builder error, or an empty struct */
        if (f.s.data_bytes > 0) memcpy(f.d.data, f.s.data, f.s.data_bytes);
        f.kind = F_STRUCT;
        if (f.s.ptr_count > 0) push(w, &f);
        return;
    }
    case NCP_PTR_LIST: break;
    case NCP_PTR_CAPABILITY:
        ncp_msg_fail(src.msg, NCP_ERR_CAPABILITY,
                     "copy: capability pointer at segment %u in a data "
                     "message",
                     src.seg->id);
        return;
    case NCP_PTR_INVALID: return;
    }
    f.sl = ncp_ptr_list(src, NCP_LIST_ANY, NULL);
    if (f.sl.start == NULL) return; /* error recorded in the source */
    if (f.sl.elem == NCP_ELEM_COMPOSITE) {
        f.dl = ncp_bptr_init_struct_list(
            dst, f.sl.len, (uint16_t)(f.sl.data_bits / 64), f.sl.ptr_count);
        if (f.dl.start == NULL) return;
        size_t data_bytes = f.sl.data_bits / 8;
        for (uint32_t i = 0; i < f.sl.len; i++)
            memcpy(ncp_blist_elem_(&f.dl, i), ncp_list_elem_(&f.sl, i),
                   data_bytes);
        f.kind = F_STRUCT_LIST;
        if (f.sl.ptr_count > 0 && f.sl.len > 0) push(w, &f);
    } else if (f.sl.elem == NCP_ELEM_POINTER) {
        f.dl = ncp_bptr_init_list(dst, NCP_ELEM_POINTER, f.sl.len);
        if (f.dl.start == NULL) return;
        f.kind = F_PTR_LIST;
        if (f.sl.len > 0) push(w, &f);
    } else {
        f.dl = ncp_bptr_init_list(dst, (ncp_elem_size)f.sl.elem, f.sl.len);
        if (f.dl.start == NULL) return;
        uint64_t bits = (uint64_t)f.sl.len * f.sl.step_bits;
        size_t bytes = (size_t)(bits / 8);
        memcpy(f.dl.start, f.sl.start, bytes);
        if (bits % 8) /* only the list's own bits of the last byte */
            f.dl.start[bytes] =
                (uint8_t)(f.sl.start[bytes] & ((1u << (bits % 8)) - 1));
    }
}

/* The next (dst, src) pointer pair of the top frame; false when done. */
static bool next_pair(frame *f, ncp_bptr *dst, ncp_ptr *src) {
    switch (f->kind) {
    case F_STRUCT:
        if (f->i >= f->s.ptr_count) return false;
        *dst = ncp_bstruct_ptr(&f->d, f->i);
        *src = ncp_struct_ptr(&f->s, f->i);
        f->i++;
        return true;
    case F_PTR_LIST:
        if (f->i >= f->sl.len) return false;
        *dst = ncp_blist_ptr(&f->dl, f->i);
        *src = ncp_list_ptr(&f->sl, f->i);
        f->i++;
        return true;
    default: {
        if (f->i >= f->sl.len) return false;
        ncp_bstruct d = ncp_blist_struct(&f->dl, f->i);
        ncp_struct s = ncp_list_struct(&f->sl, f->i);
        *dst = ncp_bstruct_ptr(&d, f->j);
        *src = ncp_struct_ptr(&s, f->j);
        if (++f->j == f->sl.ptr_count) {
            f->j = 0;
            f->i++;
        }
        return true;
    }
    }
}

void ncp_bptr_copy(ncp_bptr dst, ncp_ptr src) {
    if (dst.b == NULL) return;
    if (dst.p == NULL) {
        ncp_builder_fail(dst.b, NCP_ERR_ARG, "ncp_bptr_copy: no such pointer");
        return;
    }
    if (src.msg == NULL) {
        ncp_bptr_set_null(dst);
        return;
    }
    ncp_status before = ncp_msg_status(src.msg);
    walk w;
    w.b = dst.b;
    w.stack = w.inline_stack;
    w.n = 0;
    w.cap = sizeof w.inline_stack / sizeof w.inline_stack[0];
    copy_one(&w, dst, src);
    while (w.n > 0 && dst.b->err.status == NCP_OK) {
        ncp_bptr d;
        ncp_ptr s;
        if (!next_pair(&w.stack[w.n - 1], &d, &s)) {
            w.n--;
            continue;
        }
        copy_one(&w, d, s);
    }
    if (w.stack != w.inline_stack)
        ncp__free(&dst.b->alloc, w.stack, w.cap * sizeof *w.stack);
    const ncp_error *e = ncp_msg_error(src.msg);
    if (before == NCP_OK && e->status != NCP_OK)
        ncp_builder_fail(dst.b, e->status, "copy: %s", e->message);
}

ncp_status ncp__builder_flatten(const ncp_builder *b, ncp_builder **out,
                                ncp_error *err) {
    uint64_t words = ncp_builder_size_words(b);
    ncp_builder_options bo = {0};
    bo.alloc = b->alloc;
    bo.first_segment_words =
        words > NCP_MAX_SEGMENT_WORDS ? NCP_MAX_SEGMENT_WORDS : (uint32_t)words;
    ncp_read_options ro = {0};
    ro.alloc = b->alloc;
    ro.traversal_limit_words = UINT64_MAX;
    ro.nesting_limit = UINT16_MAX;
    ro.max_segments = UINT32_MAX;
    ro.max_message_words = UINT64_MAX;
    ncp_msg *m;
    ncp_status st = ncp_builder_open(b, &ro, &m, err);
    if (st != NCP_OK) return st;
    ncp_builder *f;
    st = ncp_builder_new(&bo, &f);
    if (st != NCP_OK) {
        ncp_msg_free(m);
        return ncp_error_set(err, st,
                             "single segment: cannot allocate %llu words",
                             (unsigned long long)words);
    }
    ncp_bptr_copy(ncp_builder_root_ptr(f), ncp_msg_root_ptr(m));
    ncp_msg_free(m);
    st = ncp_builder_status(f);
    if (st == NCP_OK && f->nsegs != 1)
        st = ncp_builder_fail(f, NCP_ERR_TOO_LARGE,
                              "single segment: the message needs %llu words, "
                              "more than one segment holds",
                              (unsigned long long)words);
    if (st != NCP_OK) {
        ncp_error_set(err, st, "single segment: %s", f->err.message);
        ncp_builder_free(f);
        return st;
    }
    *out = f;
    return NCP_OK;
}
