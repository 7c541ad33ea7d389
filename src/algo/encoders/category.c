/*
 * src/algo/encoders/category.c - NuPIC's CategoryEncoder (nupic/encoders/
 * category.py): category i through a ScalarEncoder over [0, count] with
 * radius 1, so that it sets bits [i * w, (i + 1) * w).
 */
#include <stdlib.h>
#include <string.h>

#include "../persist.h"
#include "enc.h"

void nupic_category_enc_params_default(nupic_category_enc_params *p) {
    memset(p, 0, sizeof *p);
    p->w = 21;
    p->allow_unknown = true;
}

void nupic_category_enc_free(nupic_category_enc *e) {
    if (e == NULL) return;
    if (e->cats)
        for (uint32_t i = 1; i <= e->count; i++)
            free(e->cats[i]);
    free(e->cats);
    free(e->lens);
    free(e->slots);
    free(e->name);
    nupic_scalar_enc_free(e->scalar);
    free(e);
}

static uint32_t fnv(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* 0 if absent. */
static uint32_t lookup(const nupic_category_enc *e, const char *s) {
    size_t len = strlen(s);
    uint32_t h = fnv(s, len);
    for (uint32_t at = h & e->slot_mask;; at = (at + 1) & e->slot_mask) {
        const cat_slot *sl = &e->slots[at];
        if (sl->index == 0) return 0;
        if (sl->hash == h && e->lens[sl->index] == len &&
            memcmp(e->cats[sl->index], s, len) == 0)
            return sl->index;
    }
}

/* The lookup table of categories 1..count; the last of equal names wins
 * (NuPIC's dict), "<UNKNOWN>" is never looked up (NuPIC's read). */
static nupic_status index_categories(nupic_category_enc *e, nupic_error *err) {
    uint32_t size = 4;
    while (size < 2 * (uint64_t)e->count + 2)
        size <<= 1;
    e->slots = calloc(size, sizeof *e->slots);
    if (e->slots == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "CategoryEncoder: out of memory");
    e->slot_mask = size - 1;
    for (uint32_t i = 1; i <= e->count; i++) {
        if (strcmp(e->cats[i], ENC_UNKNOWN) == 0) continue;
        uint32_t h = fnv(e->cats[i], e->lens[i]);
        uint32_t at = h & e->slot_mask;
        while (e->slots[at].index != 0) {
            uint32_t j = e->slots[at].index;
            if (e->slots[at].hash == h && e->lens[j] == e->lens[i] &&
                memcmp(e->cats[j], e->cats[i], e->lens[i]) == 0)
                break;
            at = (at + 1) & e->slot_mask;
        }
        e->slots[at].hash = h;
        e->slots[at].index = i;
    }
    return NUPIC_OK;
}

static nupic_status alloc_cats(nupic_category_enc *e, uint32_t count,
                               nupic_error *err) {
    e->cats = calloc((size_t)count + 1, sizeof *e->cats);
    e->lens = calloc((size_t)count + 1, sizeof *e->lens);
    if (e->cats == NULL || e->lens == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "CategoryEncoder: out of memory");
    e->count = count;
    return NUPIC_OK;
}

static nupic_status build(nupic_category_enc *e,
                          const nupic_category_enc_params *p,
                          nupic_error *err) {
    const char *who = "CategoryEncoder";
    if (p->num_categories == 0)
        return enc_fail(err, NUPIC_ERR_PARAM,
                        "%s: no categories (NuPIC's ScalarEncoder over [0, 0] "
                        "fails)",
                        who);
    if (p->categories == NULL)
        return enc_fail(err, NUPIC_ERR_PARAM, "%s: categories is NULL", who);
    if ((uint64_t)p->w * ((uint64_t)p->num_categories + 1) >
        NUPIC_ENC_MAX_WIDTH)
        return enc_fail(err, NUPIC_ERR_PARAM,
                        "%s: w = %u with %u categories needs more than %u bits",
                        who, p->w, p->num_categories, NUPIC_ENC_MAX_WIDTH);
    nupic_status st = alloc_cats(e, p->num_categories, err);
    if (st != NUPIC_OK) return st;
    for (uint32_t i = 1; i <= e->count; i++) {
        const char *c = p->categories[i - 1];
        if (c == NULL)
            return enc_fail(err, NUPIC_ERR_PARAM, "%s: category %u is NULL",
                            who, i);
        if (strcmp(c, ENC_UNKNOWN) == 0)
            return enc_fail(err, NUPIC_ERR_PARAM,
                            "%s: category %u is '%s', the name of category 0 "
                            "(unknown)",
                            who, i, ENC_UNKNOWN);
        e->cats[i] = enc_strdup(c);
        if (e->cats[i] == NULL)
            return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
        e->lens[i] = strlen(c);
    }
    nupic_scalar_enc_params sp;
    nupic_scalar_enc_params_default(&sp);
    char sname[32];
    snprintf(sname, sizeof sname, "[0:%u]", e->count); /* NuPIC's ints */
    sp.w = p->w;
    sp.minval = 0;
    sp.maxval = e->count;
    sp.radius = 1;
    sp.forced = p->forced;
    sp.name = sname;
    st = scalar_make(&sp, who, &e->scalar, err);
    if (st != NUPIC_OK) return st;
    e->w = p->w;
    e->width = p->w * (e->count + 1);
    if (e->scalar->n != e->width)
        return enc_fail(err, NUPIC_ERR_PARAM,
                        "%s: w = %u with %u categories: its ScalarEncoder has "
                        "%u bits, not w * %u = %u (NuPIC fails this assertion)",
                        who, p->w, e->count, e->scalar->n, e->count + 1,
                        e->width);
    e->name = enc_strdup(p->name ? p->name : "category");
    if (e->name == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
    e->verbosity = p->verbosity;
    e->forced = p->forced;
    e->allow_unknown = p->allow_unknown;
    return index_categories(e, err);
}

nupic_status nupic_category_enc_new(const nupic_category_enc_params *p,
                                    nupic_category_enc **out,
                                    nupic_error *err) {
    if (p == NULL || out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_category_enc_new: NULL");
    *out = NULL;
    nupic_category_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "CategoryEncoder: out of memory");
    nupic_status st = build(e, p, err);
    if (st != NUPIC_OK) {
        nupic_category_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

nupic_status nupic_category_enc_index(const nupic_category_enc *e,
                                      const char *category, uint32_t *index,
                                      nupic_error *err) {
    if (category == NULL)
        return enc_fail(err, NUPIC_ERR_ARG,
                        "CategoryEncoder '%s': NULL category (a missing value "
                        "is encoded with *_encode_missing)",
                        e->name);
    uint32_t i = lookup(e, category);
    if (i == 0 && !e->allow_unknown)
        return enc_fail(err, NUPIC_ERR_ARG,
                        "CategoryEncoder '%s': unknown category '%.80s'",
                        e->name, category);
    *index = i;
    return NUPIC_OK;
}

nupic_status nupic_category_enc_encode(const nupic_category_enc *e,
                                       const char *category, uint8_t *output,
                                       nupic_error *err) {
    uint32_t i = 0;
    int64_t minbin = 0;
    nupic_status st = nupic_category_enc_index(e, category, &i, err);
    if (st == NUPIC_OK) st = scalar_first_bit(e->scalar, i, &minbin, err);
    if (st != NUPIC_OK) return st;
    scalar_put(e->scalar, minbin, output);
    return NUPIC_OK;
}

void nupic_category_enc_encode_missing(const nupic_category_enc *e,
                                       uint8_t *output) {
    memset(output, 0, e->width);
}

nupic_status nupic_category_enc_bucket(const nupic_category_enc *e,
                                       const char *category, uint32_t *bucket,
                                       nupic_error *err) {
    uint32_t i = 0;
    nupic_status st = nupic_category_enc_index(e, category, &i, err);
    if (st != NUPIC_OK) return st;
    return nupic_scalar_enc_bucket(e->scalar, i, bucket, err);
}

/* ------------------------------------------------------------------------
 * Accessors, equality
 * ------------------------------------------------------------------------ */

uint32_t nupic_category_enc_width(const nupic_category_enc *e) {
    return e->width;
}
const char *nupic_category_enc_name(const nupic_category_enc *e) {
    return e->name;
}
uint32_t nupic_category_enc_num_categories(const nupic_category_enc *e) {
    return e->count;
}
const char *nupic_category_enc_category(const nupic_category_enc *e,
                                        uint32_t i) {
    if (i == 0) return ENC_UNKNOWN;
    return i <= e->count ? e->cats[i] : NULL;
}
bool nupic_category_enc_allows_unknown(const nupic_category_enc *e) {
    return e->allow_unknown;
}

bool category_equal_ctx(const nupic_category_enc *a,
                        const nupic_category_enc *b, const char *what,
                        char *diff, size_t diff_size) {
    if (a->w != b->w || a->width != b->width || a->count != b->count)
        return enc_diff(diff, diff_size,
                        "%s: w %u, width %u, %u categories != w %u, width %u, "
                        "%u categories",
                        what, a->w, a->width, a->count, b->w, b->width,
                        b->count);
    for (uint32_t i = 1; i <= a->count; i++)
        if (a->lens[i] != b->lens[i] ||
            memcmp(a->cats[i], b->cats[i], a->lens[i]) != 0)
            return enc_diff(diff, diff_size, "%s: category %u: '%s' != '%s'",
                            what, i, a->cats[i], b->cats[i]);
    if (strcmp(a->name, b->name) != 0)
        return enc_diff(diff, diff_size, "%s.name: '%s' != '%s'", what, a->name,
                        b->name);
    if (a->verbosity != b->verbosity || a->allow_unknown != b->allow_unknown)
        return enc_diff(diff, diff_size,
                        "%s: verbosity %u, allow_unknown %d != %u, %d", what,
                        a->verbosity, a->allow_unknown, b->verbosity,
                        b->allow_unknown);
    char sub[ENC_CTX_SIZE];
    enc_ctx(sub, what, ".encoder");
    return scalar_equal_ctx(a->scalar, b->scalar, sub, diff, diff_size);
}

bool nupic_category_enc_equal(const nupic_category_enc *a,
                              const nupic_category_enc *b, char *diff,
                              size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    return category_equal_ctx(a, b, "CategoryEncoder", diff, diff_size);
}

/* ------------------------------------------------------------------------
 * Serialization (NuPIC's CategoryEncoder.write and read)
 * ------------------------------------------------------------------------ */

nupic_status category_write_ctx(const nupic_category_enc *e,
                                CategoryEncoderProto_B b, const char *who,
                                nupic_error *err) {
    CategoryEncoderProto_set_width(b, e->width);
    uint32_t first = e->allow_unknown ? 0 : 1;
    CategoryEncoderProto_CategoryMapping_BList list =
        CategoryEncoderProto_init_indexToCategory(b, e->count + 1 - first);
    for (uint32_t i = first; i <= e->count; i++) {
        CategoryEncoderProto_CategoryMapping_B m =
            CategoryEncoderProto_CategoryMapping_BList_get(list, i - first);
        CategoryEncoderProto_CategoryMapping_set_index(m, i);
        if (i == 0)
            CategoryEncoderProto_CategoryMapping_set_category(
                m, ENC_UNKNOWN, strlen(ENC_UNKNOWN));
        else
            CategoryEncoderProto_CategoryMapping_set_category(m, e->cats[i],
                                                              e->lens[i]);
    }
    CategoryEncoderProto_set_name(b, e->name, strlen(e->name));
    CategoryEncoderProto_set_verbosity(b, e->verbosity);
    char sub[ENC_CTX_SIZE];
    enc_ctx(sub, who, " encoder");
    nupic_status st = scalar_write_ctx(
        e->scalar, CategoryEncoderProto_init_encoder(b), sub, err);
    if (st != NUPIC_OK) return st;
    return enc_builder_status(b.s, err);
}

nupic_status nupic_category_enc_write(const nupic_category_enc *e,
                                      CategoryEncoderProto_B b,
                                      nupic_error *err) {
    return category_write_ctx(e, b, "CategoryEncoder", err);
}

static nupic_status read_mappings(nupic_category_enc *e,
                                  CategoryEncoderProto_R r, const char *ctx,
                                  nupic_error *err) {
    CategoryEncoderProto_CategoryMapping_RList list =
        CategoryEncoderProto_get_indexToCategory(r);
    uint32_t len = CategoryEncoderProto_CategoryMapping_RList_len(list);
    bool has_unknown = false;
    for (uint32_t j = 0; j < len; j++)
        if (CategoryEncoderProto_CategoryMapping_get_index(
                CategoryEncoderProto_CategoryMapping_RList_get(list, j)) == 0)
            has_unknown = true;
    uint32_t count = has_unknown ? len - 1 : len;
    if (count == 0)
        return enc_fail(err, NUPIC_ERR_FORMAT,
                        "%s.indexToCategory: no categories", ctx);
    nupic_status st = alloc_cats(e, count, err);
    if (st != NUPIC_OK) return st;
    e->allow_unknown = has_unknown;
    char field[48];
    for (uint32_t j = 0; j < len; j++) {
        CategoryEncoderProto_CategoryMapping_R m =
            CategoryEncoderProto_CategoryMapping_RList_get(list, j);
        uint32_t i = CategoryEncoderProto_CategoryMapping_get_index(m);
        snprintf(field, sizeof field, "indexToCategory[%u].category", j);
        char *text = NULL;
        st = enc_read_text(CategoryEncoderProto_CategoryMapping_get_category(m),
                           ctx, field, &text, err);
        if (st != NUPIC_OK) return st;
        if (i == 0) {
            bool unknown = strcmp(text, ENC_UNKNOWN) == 0;
            free(text);
            if (!unknown)
                return enc_fail(err, NUPIC_ERR_FORMAT,
                                "%s.indexToCategory[%u]: index 0 must be '%s'",
                                ctx, j, ENC_UNKNOWN);
            continue;
        }
        if (i > count || e->cats[i] != NULL) {
            free(text);
            return enc_fail(err, NUPIC_ERR_FORMAT,
                            "%s.indexToCategory[%u]: index %u is %s", ctx, j, i,
                            i > count ? "out of range" : "repeated");
        }
        e->cats[i] = text;
        e->lens[i] = strlen(text);
    }
    if (has_unknown) {
        /* Index 0 appeared: exactly once, since the others fill 1..count. */
        for (uint32_t i = 1; i <= count; i++)
            if (e->cats[i] == NULL)
                return enc_fail(err, NUPIC_ERR_FORMAT,
                                "%s.indexToCategory: index 0 appears twice",
                                ctx);
    }
    return NUPIC_OK;
}

nupic_status category_read_ctx(CategoryEncoderProto_R r, const char *ctx,
                               nupic_category_enc **out, nupic_error *err) {
    *out = NULL;
    nupic_category_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
    e->forced = true;
    e->width = CategoryEncoderProto_get_width(r);
    e->verbosity = CategoryEncoderProto_get_verbosity(r);
    nupic_status st = enc_read_text(CategoryEncoderProto_get_name(r), ctx,
                                    "name", &e->name, err);
    if (st == NUPIC_OK) st = read_mappings(e, r, ctx, err);
    char sub[ENC_CTX_SIZE];
    enc_ctx(sub, ctx, ".encoder");
    if (st == NUPIC_OK)
        st = scalar_read_ctx(CategoryEncoderProto_get_encoder(r), sub,
                             &e->scalar, err);
    if (st == NUPIC_OK) {
        const nupic_scalar_enc *s = e->scalar;
        e->w = s->w;
        if (s->periodic || s->minval != 0 || s->maxval != (double)e->count ||
            s->n != e->width ||
            (uint64_t)e->w * ((uint64_t)e->count + 1) != e->width)
            st = enc_fail(err, NUPIC_ERR_FORMAT,
                          "%s: width %u and encoder (w %u, n %u, [%g, %g]%s) "
                          "do not encode %u categories",
                          ctx, e->width, s->w, s->n, s->minval, s->maxval,
                          s->periodic ? ", periodic" : "", e->count);
    }
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    if (st == NUPIC_OK) st = index_categories(e, err);
    if (st != NUPIC_OK) {
        nupic_category_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

nupic_status nupic_category_enc_read(CategoryEncoderProto_R r,
                                     nupic_category_enc **out,
                                     nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_category_enc_read: NULL");
    return category_read_ctx(r, "CategoryEncoderProto", out, err);
}

uint64_t category_words(const nupic_category_enc *e) {
    uint64_t w = 32 + strlen(e->name) / 8 + scalar_words(e->scalar);
    for (uint32_t i = 1; i <= e->count; i++)
        w += 3 + e->lens[i] / 8;
    return w;
}

ENC_PERSIST(nupic_category_enc, nupic_category_enc, CategoryEncoderProto,
            category_words)
