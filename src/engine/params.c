/*
 * src/engine/params.c - algorithm parameters from JSON (jansson), under
 * NuPIC's names.  Each algorithm's parameters are a table of keys, kinds
 * and places in its C struct; one walker checks and stores them.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <nupic/params.h>
#include <nupic/btm.h>
#include <nupic/tm.h>

_Static_assert(NUPIC_SP_MAX_DIMS == NUPIC_TM_MAX_DIMS,
               "one dimensions parser serves both");

typedef enum { P_U32, P_I32, P_F32, P_BOOL, P_DIMS } pkind;

typedef struct pdef {
    const char *name;
    pkind kind;
    size_t offset; /* of the value (P_DIMS: of the uint32_t array) */
} pdef;

#define SP_FIELD(name, kind, member)                                           \
    { name, kind, offsetof(nupic_sp_params, member) }

static const pdef sp_defs[] = {
    SP_FIELD("inputDimensions", P_DIMS, input_dimensions),
    SP_FIELD("columnDimensions", P_DIMS, column_dimensions),
    SP_FIELD("potentialRadius", P_U32, potential_radius),
    SP_FIELD("potentialPct", P_F32, potential_pct),
    SP_FIELD("globalInhibition", P_BOOL, global_inhibition),
    SP_FIELD("localAreaDensity", P_F32, local_area_density),
    SP_FIELD("numActiveColumnsPerInhArea", P_I32,
             num_active_columns_per_inh_area),
    SP_FIELD("stimulusThreshold", P_U32, stimulus_threshold),
    SP_FIELD("synPermInactiveDec", P_F32, syn_perm_inactive_dec),
    SP_FIELD("synPermActiveInc", P_F32, syn_perm_active_inc),
    SP_FIELD("synPermConnected", P_F32, syn_perm_connected),
    SP_FIELD("minPctOverlapDutyCycles", P_F32, min_pct_overlap_duty_cycles),
    SP_FIELD("dutyCyclePeriod", P_U32, duty_cycle_period),
    SP_FIELD("boostStrength", P_F32, boost_strength),
    SP_FIELD("seed", P_I32, seed),
    SP_FIELD("spVerbosity", P_U32, sp_verbosity),
    SP_FIELD("wrapAround", P_BOOL, wrap_around),
};

#define TM_FIELD(name, kind, member)                                           \
    { name, kind, offsetof(nupic_tm_params, member) }

static const pdef tm_defs[] = {
    TM_FIELD("columnDimensions", P_DIMS, column_dimensions),
    TM_FIELD("cellsPerColumn", P_U32, cells_per_column),
    TM_FIELD("activationThreshold", P_U32, activation_threshold),
    TM_FIELD("initialPermanence", P_F32, initial_permanence),
    TM_FIELD("connectedPermanence", P_F32, connected_permanence),
    TM_FIELD("minThreshold", P_U32, min_threshold),
    TM_FIELD("maxNewSynapseCount", P_U32, max_new_synapse_count),
    TM_FIELD("permanenceIncrement", P_F32, permanence_increment),
    TM_FIELD("permanenceDecrement", P_F32, permanence_decrement),
    TM_FIELD("predictedSegmentDecrement", P_F32, predicted_segment_decrement),
    TM_FIELD("seed", P_I32, seed),
    TM_FIELD("maxSegmentsPerCell", P_U32, max_segments_per_cell),
    TM_FIELD("maxSynapsesPerSegment", P_U32, max_synapses_per_segment),
    TM_FIELD("checkInputs", P_BOOL, check_inputs),
};

