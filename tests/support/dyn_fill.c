/*
 * tests/support/dyn_fill.c - random messages of any schema, built from its
 * reflection tables (nupic/ncp/schema.h): every field kind, unions (with
 * discriminants no member has, now and then), unknown enumerants, nested
 * lists and structs, long strings and lists that break the pretty layouts.
 * Deterministic: one xorshift generator, seeded at start.
 */
#include "dyn_fill.h"

#include <math.h>
#include <string.h>

#include "test_support.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

uint64_t dyn_rand(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

uint32_t dyn_below(uint32_t n) {
    return n ? (uint32_t)(dyn_rand() % n) : 0;
}

static uint64_t rand_scalar(unsigned kind) {
    switch (dyn_below(6)) {
    case 0: return 0;
    case 1: return dyn_below(10);
    case 2: return (uint64_t)0 - 1 - dyn_below(3); /* negative / large */
    default: break;
    }
    if (kind == NCP_TYPE_FLOAT32) {
        static const float specials[] = {0.5f,  -0.0f,  1e-3f, 3.14159f,
                                         1e20f, 1e-40f, NAN,   INFINITY};
        if (dyn_below(4) == 0) return ncp_f32_to_bits(specials[dyn_below(8)]);
        if (dyn_below(2))
            return ncp_f32_to_bits((float)((double)dyn_below(1000000) / 1e6));
        return (uint32_t)dyn_rand();
    }
    if (kind == NCP_TYPE_FLOAT64) {
        static const double specials[] = {0.1,  -0.0,      1e300, 5e-324,
                                          1e21, -INFINITY, NAN,   123456.789};
        if (dyn_below(4) == 0) return ncp_f64_to_bits(specials[dyn_below(8)]);
        if (dyn_below(2))
            return ncp_f64_to_bits((double)dyn_below(1000000) / 1e4);
        return dyn_rand();
    }
    return dyn_rand();
}

static void rand_bytes(char *buf, size_t n, bool text) {
    static const char alphabet[] = "abcXYZ019 _-\"\\\n\t\x01\x7f{}[],:=()'";
    for (size_t i = 0; i < n; i++) {
        if (text)
            buf[i] = alphabet[dyn_below(sizeof alphabet - 1)];
        else
            buf[i] = (char)dyn_below(256);
    }
}

static uint32_t rand_len(const dyn_gen *g) {
    if (g->long_ones && dyn_below(6) == 0) return 20 + dyn_below(50);
    return dyn_below(5);
}

static void fill_pointer(const dyn_gen *g, ncp_bptr p, const ncp_schema_type *t,
                         int depth) {
    char buf[128];
    switch (t->kind) {
    case NCP_TYPE_TEXT:
    case NCP_TYPE_DATA: {
        size_t n = rand_len(g);
        if (g->long_ones && dyn_below(4) == 0) n = 25 + dyn_below(60);
        rand_bytes(buf, n, t->kind == NCP_TYPE_TEXT);
        if (t->kind == NCP_TYPE_TEXT)
            ncp_bptr_set_text(p, buf, n);
        else
            ncp_bptr_set_data(p, buf, n);
        return;
    }
    case NCP_TYPE_STRUCT: {
        if (depth >= g->max_depth) return;
        const ncp_schema_struct *st = t->structure;
        ncp_bstruct s = ncp_bptr_init_struct(p, st->data_words, st->ptr_count);
        dyn_fill_struct(g, &s, st, depth + 1);
        return;
    }
    case NCP_TYPE_LIST: {
        if (depth >= g->max_depth) return;
        const ncp_schema_type *et = t->element;
        uint32_t n = rand_len(g);
        unsigned k = et->kind;
        if (k == NCP_TYPE_STRUCT) {
            const ncp_schema_struct *st = et->structure;
            ncp_blist l =
                ncp_bptr_init_struct_list(p, n, st->data_words, st->ptr_count);
            for (uint32_t i = 0; i < n; i++) {
                ncp_bstruct e = ncp_blist_struct(&l, i);
                dyn_fill_struct(g, &e, st, depth + 1);
            }
            return;
        }
        int enc =
            k == NCP_TYPE_VOID                          ? NCP_ELEM_VOID
            : k == NCP_TYPE_BOOL                        ? NCP_ELEM_BIT
            : k == NCP_TYPE_INT8 || k == NCP_TYPE_UINT8 ? NCP_ELEM_BYTE
            : k == NCP_TYPE_INT16 || k == NCP_TYPE_UINT16 || k == NCP_TYPE_ENUM
                ? NCP_ELEM_2BYTES
            : k == NCP_TYPE_INT32 || k == NCP_TYPE_UINT32 ||
                    k == NCP_TYPE_FLOAT32
                ? NCP_ELEM_4BYTES
            : k <= NCP_TYPE_FLOAT64 ? NCP_ELEM_8BYTES
                                    : NCP_ELEM_POINTER;
        ncp_blist l = ncp_bptr_init_list(p, (ncp_elem_size)enc, n);
        for (uint32_t i = 0; i < n; i++) {
            if (enc == NCP_ELEM_POINTER) {
                if (dyn_below(5))
                    fill_pointer(g, ncp_blist_ptr(&l, i), et, depth + 1);
                continue;
            }
            uint64_t v = rand_scalar(k);
            if (k == NCP_TYPE_ENUM) v = dyn_below(et->enumeration->count + 1u);
            switch (enc) {
            case NCP_ELEM_BIT: ncp_blist_set_bool(&l, i, v & 1); break;
            case NCP_ELEM_BYTE: ncp_blist_set_u8(&l, i, (uint8_t)v); break;
            case NCP_ELEM_2BYTES: ncp_blist_set_u16(&l, i, (uint16_t)v); break;
            case NCP_ELEM_4BYTES: ncp_blist_set_u32(&l, i, (uint32_t)v); break;
            case NCP_ELEM_8BYTES: ncp_blist_set_u64(&l, i, v); break;
            default: break;
            }
        }
        return;
    }
    default: /* AnyPointer, interfaces */
        if (g->any && t->kind == NCP_TYPE_ANY_POINTER && dyn_below(2)) {
            ncp_bstruct s = ncp_bptr_init_struct(p, 1, 1);
            ncp_bstruct_set_u32(&s, 0, (uint32_t)dyn_rand());
            ncp_bptr_set_text(ncp_bstruct_ptr(&s, 0), "any", 3);
        }
        return;
    }
}

void dyn_fill_struct(const dyn_gen *g, const ncp_bstruct *b,
                     const ncp_schema_struct *t, int depth) {
    uint16_t d = 0;
    if (t->discriminant_count) {
        /* sometimes a discriminant no member has */
        d = (uint16_t)dyn_below(t->discriminant_count +
                                (dyn_below(10) == 0 ? 3u : 0u));
        ncp_bstruct_set_u16(b, t->discriminant_offset * 2, d);
    }
    for (uint16_t i = 0; i < t->field_count; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (f->discriminant != NCP_NO_DISCRIMINANT && f->discriminant != d)
            continue;
        if (f->group) {
            dyn_fill_struct(g, b, f->group, depth);
            continue;
        }
        unsigned k = f->type.kind;
        uint32_t off = f->offset;
        if (k == NCP_TYPE_VOID || dyn_below(4) == 0) continue;
        uint64_t v = rand_scalar(k);
        switch (k) {
        case NCP_TYPE_BOOL: ncp_bstruct_set_bool(b, off, v & 1); break;
        case NCP_TYPE_INT8:
        case NCP_TYPE_UINT8: ncp_bstruct_set_u8(b, off, (uint8_t)v); break;
        case NCP_TYPE_ENUM:
            ncp_bstruct_set_u16(
                b, off * 2,
                (uint16_t)dyn_below(f->type.enumeration->count + 2u));
            break;
        case NCP_TYPE_INT16:
        case NCP_TYPE_UINT16:
            ncp_bstruct_set_u16(b, off * 2, (uint16_t)v);
            break;
        case NCP_TYPE_INT32:
        case NCP_TYPE_UINT32:
        case NCP_TYPE_FLOAT32:
            ncp_bstruct_set_u32(b, off * 4, (uint32_t)v);
            break;
        case NCP_TYPE_INT64:
        case NCP_TYPE_UINT64:
        case NCP_TYPE_FLOAT64: ncp_bstruct_set_u64(b, off * 8, v); break;
        default:
            if (dyn_below(3))
                fill_pointer(g, ncp_bstruct_ptr(b, off), &f->type, depth);
            break;
        }
    }
}

/* A random message of type t in a new builder (multi-segment when
 * segment_words is small). */
ncp_builder *dyn_random_message(const dyn_gen *g, const ncp_schema_struct *t,
                                uint32_t segment_words) {
    ncp_builder_options o = {segment_words, NCP_GROW_FIXED, {NULL, NULL}};
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
    ncp_bstruct root = ncp_builder_init_root(b, t->data_words, t->ptr_count);
    dyn_fill_struct(g, &root, t, 0);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}
