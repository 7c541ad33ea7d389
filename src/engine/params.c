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

static nupic_status sp_from_doc(const char *where, json_t *doc,
                                nupic_sp_params *out, nupic_error *err) {
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

static nupic_status tm_from_doc(const char *where, json_t *doc,
                                nupic_tm_params *out, nupic_error *err) {
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

static nupic_status parse_error(const char *where, const json_error_t *je,
                                nupic_error *err) {
    return nupic_error_set(err, NUPIC_ERR_FORMAT, "%s:%d:%d: %s", where,
                           je->line, je->column, je->text);
}

nupic_status nupic_sp_params_from_json(const char *json, size_t len,
                                       nupic_sp_params *out, nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_sp_params_from_json: NULL argument");
    json_error_t je;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) return parse_error("parameters", &je, err);
    nupic_status st = sp_from_doc("parameters", doc, out, err);
    json_decref(doc);
    return st;
}

nupic_status nupic_sp_params_load(const char *path, nupic_sp_params *out,
                                  nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_sp_params_load: NULL argument");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_IO, "%s: %s", path,
                               strerror(errno));
    json_error_t je;
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (doc == NULL) return parse_error(path, &je, err);
    nupic_status st = sp_from_doc(path, doc, out, err);
    json_decref(doc);
    return st;
}

nupic_status nupic_tm_params_from_json(const char *json, size_t len,
                                       nupic_tm_params *out,
                                       nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_params_from_json: NULL argument");
    json_error_t je;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) return parse_error("parameters", &je, err);
    nupic_status st = tm_from_doc("parameters", doc, out, err);
    json_decref(doc);
    return st;
}

nupic_status nupic_tm_params_load(const char *path, nupic_tm_params *out,
                                  nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_params_load: NULL argument");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_IO, "%s: %s", path,
                               strerror(errno));
    json_error_t je;
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (doc == NULL) return parse_error(path, &je, err);
    nupic_status st = tm_from_doc(path, doc, out, err);
    json_decref(doc);
    return st;
}

/* ------------------------------------------------------------------------
 * SDRClassifier and AnomalyLikelihood parameters, under NuPIC's names
 * ------------------------------------------------------------------------ */

typedef nupic_status (*ca_doc_reader)(const char *where, json_t *doc, void *out,
                                      nupic_error *err);

/* Parses json[0..len) (or, when json is NULL, the file at path) and hands
 * the document to read. */
static nupic_status ca_with_doc(const char *json, size_t len, const char *path,
                                ca_doc_reader read, void *out,
                                nupic_error *err) {
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
    return ca_with_doc(json, len, NULL, classifier_from_doc, out, err);
}

nupic_status nupic_classifier_params_load(const char *path,
                                          nupic_classifier_params *out,
                                          nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_classifier_params_load: NULL argument");
    return ca_with_doc(NULL, 0, path, classifier_from_doc, out, err);
}

nupic_status nupic_likelihood_params_from_json(const char *json, size_t len,
                                               nupic_likelihood_params *out,
                                               nupic_error *err) {
    if (json == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_params_from_json: NULL "
                               "argument");
    return ca_with_doc(json, len, NULL, likelihood_from_doc, out, err);
}

nupic_status nupic_likelihood_params_load(const char *path,
                                          nupic_likelihood_params *out,
                                          nupic_error *err) {
    if (path == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_params_load: NULL argument");
    return ca_with_doc(NULL, 0, path, likelihood_from_doc, out, err);
}