static const char *json_kind(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

#define PERR(...) nupic_error_set(err, NUPIC_ERR_PARAM, __VA_ARGS__)

/* An integer in [lo, hi]. */
static nupic_status get_int(const char *where, const char *key, const json_t *v,
                            long long lo, long long hi, long long *out,
                            nupic_error *err) {
    if (!json_is_integer(v))
        return PERR("%s: %s: expected an integer, got %s", where, key,
                    json_kind(v));
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return PERR("%s: %s: %lld is out of range (%lld to %lld)", where, key,
                    (long long)x, lo, hi);
    *out = x;
    return NUPIC_OK;
}

static nupic_status store(const char *where, const pdef *d, const json_t *v,
                          void *base, uint32_t *ndims, nupic_error *err) {
    unsigned char *at = (unsigned char *)base + d->offset;
    long long x = 0;
    nupic_status st;
    switch (d->kind) {
    case P_U32:
        st = get_int(where, d->name, v, 0, UINT32_MAX, &x, err);
        if (st == NUPIC_OK) *(uint32_t *)(void *)at = (uint32_t)x;
        return st;
    case P_I32:
        st = get_int(where, d->name, v, INT32_MIN, INT32_MAX, &x, err);
        if (st == NUPIC_OK) *(int32_t *)(void *)at = (int32_t)x;
        return st;
    case P_F32: {
        if (!json_is_number(v))
            return PERR("%s: %s: expected a number, got %s", where, d->name,
                        json_kind(v));
        double r = json_number_value(v);
        if (!isfinite(r) || fabs(r) > FLT_MAX)
            return PERR("%s: %s: %g is not a finite single-precision number",
                        where, d->name, r);
        *(float *)(void *)at = (float)r;
        return NUPIC_OK;
    }
    case P_BOOL:
        if (!json_is_boolean(v))
            return PERR("%s: %s: expected true or false, got %s", where,
                        d->name, json_kind(v));
        *(bool *)(void *)at = json_is_true(v);
        return NUPIC_OK;
    case P_DIMS: {
        if (!json_is_array(v))
            return PERR("%s: %s: expected an array of sizes, got %s", where,
                        d->name, json_kind(v));
        size_t n = json_array_size(v);
        if (n < 1 || n > NUPIC_SP_MAX_DIMS)
            return PERR("%s: %s: %zu dimensions (1 to %d supported)", where,
                        d->name, n, NUPIC_SP_MAX_DIMS);
        uint32_t dims[NUPIC_SP_MAX_DIMS];
        for (size_t i = 0; i < n; i++) {
            char key[96];
            snprintf(key, sizeof key, "%s[%zu]", d->name, i);
            st = get_int(where, key, json_array_get(v, i), 1, UINT32_MAX, &x,
                         err);
            if (st != NUPIC_OK) return st;
            dims[i] = (uint32_t)x;
        }
        memcpy(at, dims, n * sizeof dims[0]);
        *ndims = (uint32_t)n;
        return NUPIC_OK;
    }
    }
    return PERR("%s: %s: unknown kind", where, d->name);
}

static nupic_status sp_from_doc(const char *where, json_t *doc, void *out_,
                                nupic_error *err) {
    nupic_sp_params *out = out_;
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    uint32_t in_dims = p.num_dimensions, col_dims = p.num_dimensions;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        const pdef *d = NULL;
        for (size_t i = 0; i < sizeof sp_defs / sizeof sp_defs[0]; i++)
            if (strcmp(sp_defs[i].name, key) == 0) d = &sp_defs[i];
        if (d == NULL)
            return PERR("%s: unknown SpatialPooler parameter '%s'", where, key);
        uint32_t *nd = d->offset == offsetof(nupic_sp_params, input_dimensions)
                           ? &in_dims
                           : &col_dims;
        nupic_status st = store(where, d, v, &p, nd, err);
        if (st != NUPIC_OK) return st;
    }
    if (in_dims != col_dims)
        return PERR("%s: inputDimensions has %u dimensions and "
                    "columnDimensions %u; they must have the same number",
                    where, in_dims, col_dims);
    p.num_dimensions = in_dims;
    *out = p;
    return NUPIC_OK;
}

static nupic_status tm_from_doc(const char *where, json_t *doc, void *out_,
                                nupic_error *err) {
    nupic_tm_params *out = out_;
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_tm_params p;
    nupic_tm_params_default(&p);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        const pdef *d = NULL;
        for (size_t i = 0; i < sizeof tm_defs / sizeof tm_defs[0]; i++)
            if (strcmp(tm_defs[i].name, key) == 0) d = &tm_defs[i];
        if (d == NULL)
            return PERR("%s: unknown TemporalMemory parameter '%s'", where,
                        key);
        nupic_status st = store(where, d, v, &p, &p.num_dimensions, err);
        if (st != NUPIC_OK) return st;
    }
    *out = p;
    return NUPIC_OK;
}

/* BacktrackingTM parameters: NuPIC's keyword names; outputType is a
 * string. */
#define BTM_FIELD(name, kind, member)                                          \
    { name, kind, offsetof(nupic_btm_params, member) }
static const pdef btm_defs[] = {
    BTM_FIELD("numberOfCols", P_U32, number_of_cols),
    BTM_FIELD("cellsPerColumn", P_U32, cells_per_column),
    BTM_FIELD("initialPerm", P_F32, initial_perm),
    BTM_FIELD("connectedPerm", P_F32, connected_perm),
    BTM_FIELD("minThreshold", P_U32, min_threshold),
    BTM_FIELD("newSynapseCount", P_U32, new_synapse_count),
    BTM_FIELD("permanenceInc", P_F32, permanence_inc),
    BTM_FIELD("permanenceDec", P_F32, permanence_dec),
    BTM_FIELD("permanenceMax", P_F32, permanence_max),
    BTM_FIELD("globalDecay", P_F32, global_decay),
    BTM_FIELD("activationThreshold", P_U32, activation_threshold),
    BTM_FIELD("doPooling", P_BOOL, do_pooling),
    BTM_FIELD("segUpdateValidDuration", P_U32, seg_update_valid_duration),
    BTM_FIELD("burnIn", P_U32, burn_in),
    BTM_FIELD("collectStats", P_BOOL, collect_stats),
    BTM_FIELD("seed", P_I32, seed),
    BTM_FIELD("verbosity", P_U32, verbosity),
    BTM_FIELD("checkSynapseConsistency", P_BOOL, check_synapse_consistency),
    BTM_FIELD("pamLength", P_U32, pam_length),
    BTM_FIELD("maxInfBacktrack", P_U32, max_inf_backtrack),
    BTM_FIELD("maxLrnBacktrack", P_U32, max_lrn_backtrack),
    BTM_FIELD("maxAge", P_U32, max_age),
    BTM_FIELD("maxSeqLength", P_U32, max_seq_length),
    BTM_FIELD("maxSegmentsPerCell", P_I32, max_segments_per_cell),
    BTM_FIELD("maxSynapsesPerSegment", P_I32, max_synapses_per_segment),
};

