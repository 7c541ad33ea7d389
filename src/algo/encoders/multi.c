/*
 * src/algo/encoders/multi.c - NuPIC's MultiEncoder (nupic/encoders/
 * multi.py): encoders of named fields, their outputs concatenated.
 */
#include <stdlib.h>
#include <string.h>

#include "../persist.h"
#include "enc.h"

static const char *const type_names[] = {"", "ScalarEncoder",
                                         "RandomDistributedScalarEncoder",
                                         "DateEncoder", "CategoryEncoder"};

static void entry_free(multi_entry *en) {
    switch (en->type) {
    case NUPIC_ENC_SCALAR: nupic_scalar_enc_free(en->u.scalar); break;
    case NUPIC_ENC_RDSE: nupic_rdse_free(en->u.rdse); break;
    case NUPIC_ENC_DATE: nupic_date_enc_free(en->u.date); break;
    case NUPIC_ENC_CATEGORY: nupic_category_enc_free(en->u.category); break;
    }
}

void nupic_multi_enc_free(nupic_multi_enc *m) {
    if (m == NULL) return;
    for (uint32_t j = 0; j < m->num_entries; j++)
        entry_free(&m->entries[j]);
    for (uint32_t i = 0; i < m->num_fields; i++)
        free(m->fields[i]);
    free(m->entries);
    free(m->fields);
    free(m->name);
    free(m);
}

nupic_status nupic_multi_enc_new(const char *name, nupic_multi_enc **out,
                                 nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_multi_enc_new: NULL");
    *out = NULL;
    nupic_multi_enc *m = calloc(1, sizeof *m);
    if (m) m->name = enc_strdup(name ? name : "");
    if (m == NULL || m->name == NULL) {
        nupic_multi_enc_free(m);
        return enc_fail(err, NUPIC_ERR_NOMEM, "MultiEncoder: out of memory");
    }
    *out = m;
    return NUPIC_OK;
}

static uint32_t width_of(nupic_enc_type type, const void *enc) {
    switch (type) {
    case NUPIC_ENC_SCALAR: return nupic_scalar_enc_width(enc);
    case NUPIC_ENC_RDSE: return nupic_rdse_width(enc);
    case NUPIC_ENC_DATE: return nupic_date_enc_width(enc);
    case NUPIC_ENC_CATEGORY: return nupic_category_enc_width(enc);
    }
    return 0;
}

/* Appends an entry; m owns enc only on success. */
static nupic_status add(nupic_multi_enc *m, const char *field,
                        nupic_enc_type type, void *enc, nupic_status code,
                        nupic_error *err) {
    if (m == NULL || field == NULL || enc == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "MultiEncoder: NULL argument");
    uint32_t w = width_of(type, enc);
    if ((uint64_t)m->width + w > NUPIC_ENC_MAX_WIDTH)
        return enc_fail(err, code,
                        "MultiEncoder: field '%.60s' would make the output "
                        "%llu bits (at most %u)",
                        field, (unsigned long long)m->width + w,
                        NUPIC_ENC_MAX_WIDTH);
    if (m->num_entries == m->cap_entries) {
        uint32_t cap = m->cap_entries ? 2 * m->cap_entries : 4;
        multi_entry *e = realloc(m->entries, cap * sizeof *e);
        if (e == NULL)
            return enc_fail(err, NUPIC_ERR_NOMEM,
                            "MultiEncoder: out of memory");
        m->entries = e;
        m->cap_entries = cap;
    }
    uint32_t f = 0;
    while (f < m->num_fields && strcmp(m->fields[f], field) != 0)
        f++;
    if (f == m->num_fields) {
        if (m->num_fields == m->cap_fields) {
            uint32_t cap = m->cap_fields ? 2 * m->cap_fields : 4;
            char **fs = realloc(m->fields, cap * sizeof *fs);
            if (fs == NULL)
                return enc_fail(err, NUPIC_ERR_NOMEM,
                                "MultiEncoder: out of memory");
            m->fields = fs;
            m->cap_fields = cap;
        }
        m->fields[f] = enc_strdup(field);
        if (m->fields[f] == NULL)
            return enc_fail(err, NUPIC_ERR_NOMEM,
                            "MultiEncoder: out of memory");
        m->num_fields++;
    }
    multi_entry *en = &m->entries[m->num_entries++];
    en->type = type;
    en->field = f;
    en->offset = m->width;
    en->width = w;
    en->u.any = enc;
    m->width += w;
    return NUPIC_OK;
}

