/*
 * src/ncp/copy.c - deep copies from a reader into a builder.
 *
 * The source is read through the checked reader, so a copy of hostile data
 * is as safe as reading it: limits apply and errors are recorded.  Depth is
 * bounded by the source message's nesting limit.
 */
#include "internal.h"

static void copy_ptr(ncp_bptr dst, ncp_ptr src);

static void copy_struct_body(ncp_bstruct d, const ncp_struct *s) {
    if (d.data == NULL && d.ptr_count == 0) return;
    memcpy(d.data, s->data, s->data_bytes);
    for (uint32_t i = 0; i < s->ptr_count; i++)
        copy_ptr(ncp_bstruct_ptr(&d, i), ncp_struct_ptr(s, i));
}

static void copy_list(ncp_bptr dst, ncp_ptr src) {
    ncp_list l = ncp_ptr_list(src, NCP_LIST_ANY, NULL);
    if (l.start == NULL) return; /* error recorded in the source */
    if (l.elem == NCP_ELEM_COMPOSITE) {
        ncp_blist d = ncp_bptr_init_struct_list(
            dst, l.len, (uint16_t)(l.data_bits / 64), l.ptr_count);
        if (d.start == NULL) return;
        for (uint32_t i = 0; i < l.len; i++) {
            ncp_struct s = ncp_list_struct(&l, i);
            copy_struct_body(ncp_blist_struct(&d, i), &s);
        }
    } else if (l.elem == NCP_ELEM_POINTER) {
        ncp_blist d = ncp_bptr_init_list(dst, NCP_ELEM_POINTER, l.len);
        if (d.start == NULL) return;
        for (uint32_t i = 0; i < l.len; i++)
            copy_ptr(ncp_blist_ptr(&d, i), ncp_list_ptr(&l, i));
    } else {
        ncp_blist d = ncp_bptr_init_list(dst, (ncp_elem_size)l.elem, l.len);
        if (d.start == NULL) return;
        uint64_t bits = (uint64_t)l.len * l.step_bits;
        size_t bytes = (size_t)(bits / 8);
        memcpy(d.start, l.start, bytes);
        if (bits % 8) /* keep only the list's own bits of the last byte */
            d.start[bytes] =
                (uint8_t)(l.start[bytes] & ((1u << (bits % 8)) - 1));
    }
}

static void copy_ptr(ncp_bptr dst, ncp_ptr src) {
    if (dst.b->err.status != NCP_OK) return;
    switch (ncp_ptr_type(src)) {
    case NCP_PTR_NULL: ncp_bptr_set_null(dst); return;
    case NCP_PTR_STRUCT: {
        ncp_struct s = ncp_ptr_struct(src, NULL);
        if (s.data == NULL) return; /* error recorded in the source */
        ncp_bstruct d = ncp_bptr_init_struct(dst, (uint16_t)(s.data_bytes / 8),
                                             s.ptr_count);
        copy_struct_body(d, &s);
        return;
    }
    case NCP_PTR_LIST: copy_list(dst, src); return;
    case NCP_PTR_CAPABILITY:
        ncp_msg_fail(src.msg, NCP_ERR_CAPABILITY,
                     "copy: capability pointer at segment %u in a data "
                     "message",
                     src.seg->id);
        return;
    case NCP_PTR_INVALID: return;
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
    copy_ptr(dst, src);
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
    ncp_msg *m = NULL;
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
        ncp_error_set(err, st, "%s", f->err.message);
        ncp_builder_free(f);
        return st;
    }
    *out = f;
    return NCP_OK;
}