static nupic_status btm_from_doc(const char *where, json_t *doc, void *out_,
                                 nupic_error *err) {
    nupic_btm_params *out = out_;
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_btm_params p;
    nupic_btm_params_default(&p);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "outputType") == 0) {
            if (!json_is_string(v) || !nupic_btm_output_type_parse(
                                          json_string_value(v), &p.output_type))
                return PERR("%s: outputType: expected \"normal\", "
                            "\"activeState\" or \"activeState1CellPerCol\"",
                            where);
            continue;
        }
        const pdef *d = NULL;
        for (size_t i = 0; i < sizeof btm_defs / sizeof btm_defs[0]; i++)
            if (strcmp(btm_defs[i].name, key) == 0) d = &btm_defs[i];
        if (d == NULL)
            return PERR("%s: unknown BacktrackingTM parameter '%s'", where,
                        key);
        uint32_t nd = 0;
        nupic_status st = store(where, d, v, &p, &nd, err);
        if (st != NUPIC_OK) return st;
    }
    *out = p;
    return NUPIC_OK;
}

static nupic_status parse_error(const char *where, const json_error_t *je,
                                nupic_error *err) {
    return nupic_error_set(err, NUPIC_ERR_FORMAT, "%s:%d:%d: %s", where,
                           je->line, je->column, je->text);
}

typedef nupic_status (*doc_reader)(const char *where, json_t *doc, void *out,
                                   nupic_error *err);

/* Parses json[0..len) (or, when json is NULL, the file at path) and hands
 * the document to read. */
static nupic_status with_doc(const char *json, size_t len, const char *path,
                             doc_reader read, void *out, nupic_error *err) {
    json_error_t je;
    json_t *doc;
    const char *where = "parameters";
    if (json != NULL) {
        doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    } else {
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            return nupic_error_set(err, NUPIC_ERR_IO, "%s: %s", path,
                                   strerror(errno));
        doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
        fclose(f);
        where = path;
    }
    if (doc == NULL) return parse_error(where, &je, err);
    if (!json_is_object(doc)) {
        nupic_status st = PERR("%s: expected an object of parameters, got %s",
                               where, json_kind(doc));
        json_decref(doc);
        return st;
    }
    nupic_status st = read(where, doc, out, err);
    json_decref(doc);
    return st;
}

nupic_status nupic_sp_params_from_json(const char *json, size_t len,
                                       nupic_sp_params *out, nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_sp_params_from_json: NULL argument");
    return with_doc(json, len, NULL, sp_from_doc, out, err);
}

nupic_status nupic_sp_params_load(const char *path, nupic_sp_params *out,
                                  nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_sp_params_load: NULL argument");
    return with_doc(NULL, 0, path, sp_from_doc, out, err);
}

nupic_status nupic_tm_params_from_json(const char *json, size_t len,
                                       nupic_tm_params *out, nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_params_from_json: NULL argument");
    return with_doc(json, len, NULL, tm_from_doc, out, err);
}

nupic_status nupic_tm_params_load(const char *path, nupic_tm_params *out,
                                  nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_params_load: NULL argument");
    return with_doc(NULL, 0, path, tm_from_doc, out, err);
}

nupic_status nupic_btm_params_from_json(const char *json, size_t len,
                                        nupic_btm_params *out,
                                        nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_params_from_json: NULL argument");
    return with_doc(json, len, NULL, btm_from_doc, out, err);
}

nupic_status nupic_btm_params_load(const char *path, nupic_btm_params *out,
                                   nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_params_load: NULL argument");
    return with_doc(NULL, 0, path, btm_from_doc, out, err);
}

#include <stdlib.h>

#include <nupic/encoders.h>

/* ------------------------------------------------------------------------
 * Encoders (nupic/encoders.h) from NuPIC's constructor keyword arguments,
 * and a MultiEncoder from NuPIC's encoders dict.
 * ------------------------------------------------------------------------ */

/* Python 2's str() of a JSON number, as NuPIC names encoders ("[0:100]",
 * "[0.5:2.0]"): integers as they are, reals as str(float). */
static void enc_py_number(const json_t *v, char *buf, size_t size) {
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return;
    }
    double x = json_number_value(v);
    char e[64];
    snprintf(e, sizeof e, "%.11e", x);
    const char *ep = strchr(e, 'e');
    if (ep && atoi(ep + 1) == 11) {
        size_t m = (size_t)(ep - e);
        while (m > 0 && e[m - 1] == '0')
            m--;
        if (m > 0 && e[m - 1] == '.') m--;
        snprintf(buf, size, "%.*se+11", (int)m, e);
        return;
    }
    snprintf(buf, size, "%.12g", x);
    if (strpbrk(buf, ".en") == NULL && strlen(buf) + 2 < size)
        strcat(buf, ".0");
}