nupic_status nupic_multi_enc_add_scalar(nupic_multi_enc *m, const char *field,
                                        nupic_scalar_enc *enc,
                                        nupic_error *err) {
    return add(m, field, NUPIC_ENC_SCALAR, enc, NUPIC_ERR_PARAM, err);
}
nupic_status nupic_multi_enc_add_rdse(nupic_multi_enc *m, const char *field,
                                      nupic_rdse *enc, nupic_error *err) {
    return add(m, field, NUPIC_ENC_RDSE, enc, NUPIC_ERR_PARAM, err);
}
nupic_status nupic_multi_enc_add_date(nupic_multi_enc *m, const char *field,
                                      nupic_date_enc *enc, nupic_error *err) {
    return add(m, field, NUPIC_ENC_DATE, enc, NUPIC_ERR_PARAM, err);
}
nupic_status nupic_multi_enc_add_category(nupic_multi_enc *m, const char *field,
                                          nupic_category_enc *enc,
                                          nupic_error *err) {
    return add(m, field, NUPIC_ENC_CATEGORY, enc, NUPIC_ERR_PARAM, err);
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

static nupic_status encode_one(multi_entry *en, const char *field,
                               const nupic_value *v, uint8_t *out,
                               nupic_error *err) {
    static const nupic_value_kind wants[] = {
        NUPIC_VALUE_MISSING, NUPIC_VALUE_NUMBER, NUPIC_VALUE_NUMBER,
        NUPIC_VALUE_DATETIME, NUPIC_VALUE_CATEGORY};
    static const char *const kinds[] = {"a missing value", "a number",
                                        "a date and time", "a category"};
    if (v->kind == NUPIC_VALUE_MISSING) {
        memset(out, 0, en->width);
        return NUPIC_OK;
    }
    if ((unsigned)v->kind > NUPIC_VALUE_CATEGORY || v->kind != wants[en->type])
        return enc_fail(err, NUPIC_ERR_ARG,
                        "MultiEncoder: field '%.60s' (%s) needs %s, not %s",
                        field, type_names[en->type], kinds[wants[en->type]],
                        (unsigned)v->kind <= NUPIC_VALUE_CATEGORY
                            ? kinds[v->kind]
                            : "an unknown kind");
    switch (en->type) {
    case NUPIC_ENC_SCALAR:
        return nupic_scalar_enc_encode(en->u.scalar, v->u.number, out, err);
    case NUPIC_ENC_RDSE:
        return nupic_rdse_encode(en->u.rdse, v->u.number, out, err);
    case NUPIC_ENC_DATE:
        return nupic_date_enc_encode(en->u.date, &v->u.datetime, out, err);
    case NUPIC_ENC_CATEGORY:
        return nupic_category_enc_encode(en->u.category, v->u.category, out,
                                         err);
    }
    return NUPIC_ERR_ARG;
}

nupic_status nupic_multi_enc_encode(nupic_multi_enc *m,
                                    const nupic_value *values, uint8_t *output,
                                    nupic_error *err) {
    if (m == NULL || (values == NULL && m->num_fields) ||
        (output == NULL && m->width))
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_multi_enc_encode: NULL");
    /* Undo the RDSEs' changes if a later field fails. */
    rdse_snap small[8], *snaps = small;
    uint32_t nr = 0;
    for (uint32_t j = 0; j < m->num_entries; j++)
        nr += m->entries[j].type == NUPIC_ENC_RDSE;
    if (nr > 8) {
        snaps = malloc(nr * sizeof *snaps);
        if (snaps == NULL)
            return enc_fail(err, NUPIC_ERR_NOMEM,
                            "MultiEncoder: out of memory");
    }
    for (uint32_t j = 0, k = 0; j < m->num_entries; j++)
        if (m->entries[j].type == NUPIC_ENC_RDSE)
            rdse_snap_take(m->entries[j].u.rdse, &snaps[k++]);
    nupic_status st = NUPIC_OK;
    for (uint32_t j = 0; j < m->num_entries && st == NUPIC_OK; j++) {
        multi_entry *en = &m->entries[j];
        st = encode_one(en, m->fields[en->field], &values[en->field],
                        output + en->offset, err);
    }
    if (st != NUPIC_OK)
        for (uint32_t j = 0, k = 0; j < m->num_entries; j++)
            if (m->entries[j].type == NUPIC_ENC_RDSE)
                rdse_snap_restore(m->entries[j].u.rdse, &snaps[k++]);
    if (snaps != small) free(snaps);
    return st;
}

/* ------------------------------------------------------------------------
 * Accessors, equality
 * ------------------------------------------------------------------------ */

uint32_t nupic_multi_enc_width(const nupic_multi_enc *m) {
    return m->width;
}
const char *nupic_multi_enc_name(const nupic_multi_enc *m) {
    return m->name;
}
uint32_t nupic_multi_enc_num_fields(const nupic_multi_enc *m) {
    return m->num_fields;
}
const char *nupic_multi_enc_field_name(const nupic_multi_enc *m, uint32_t i) {
    return i < m->num_fields ? m->fields[i] : NULL;
}
bool nupic_multi_enc_find_field(const nupic_multi_enc *m, const char *name,
                                uint32_t *index) {
    for (uint32_t i = 0; i < m->num_fields; i++)
        if (strcmp(m->fields[i], name) == 0) {
            if (index) *index = i;
            return true;
        }
    return false;
}
uint32_t nupic_multi_enc_num_encoders(const nupic_multi_enc *m) {
    return m->num_entries;
}
nupic_enc_type nupic_multi_enc_type(const nupic_multi_enc *m, uint32_t j) {
    return j < m->num_entries ? m->entries[j].type : (nupic_enc_type)0;
}
uint32_t nupic_multi_enc_encoder_field(const nupic_multi_enc *m, uint32_t j) {
    return j < m->num_entries ? m->entries[j].field : 0;
}
uint32_t nupic_multi_enc_offset(const nupic_multi_enc *m, uint32_t j) {
    return j < m->num_entries ? m->entries[j].offset : 0;
}

static const void *entry_of(const nupic_multi_enc *m, uint32_t j,
                            nupic_enc_type type) {
    if (j >= m->num_entries || m->entries[j].type != type) return NULL;
    return m->entries[j].u.any;
}
const nupic_scalar_enc *nupic_multi_enc_scalar(const nupic_multi_enc *m,
                                               uint32_t j) {
    return entry_of(m, j, NUPIC_ENC_SCALAR);
}
const nupic_rdse *nupic_multi_enc_rdse(const nupic_multi_enc *m, uint32_t j) {
    return entry_of(m, j, NUPIC_ENC_RDSE);
}
const nupic_date_enc *nupic_multi_enc_date(const nupic_multi_enc *m,
                                           uint32_t j) {
    return entry_of(m, j, NUPIC_ENC_DATE);
}
const nupic_category_enc *nupic_multi_enc_category(const nupic_multi_enc *m,
                                                   uint32_t j) {
    return entry_of(m, j, NUPIC_ENC_CATEGORY);
}

nupic_status nupic_multi_enc_bucket(nupic_multi_enc *m, uint32_t field,
                                    const nupic_value *value, uint32_t *bucket,
                                    nupic_error *err) {
    if (m == NULL || value == NULL || bucket == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_multi_enc_bucket: NULL argument");
    for (uint32_t j = 0; j < m->num_entries; j++) {
        multi_entry *e = &m->entries[j];
        if (e->field != field) continue;
        const char *name = m->fields[field];
        switch (e->type) {
        case NUPIC_ENC_SCALAR:
        case NUPIC_ENC_RDSE:
            if (value->kind != NUPIC_VALUE_NUMBER)
                return nupic_error_set(err, NUPIC_ERR_ARG,
                                       "field '%s': a number expected", name);
            return e->type == NUPIC_ENC_SCALAR
                       ? nupic_scalar_enc_bucket(e->u.scalar, value->u.number,
                                                 bucket, err)
                       : nupic_rdse_bucket(e->u.rdse, value->u.number, bucket,
                                           err);
        case NUPIC_ENC_CATEGORY:
            if (value->kind != NUPIC_VALUE_CATEGORY)
                return nupic_error_set(err, NUPIC_ERR_ARG,
                                       "field '%s': a category expected", name);
            return nupic_category_enc_bucket(e->u.category, value->u.category,
                                             bucket, err);
        case NUPIC_ENC_DATE:
            return nupic_error_set(err, NUPIC_ERR_UNSUPPORTED,
                                   "field '%s': a date field has no single "
                                   "bucket",
                                   name);
        }
    }
    return nupic_error_set(err, NUPIC_ERR_ARG, "MultiEncoder: no field %u",
                           field);
}

bool nupic_multi_enc_equal(const nupic_multi_enc *a, const nupic_multi_enc *b,
                           char *diff, size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    if (strcmp(a->name, b->name) != 0)
        return enc_diff(diff, diff_size, "MultiEncoder.name: '%s' != '%s'",
                        a->name, b->name);
    if (a->num_entries != b->num_entries || a->width != b->width)
        return enc_diff(diff, diff_size,
                        "MultiEncoder: %u encoders, width %u != %u encoders, "
                        "width %u",
                        a->num_entries, a->width, b->num_entries, b->width);
    char what[ENC_CTX_SIZE];
    for (uint32_t j = 0; j < a->num_entries; j++) {
        const multi_entry *x = &a->entries[j], *y = &b->entries[j];
        snprintf(what, sizeof what, "MultiEncoder.encoders[%u]", j);
        if (x->type != y->type || x->offset != y->offset ||
            strcmp(a->fields[x->field], b->fields[y->field]) != 0)
            return enc_diff(
                diff, diff_size, "%s: %s of '%s' at %u != %s of '%s' at %u",
                what, type_names[x->type], a->fields[x->field], x->offset,
                type_names[y->type], b->fields[y->field], y->offset);
        bool same = true;
        switch (x->type) {
        case NUPIC_ENC_SCALAR:
            same = scalar_equal_ctx(x->u.scalar, y->u.scalar, what, diff,
                                    diff_size);
            break;
        case NUPIC_ENC_RDSE:
            same = rdse_equal_ctx(x->u.rdse, y->u.rdse, what, diff, diff_size);
            break;
        case NUPIC_ENC_DATE:
            same = date_equal_ctx(x->u.date, y->u.date, what, diff, diff_size);
            break;
        case NUPIC_ENC_CATEGORY:
            same = category_equal_ctx(x->u.category, y->u.category, what, diff,
                                      diff_size);
            break;
        }
        if (!same) return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Serialization (NuPIC's MultiEncoder.write and read)
 * ------------------------------------------------------------------------ */

nupic_status nupic_multi_enc_write(const nupic_multi_enc *m,
                                   MultiEncoderProto_B b, nupic_error *err) {
    MultiEncoderProto_EncoderUnion_BList list =
        MultiEncoderProto_init_encoders(b, m->num_entries);
    char who[ENC_CTX_SIZE];
    for (uint32_t j = 0; j < m->num_entries; j++) {
        const multi_entry *en = &m->entries[j];
        MultiEncoderProto_EncoderUnion_B u =
            MultiEncoderProto_EncoderUnion_BList_get(list, j);
        snprintf(who, sizeof who, "MultiEncoder field '%.60s' (%u)",
                 m->fields[en->field], j);
        nupic_status st = NUPIC_OK;
        switch (en->type) {
        case NUPIC_ENC_SCALAR:
            st = scalar_write_ctx(
                en->u.scalar,
                MultiEncoderProto_EncoderUnion_init_scalarEncoder(u), who, err);
            break;
        case NUPIC_ENC_RDSE:
            st = rdse_write_ctx(
                en->u.rdse,
                MultiEncoderProto_EncoderUnion_init_randomDistributedScalarEncoder(
                    u),
                who, err);
            break;
        case NUPIC_ENC_DATE:
            st = date_write_ctx(
                en->u.date, MultiEncoderProto_EncoderUnion_init_dateEncoder(u),
                who, err);
            break;
        case NUPIC_ENC_CATEGORY:
            st = category_write_ctx(
                en->u.category,
                MultiEncoderProto_EncoderUnion_init_categoryEncoder(u), who,
                err);
            break;
        }
        if (st != NUPIC_OK) return st;
        const char *f = m->fields[en->field];
        MultiEncoderProto_EncoderUnion_set_name(u, f, strlen(f));
        MultiEncoderProto_EncoderUnion_set_offset(u, en->offset);
    }
    MultiEncoderProto_set_name(b, m->name, strlen(m->name));
    return enc_builder_status(b.s, err);
}

static const char *const union_names[] = {"adaptiveScalarEncoder",
                                          "categoryEncoder",
                                          "coordinateEncoder",
                                          "dateEncoder",
                                          "deltaEncoder",
                                          "geospatialCoordinateEncoder",
                                          "logEncoder",
                                          "passThroughEncoder",
                                          "randomDistributedScalarEncoder",
                                          "scalarEncoder",
                                          "sdrCategoryEncoder",
                                          "sparsePassThroughEncoder"};

static nupic_status read_entry(nupic_multi_enc *m,
                               MultiEncoderProto_EncoderUnion_R u, uint32_t j,
                               nupic_error *err) {
    char ctx[ENC_CTX_SIZE];
    unsigned which = (unsigned)MultiEncoderProto_EncoderUnion_which(u);
    if (which >= sizeof union_names / sizeof union_names[0])
        return enc_fail(err, NUPIC_ERR_FORMAT,
                        "MultiEncoderProto.encoders[%u]: unknown encoder type "
                        "%u",
                        j, which);
    snprintf(ctx, sizeof ctx, "MultiEncoderProto.encoders[%u].%s", j,
             union_names[which]);
    nupic_enc_type type;
    void *enc = NULL;
    nupic_status st;
    switch (which) {
    case MultiEncoderProto_EncoderUnion_which_scalarEncoder:
        type = NUPIC_ENC_SCALAR;
        st =
            scalar_read_ctx(MultiEncoderProto_EncoderUnion_get_scalarEncoder(u),
                            ctx, (nupic_scalar_enc **)&enc, err);
        break;
    case MultiEncoderProto_EncoderUnion_which_randomDistributedScalarEncoder:
        type = NUPIC_ENC_RDSE;
        st = rdse_read_ctx(
            MultiEncoderProto_EncoderUnion_get_randomDistributedScalarEncoder(
                u),
            ctx, (nupic_rdse **)&enc, err);
        break;
    case MultiEncoderProto_EncoderUnion_which_dateEncoder:
        type = NUPIC_ENC_DATE;
        st = date_read_ctx(MultiEncoderProto_EncoderUnion_get_dateEncoder(u),
                           ctx, (nupic_date_enc **)&enc, err);
        break;
    case MultiEncoderProto_EncoderUnion_which_categoryEncoder:
        type = NUPIC_ENC_CATEGORY;
        st = category_read_ctx(
            MultiEncoderProto_EncoderUnion_get_categoryEncoder(u), ctx,
            (nupic_category_enc **)&enc, err);
        break;
    default:
        return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                        "%s: nupic-c does not implement this encoder", ctx);
    }
    if (st != NUPIC_OK) return st;
    multi_entry tmp = {type, 0, 0, 0, {.any = enc}};
    char *field = NULL;
    snprintf(ctx, sizeof ctx, "MultiEncoderProto.encoders[%u]", j);
    st = enc_read_text(MultiEncoderProto_EncoderUnion_get_name(u), ctx, "name",
                       &field, err);
    uint32_t offset = MultiEncoderProto_EncoderUnion_get_offset(u);
    if (st == NUPIC_OK && offset != m->width)
        st = enc_fail(err, NUPIC_ERR_FORMAT,
                      "%s.offset: %u, expected %u (the widths before it)", ctx,
                      offset, m->width);
    if (st == NUPIC_OK) st = add(m, field, type, enc, NUPIC_ERR_FORMAT, err);
    free(field);
    if (st != NUPIC_OK) entry_free(&tmp);
    return st;
}

nupic_status nupic_multi_enc_read(MultiEncoderProto_R r, nupic_multi_enc **out,
                                  nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_multi_enc_read: NULL");
    *out = NULL;
    char *name = NULL;
    nupic_status st = enc_read_text(MultiEncoderProto_get_name(r),
                                    "MultiEncoderProto", "name", &name, err);
    if (st != NUPIC_OK) return st;
    nupic_multi_enc *m = NULL;
    st = nupic_multi_enc_new(name, &m, err);
    free(name);
    if (st != NUPIC_OK) return st;
    MultiEncoderProto_EncoderUnion_RList list =
        MultiEncoderProto_get_encoders(r);
    uint32_t n = MultiEncoderProto_EncoderUnion_RList_len(list);
    for (uint32_t j = 0; j < n && st == NUPIC_OK; j++)
        st = read_entry(m, MultiEncoderProto_EncoderUnion_RList_get(list, j), j,
                        err);
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    if (st != NUPIC_OK) {
        nupic_multi_enc_free(m);
        return st;
    }
    *out = m;
    return NUPIC_OK;
}

static uint64_t multi_words(const nupic_multi_enc *m) {
    uint64_t w = 16 + strlen(m->name) / 8;
    for (uint32_t j = 0; j < m->num_entries; j++) {
        const multi_entry *en = &m->entries[j];
        w += 4 + strlen(m->fields[en->field]) / 8;
        switch (en->type) {
        case NUPIC_ENC_SCALAR: w += scalar_words(en->u.scalar); break;
        case NUPIC_ENC_RDSE: w += rdse_words(en->u.rdse); break;
        case NUPIC_ENC_DATE: w += date_words(en->u.date); break;
        case NUPIC_ENC_CATEGORY: w += category_words(en->u.category); break;
        }
    }
    return w;
}

ENC_PERSIST(nupic_multi_enc, nupic_multi_enc, MultiEncoderProto, multi_words)