#define ENC_NEED(v)                                                            \
    if ((v) == NULL) return PERR("%s: %s: missing", where, key)

static nupic_status enc_number(const char *where, const char *key,
                               const json_t *v, double *out, nupic_error *err) {
    ENC_NEED(v);
    if (!json_is_number(v))
        return PERR("%s: %s: expected a number, got %s", where, key,
                    json_kind(v));
    *out = json_number_value(v);
    return NUPIC_OK;
}

static nupic_status enc_bool(const char *where, const char *key,
                             const json_t *v, bool *out, nupic_error *err) {
    ENC_NEED(v);
    if (!json_is_boolean(v))
        return PERR("%s: %s: expected true or false, got %s", where, key,
                    json_kind(v));
    *out = json_is_true(v);
    return NUPIC_OK;
}

static nupic_status enc_u32(const char *where, const char *key, const json_t *v,
                            uint32_t *out, nupic_error *err) {
    ENC_NEED(v);
    long long x = 0;
    nupic_status st = get_int(where, key, v, 0, UINT32_MAX, &x, err);
    if (st == NUPIC_OK) *out = (uint32_t)x;
    return st;
}

static nupic_status enc_u8(const char *where, const char *key, const json_t *v,
                           uint8_t *out, nupic_error *err) {
    ENC_NEED(v);
    long long x = 0;
    nupic_status st = get_int(where, key, v, 0, 255, &x, err);
    if (st == NUPIC_OK) *out = (uint8_t)x;
    return st;
}

static nupic_status enc_string(const char *where, const char *key,
                               const json_t *v, const char **out,
                               nupic_error *err) {
    ENC_NEED(v);
    if (!json_is_string(v))
        return PERR("%s: %s: expected a string, got %s", where, key,
                    json_kind(v));
    *out = json_string_value(v);
    return NUPIC_OK;
}

#define ENC_UNKNOWN_KEY(type)                                                  \
    PERR("%s: unknown " type " parameter '%s'", where, key)

static nupic_status scalar_from_doc(const char *where, json_t *doc,
                                    nupic_scalar_enc **out, nupic_error *err) {
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_scalar_enc_params p;
    nupic_scalar_enc_params_default(&p);
    const json_t *jmin = NULL, *jmax = NULL;
    bool has_w = false;
    const char *key;
    json_t *v;
    nupic_status st = NUPIC_OK;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "w") == 0) {
            st = enc_u32(where, key, v, &p.w, err);
            has_w = true;
        } else if (strcmp(key, "minval") == 0) {
            st = enc_number(where, key, v, &p.minval, err);
            jmin = v;
        } else if (strcmp(key, "maxval") == 0) {
            st = enc_number(where, key, v, &p.maxval, err);
            jmax = v;
        } else if (strcmp(key, "periodic") == 0) {
            st = enc_bool(where, key, v, &p.periodic, err);
        } else if (strcmp(key, "n") == 0) {
            st = enc_u32(where, key, v, &p.n, err);
        } else if (strcmp(key, "radius") == 0) {
            st = enc_number(where, key, v, &p.radius, err);
        } else if (strcmp(key, "resolution") == 0) {
            st = enc_number(where, key, v, &p.resolution, err);
        } else if (strcmp(key, "name") == 0) {
            st = json_is_null(v) ? NUPIC_OK
                                 : enc_string(where, key, v, &p.name, err);
        } else if (strcmp(key, "verbosity") == 0) {
            st = enc_u8(where, key, v, &p.verbosity, err);
        } else if (strcmp(key, "clipInput") == 0) {
            st = enc_bool(where, key, v, &p.clip_input, err);
        } else if (strcmp(key, "forced") == 0) {
            st = enc_bool(where, key, v, &p.forced, err);
        } else {
            st = ENC_UNKNOWN_KEY("ScalarEncoder");
        }
        if (st != NUPIC_OK) return st;
    }
    if (!has_w || jmin == NULL || jmax == NULL)
        return PERR("%s: ScalarEncoder needs w, minval and maxval", where);
    char name[96], a[40], b[40];
    if (p.name == NULL) {
        enc_py_number(jmin, a, sizeof a);
        enc_py_number(jmax, b, sizeof b);
        snprintf(name, sizeof name, "[%s:%s]", a, b);
        p.name = name;
    }
    return nupic_scalar_enc_new(&p, out, err);
}

static nupic_status rdse_from_doc(const char *where, json_t *doc,
                                  nupic_rdse **out, nupic_error *err) {
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_rdse_params p;
    nupic_rdse_params_default(&p);
    bool has_resolution = false;
    const char *key;
    json_t *v;
    nupic_status st = NUPIC_OK;
    json_object_foreach(doc, key, v) {
        long long x = 0;
        if (strcmp(key, "resolution") == 0) {
            st = enc_number(where, key, v, &p.resolution, err);
            has_resolution = true;
        } else if (strcmp(key, "w") == 0) {
            st = enc_u32(where, key, v, &p.w, err);
        } else if (strcmp(key, "n") == 0) {
            st = enc_u32(where, key, v, &p.n, err);
        } else if (strcmp(key, "name") == 0) {
            st = json_is_null(v) ? NUPIC_OK
                                 : enc_string(where, key, v, &p.name, err);
        } else if (strcmp(key, "offset") == 0) {
            p.has_offset = !json_is_null(v);
            if (p.has_offset) st = enc_number(where, key, v, &p.offset, err);
        } else if (strcmp(key, "seed") == 0) {
            st = get_int(where, key, v, -1, INT64_MAX, &x, err);
            p.seed = x;
        } else if (strcmp(key, "verbosity") == 0) {
            st = enc_u8(where, key, v, &p.verbosity, err);
        } else {
            st = ENC_UNKNOWN_KEY("RandomDistributedScalarEncoder");
        }
        if (st != NUPIC_OK) return st;
    }
    if (!has_resolution)
        return PERR("%s: RandomDistributedScalarEncoder needs a resolution",
                    where);
    return nupic_rdse_new(&p, out, err);
}

/* A width, or NuPIC's (width, radius) pair. */
static nupic_status enc_pair(const char *where, const char *key,
                             const json_t *v, uint32_t *w, double *radius,
                             nupic_error *err) {
    if (json_is_array(v)) {
        if (json_array_size(v) != 2)
            return PERR("%s: %s: expected [width, radius], got %zu values",
                        where, key, json_array_size(v));
        nupic_status st = enc_u32(where, key, json_array_get(v, 0), w, err);
        if (st == NUPIC_OK && *w == 0)
            return PERR("%s: %s: the width 0 is even (it must be odd)", where,
                        key);
        if (st == NUPIC_OK)
            st = enc_number(where, key, json_array_get(v, 1), radius, err);
        return st;
    }
    return enc_u32(where, key, v, w, err);
}

#define ENC_MAX_DAYS     64
#define ENC_MAX_HOLIDAYS 1024

static nupic_status date_from_doc(const char *where, json_t *doc,
                                  nupic_date_enc **out, nupic_error *err) {
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_date_enc_params p;
    nupic_date_enc_params_default(&p);
    const char *days[ENC_MAX_DAYS];
    static const nupic_holiday none = {0, 0, 0};
    nupic_holiday *hol = NULL;
    const char *key;
    json_t *v;
    nupic_status st = NUPIC_OK;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "season") == 0) {
            st = enc_pair(where, key, v, &p.season_w, &p.season_radius, err);
        } else if (strcmp(key, "dayOfWeek") == 0) {
            st = enc_pair(where, key, v, &p.day_of_week_w,
                          &p.day_of_week_radius, err);
        } else if (strcmp(key, "weekend") == 0) {
            st = enc_pair(where, key, v, &p.weekend_w, &p.weekend_radius, err);
        } else if (strcmp(key, "holiday") == 0) {
            st = enc_u32(where, key, v, &p.holiday_w, err);
        } else if (strcmp(key, "timeOfDay") == 0) {
            st = enc_pair(where, key, v, &p.time_of_day_w,
                          &p.time_of_day_radius, err);
        } else if (strcmp(key, "customDays") == 0) {
            if (json_is_integer(v) && json_integer_value(v) == 0) continue;
            if (!json_is_array(v) || json_array_size(v) != 2)
                st = PERR("%s: customDays: expected [width, day or days]",
                          where);
            if (st == NUPIC_OK)
                st = enc_u32(where, key, json_array_get(v, 0), &p.custom_days_w,
                             err);
            json_t *d = st == NUPIC_OK ? json_array_get(v, 1) : NULL;
            if (d && json_is_string(d)) {
                days[0] = json_string_value(d);
                p.num_custom_days = 1;
                p.custom_days_single = true;
            } else if (d && json_is_array(d) &&
                       json_array_size(d) <= ENC_MAX_DAYS) {
                p.num_custom_days = (uint32_t)json_array_size(d);
                for (size_t i = 0; i < json_array_size(d) && st == NUPIC_OK;
                     i++)
                    st = enc_string(where, "customDays[1][]",
                                    json_array_get(d, i), &days[i], err);
            } else if (d) {
                st = PERR("%s: customDays[1]: expected a day or a list of at "
                          "most %d days, got %s",
                          where, ENC_MAX_DAYS, json_kind(d));
            }
            p.custom_days = days;
        } else if (strcmp(key, "holidays") == 0) {
            size_t n = json_is_array(v) ? json_array_size(v) : 0;
            if (!json_is_array(v) || n > ENC_MAX_HOLIDAYS) {
                st = PERR("%s: holidays: expected a list of at most %d "
                          "[month, day] or [year, month, day]",
                          where, ENC_MAX_HOLIDAYS);
            } else if (n) {
                free(hol);
                hol = calloc(n, sizeof *hol);
                if (hol == NULL)
                    st = nupic_error_set(err, NUPIC_ERR_NOMEM,
                                         "%s: out of memory", where);
                for (size_t i = 0; i < n && st == NUPIC_OK; i++) {
                    json_t *h = json_array_get(v, i);
                    size_t k = json_is_array(h) ? json_array_size(h) : 0;
                    if (k != 2 && k != 3) {
                        st = PERR("%s: holidays[%zu]: expected [month, day] "
                                  "or [year, month, day]",
                                  where, i);
                        break;
                    }
                    long long f[3] = {0, 0, 0};
                    for (size_t j = 0; j < k && st == NUPIC_OK; j++) {
                        const json_t *x = json_array_get(h, j);
                        st = x ? get_int(where, "holidays[][]", x, 0, 9999,
                                         &f[3 - k + j], err)
                               : PERR("%s: holidays[%zu]: missing", where, i);
                    }
                    hol[i].year = (int32_t)f[0];
                    hol[i].month = (int32_t)f[1];
                    hol[i].day = (int32_t)f[2];
                }
            }
            p.holidays = hol ? hol : &none;
            p.num_holidays = hol ? (uint32_t)n : 0;
        } else if (strcmp(key, "name") == 0) {
            st = enc_string(where, key, v, &p.name, err);
        } else if (strcmp(key, "forced") == 0) {
            st = enc_bool(where, key, v, &p.forced, err);
        } else {
            st = ENC_UNKNOWN_KEY("DateEncoder");
        }
        if (st != NUPIC_OK) break;
    }
    if (st == NUPIC_OK) st = nupic_date_enc_new(&p, out, err);
    free(hol);
    return st;
}

static nupic_status category_from_doc(const char *where, json_t *doc,
                                      nupic_category_enc **out,
                                      nupic_error *err) {
    if (!json_is_object(doc))
        return PERR("%s: expected an object of parameters, got %s", where,
                    json_kind(doc));
    nupic_category_enc_params p;
    nupic_category_enc_params_default(&p);
    const json_t *list = NULL;
    bool has_w = false;
    const char *key;
    json_t *v;
    nupic_status st = NUPIC_OK;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "w") == 0) {
            st = enc_u32(where, key, v, &p.w, err);
            has_w = true;
        } else if (strcmp(key, "categoryList") == 0) {
            if (!json_is_array(v))
                st = PERR("%s: categoryList: expected a list of strings, got "
                          "%s",
                          where, json_kind(v));
            list = v;
        } else if (strcmp(key, "name") == 0) {
            st = enc_string(where, key, v, &p.name, err);
        } else if (strcmp(key, "verbosity") == 0) {
            st = enc_u8(where, key, v, &p.verbosity, err);
        } else if (strcmp(key, "forced") == 0) {
            st = enc_bool(where, key, v, &p.forced, err);
        } else if (strcmp(key, "allowUnknown") == 0) { /* nupic-c's */
            st = enc_bool(where, key, v, &p.allow_unknown, err);
        } else {
            st = ENC_UNKNOWN_KEY("CategoryEncoder");
        }
        if (st != NUPIC_OK) return st;
    }
    if (!has_w || list == NULL)
        return PERR("%s: CategoryEncoder needs w and categoryList", where);
    size_t n = json_array_size(list);
    if (n > UINT32_MAX) return PERR("%s: categoryList is too long", where);
    const char **cats = calloc(n ? n : 1, sizeof *cats);
    if (cats == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM, "%s: out of memory",
                               where);
    for (size_t i = 0; i < n && st == NUPIC_OK; i++)
        st = enc_string(where, "categoryList[]", json_array_get(list, i),
                        &cats[i], err);
    p.categories = cats;
    p.num_categories = (uint32_t)n;
    if (st == NUPIC_OK) st = nupic_category_enc_new(&p, out, err);
    free(cats);
    return st;
}

static int enc_cmp_keys(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static nupic_status multi_from_doc(const char *where, json_t *doc,
                                   nupic_multi_enc **out, nupic_error *err) {
    if (!json_is_object(doc))
        return PERR("%s: expected an object of encoders, got %s", where,
                    json_kind(doc));
    size_t n = json_object_size(doc), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    if (keys == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM, "%s: out of memory",
                               where);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) keys[k++] = key;
    qsort(keys, n, sizeof *keys, enc_cmp_keys); /* NuPIC: sorted(items) */
    nupic_multi_enc *m = NULL;
    nupic_status st = nupic_multi_enc_new(NULL, &m, err);
    for (size_t i = 0; i < n && st == NUPIC_OK; i++) {
        json_t *def = json_object_get(doc, keys[i]);
        if (strchr(keys[i], ':') != NULL || json_is_null(def)) continue;
        char at[160];
        snprintf(at, sizeof at, "%s: encoders.%.80s", where, keys[i]);
        if (def == NULL || !json_is_object(def)) {
            st = PERR("%s: expected an object, got %s", at,
                      def ? json_kind(def) : "nothing");
            break;
        }
        json_t *params = json_deep_copy(def);
        if (params == NULL) {
            st = nupic_error_set(err, NUPIC_ERR_NOMEM, "%s: out of memory", at);
            break;
        }
        json_t *jf = json_object_get(params, "fieldname");
        json_t *jt = json_object_get(params, "type");
        json_t *jc = json_object_get(params, "classifierOnly");
        const char *field = NULL, *type = NULL;
        bool classifier_only = false;
        st = jf ? enc_string(at, "fieldname", jf, &field, err)
                : PERR("%s: no fieldname", at);
        if (st == NUPIC_OK)
            st = jt ? enc_string(at, "type", jt, &type, err)
                    : PERR("%s: no type", at);
        if (st == NUPIC_OK && jc)
            st = enc_bool(at, "classifierOnly", jc, &classifier_only, err);
        if (st == NUPIC_OK && !classifier_only) {
            json_incref(jf);
            json_incref(jt);
            json_object_del(params, "fieldname");
            json_object_del(params, "type");
            json_object_del(params, "classifierOnly");
            if (strcmp(type, "ScalarEncoder") == 0) {
                nupic_scalar_enc *e = NULL;
                st = scalar_from_doc(at, params, &e, err);
                if (st == NUPIC_OK)
                    st = nupic_multi_enc_add_scalar(m, field, e, err);
                if (st != NUPIC_OK) nupic_scalar_enc_free(e);
            } else if (strcmp(type, "RandomDistributedScalarEncoder") == 0) {
                nupic_rdse *e = NULL;
                st = rdse_from_doc(at, params, &e, err);
                if (st == NUPIC_OK)
                    st = nupic_multi_enc_add_rdse(m, field, e, err);
                if (st != NUPIC_OK) nupic_rdse_free(e);
            } else if (strcmp(type, "DateEncoder") == 0) {
                nupic_date_enc *e = NULL;
                st = date_from_doc(at, params, &e, err);
                if (st == NUPIC_OK)
                    st = nupic_multi_enc_add_date(m, field, e, err);
                if (st != NUPIC_OK) nupic_date_enc_free(e);
            } else if (strcmp(type, "CategoryEncoder") == 0) {
                nupic_category_enc *e = NULL;
                st = category_from_doc(at, params, &e, err);
                if (st == NUPIC_OK)
                    st = nupic_multi_enc_add_category(m, field, e, err);
                if (st != NUPIC_OK) nupic_category_enc_free(e);
            } else {
                st = nupic_error_set(err, NUPIC_ERR_UNSUPPORTED,
                                     "%s: type '%.60s' is not an encoder "
                                     "nupic-c implements",
                                     at, type);
            }
            json_decref(jf);
            json_decref(jt);
        }
        json_decref(params);
    }
    free(keys);
    if (st != NUPIC_OK) {
        nupic_multi_enc_free(m);
        return st;
    }
    *out = m;
    return NUPIC_OK;
}

/* Parses json[0..len) and builds one encoder with from_doc. */
static nupic_status enc_from_json(const char *json, size_t len,
                                  nupic_status (*from_doc)(const char *,
                                                           json_t *, void **,
                                                           nupic_error *),
                                  void **out, nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "encoder JSON: NULL");
    *out = NULL;
    json_error_t je;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) return parse_error("parameters", &je, err);
    nupic_status st = from_doc("parameters", doc, out, err);
    json_decref(doc);
    return st;
}

#define ENC_JSON_FN(fn, T, from_doc)                                           \
    static nupic_status fn##_doc(const char *where, json_t *doc, void **out,   \
                                 nupic_error *err) {                           \
        T *e = NULL;                                                           \
        nupic_status st = from_doc(where, doc, &e, err);                       \
        *out = e;                                                              \
        return st;                                                             \
    }                                                                          \
    nupic_status fn(const char *json, size_t len, T **out, nupic_error *err) { \
        return enc_from_json(json, len, fn##_doc, (void **)out, err);          \
    }

ENC_JSON_FN(nupic_scalar_enc_new_from_json, nupic_scalar_enc, scalar_from_doc)
ENC_JSON_FN(nupic_rdse_new_from_json, nupic_rdse, rdse_from_doc)
ENC_JSON_FN(nupic_date_enc_new_from_json, nupic_date_enc, date_from_doc)
ENC_JSON_FN(nupic_category_enc_new_from_json, nupic_category_enc,
            category_from_doc)
ENC_JSON_FN(nupic_multi_enc_new_from_json, nupic_multi_enc, multi_from_doc)

nupic_status nupic_multi_enc_load_json(const char *path, nupic_multi_enc **out,
                                       nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_multi_enc_load_json: NULL argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_IO, "%s: %s", path,
                               strerror(errno));
    json_error_t je;
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (doc == NULL) return parse_error(path, &je, err);
    nupic_status st = multi_from_doc(path, doc, out, err);
    json_decref(doc);
    return st;
}

/* ------------------------------------------------------------------------
 * SDRClassifier and AnomalyLikelihood parameters, under NuPIC's names
 * ------------------------------------------------------------------------ */

static nupic_status ca_get_u32(const char *where, const char *key,
                               const json_t *v, uint32_t *out,
                               nupic_error *err) {
    long long x = 0;
    nupic_status st = get_int(where, key, v, 0, UINT32_MAX, &x, err);
    if (st == NUPIC_OK) *out = (uint32_t)x;
    return st;
}

static nupic_status ca_get_double(const char *where, const char *key,
                                  const json_t *v, double *out,
                                  nupic_error *err) {
    if (!json_is_number(v))
        return PERR("%s: %s: expected a number, got %s", where, key,
                    json_kind(v));
    double r = json_number_value(v);
    if (!isfinite(r))
        return PERR("%s: %s: %g is not a finite number", where, key, r);
    *out = r;
    return NUPIC_OK;
}

/* "steps": an array of steps, or one step. */
static nupic_status ca_get_steps(const char *where, const json_t *v,
                                 nupic_classifier_params *p, nupic_error *err) {
    if (json_is_integer(v)) {
        p->num_steps = 1;
        return ca_get_u32(where, "steps", v, &p->steps[0], err);
    }
    if (!json_is_array(v))
        return PERR("%s: steps: expected an array of steps, got %s", where,
                    json_kind(v));
    size_t n = json_array_size(v);
    if (n < 1 || n > NUPIC_CLASSIFIER_MAX_STEPS)
        return PERR("%s: steps: %zu steps (1 to %d supported)", where, n,
                    NUPIC_CLASSIFIER_MAX_STEPS);
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "steps[%zu]", i);
        long long x = 0;
        nupic_status st = get_int(where, key, json_array_get(v, i), 0,
                                  NUPIC_CLASSIFIER_MAX_STEP, &x, err);
        if (st != NUPIC_OK) return st;
        p->steps[i] = (uint32_t)x;
    }
    p->num_steps = (uint32_t)n;
    return NUPIC_OK;
}

static nupic_status classifier_from_doc(const char *where, json_t *doc,
                                        void *out, nupic_error *err) {
    nupic_classifier_params p;
    nupic_classifier_params_default(&p);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        nupic_status st;
        if (strcmp(key, "steps") == 0)
            st = ca_get_steps(where, v, &p, err);
        else if (strcmp(key, "alpha") == 0)
            st = ca_get_double(where, key, v, &p.alpha, err);
        else if (strcmp(key, "actValueAlpha") == 0)
            st = ca_get_double(where, key, v, &p.act_value_alpha, err);
        else if (strcmp(key, "verbosity") == 0)
            st = ca_get_u32(where, key, v, &p.verbosity, err);
        else
            st = PERR("%s: unknown SDRClassifier parameter '%s'", where, key);
        if (st != NUPIC_OK) return st;
    }
    *(nupic_classifier_params *)out = p;
    return NUPIC_OK;
}

static nupic_status likelihood_from_doc(const char *where, json_t *doc,
                                        void *out, nupic_error *err) {
    nupic_likelihood_params p;
    nupic_likelihood_params_default(&p);
    const char *key;
    json_t *v;
    uint32_t cla = 0;
    bool has_cla = false;
    json_object_foreach(doc, key, v) {
        nupic_status st;
        if (strcmp(key, "learningPeriod") == 0)
            st = ca_get_u32(where, key, v, &p.learning_period, err);
        else if (strcmp(key, "claLearningPeriod") == 0) { /* deprecated */
            has_cla = !json_is_null(v);
            st = has_cla ? ca_get_u32(where, key, v, &cla, err) : NUPIC_OK;
        } else if (strcmp(key, "estimationSamples") == 0)
            st = ca_get_u32(where, key, v, &p.estimation_samples, err);
        else if (strcmp(key, "historicWindowSize") == 0)
            st = ca_get_u32(where, key, v, &p.historic_window_size, err);
        else if (strcmp(key, "reestimationPeriod") == 0)
            st = ca_get_u32(where, key, v, &p.reestimation_period, err);
        else
            st = PERR("%s: unknown AnomalyLikelihood parameter '%s'", where,
                      key);
        if (st != NUPIC_OK) return st;
    }
    /* NuPIC: claLearningPeriod, when given, overrides learningPeriod. */
    if (has_cla) p.learning_period = cla;
    *(nupic_likelihood_params *)out = p;
    return NUPIC_OK;
}

nupic_status nupic_classifier_params_from_json(const char *json, size_t len,
                                               nupic_classifier_params *out,
                                               nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_classifier_params_from_json: NULL "
                               "argument");
    return with_doc(json, len, NULL, classifier_from_doc, out, err);
}

nupic_status nupic_classifier_params_load(const char *path,
                                          nupic_classifier_params *out,
                                          nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_classifier_params_load: NULL argument");
    return with_doc(NULL, 0, path, classifier_from_doc, out, err);
}

nupic_status nupic_likelihood_params_from_json(const char *json, size_t len,
                                               nupic_likelihood_params *out,
                                               nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_params_from_json: NULL "
                               "argument");
    return with_doc(json, len, NULL, likelihood_from_doc, out, err);
}

nupic_status nupic_likelihood_params_load(const char *path,
                                          nupic_likelihood_params *out,
                                          nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_params_load: NULL argument");
    return with_doc(NULL, 0, path, likelihood_from_doc, out, err);
}
