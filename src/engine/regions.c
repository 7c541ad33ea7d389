/*
 * src/engine/regions.c - the built-in region types: NuPIC's RecordSensor,
 * SPRegion, TMRegion, SDRClassifierRegion and AnomalyLikelihoodRegion, each
 * with its parameters under NuPIC's names (a JSON object) and its state in
 * NuPIC's region schema (schema/nupic/regions/).
 *
 * Parameters are parsed by table (region_param): a key the table does not
 * know is an error naming it; keys NuPIC accepts but nupic-c does not use
 * (verbosity, logging paths, ...) are accepted and ignored.  The model
 * (model.c) checks its params document with the same tables, under the
 * document's own path, before it builds the network.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <nupic/btm.h>
#include <nupic/params.h>
#include <nupic/regions.h>

#include "regions.h"

#include "nupic/regions/SDRClassifierRegion.capnp.h"
#include "nupic/regions/SPRegion.capnp.h"
#include "nupic/regions/record_sensor.capnp.h"
#include "nupic/regions/tm_region.capnp.h"

#define ERR(st, ...) nupic_error_set(err, st, __VA_ARGS__)

/* ------------------------------------------------------------------------
 * Parameter tables
 * ------------------------------------------------------------------------ */

const char *region_json_kind(const json_t *v) {
    if (v == NULL) return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* An integer, written as one or as a number with an integral value (NuPIC's
 * files hold 40.0 where 40 is meant). */
static bool json_integral(const json_t *v, double *out) {
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (isfinite(d) && d == floor(d)) {
            *out = d;
            return true;
        }
    }
    return false;
}

nupic_status region_param_set(const region_param *p, const json_t *v,
                              void *base, const char *where, nupic_error *err) {
    unsigned char *at = (unsigned char *)base + p->offset;
    double d;
    switch (p->kind) {
    case RP_IGNORE: return NUPIC_OK;
    case RP_U32:
    case RP_I32:
        if (!json_integral(v, &d))
            return ERR(NUPIC_ERR_PARAM, "%s.%s: expected an integer, got %s",
                       where, p->name, region_json_kind(v));
        if (d < p->lo || d > p->hi)
            return ERR(NUPIC_ERR_PARAM,
                       "%s.%s: %.17g is outside [%.17g, %.17g]", where, p->name,
                       d, p->lo, p->hi);
        if (p->kind == RP_U32)
            *(uint32_t *)(void *)at = (uint32_t)d;
        else
            *(int32_t *)(void *)at = (int32_t)d;
        return NUPIC_OK;
    case RP_F32:
    case RP_F64:
        if (!json_is_number(v))
            return ERR(NUPIC_ERR_PARAM, "%s.%s: expected a number, got %s",
                       where, p->name, region_json_kind(v));
        d = json_number_value(v);
        if (!isfinite(d) || d < p->lo || d > p->hi)
            return ERR(NUPIC_ERR_PARAM,
                       "%s.%s: %.17g is outside [%.17g, %.17g]", where, p->name,
                       d, p->lo, p->hi);
        if (p->kind == RP_F32)
            *(float *)(void *)at = (float)d;
        else
            *(double *)(void *)at = d;
        return NUPIC_OK;
    case RP_BOOL:
        /* NuPIC's files write booleans as true/false or 0/1. */
        if (json_is_boolean(v)) {
            *(bool *)(void *)at = json_is_true(v);
            return NUPIC_OK;
        }
        if (json_integral(v, &d) && (d == 0 || d == 1)) {
            *(bool *)(void *)at = d == 1;
            return NUPIC_OK;
        }
        return ERR(NUPIC_ERR_PARAM, "%s.%s: expected true or false, got %s",
                   where, p->name, region_json_kind(v));
    case RP_STR: {
        if (!json_is_string(v))
            return ERR(NUPIC_ERR_PARAM, "%s.%s: expected a string, got %s",
                       where, p->name, region_json_kind(v));
        const char *s = json_string_value(v);
        if (strlen(s) >= REGION_STR_SIZE)
            return ERR(NUPIC_ERR_PARAM, "%s.%s: '%s' is too long", where,
                       p->name, s);
        snprintf((char *)at, REGION_STR_SIZE, "%s", s);
        return NUPIC_OK;
    }
    }
    return ERR(NUPIC_ERR_PARAM, "%s.%s: unknown kind", where, p->name);
}

nupic_status region_params_parse(const json_t *obj, const region_param *table,
                                 size_t n, void *base, const char *where,
                                 nupic_error *err) {
    if (obj == NULL) return NUPIC_OK;
    if (!json_is_object(obj))
        return ERR(NUPIC_ERR_PARAM, "%s: expected an object, got %s", where,
                   region_json_kind(obj));
    const char *key;
    json_t *v;
    json_t *o = (json_t *)(uintptr_t)obj;
    json_object_foreach(o, key, v) {
        const region_param *p = NULL;
        for (size_t i = 0; i < n && p == NULL; i++)
            if (strcmp(table[i].name, key) == 0) p = &table[i];
        if (p == NULL)
            return ERR(NUPIC_ERR_PARAM, "%s.%s: unknown parameter", where, key);
        /* null keeps the default (NuPIC's None). */
        if (json_is_null(v) && p->kind != RP_IGNORE) continue;
        nupic_status st = region_param_set(p, v, base, where, err);
        if (st != NUPIC_OK) return st;
    }
    return NUPIC_OK;
}

/* Parses params_json (NULL or empty: an empty object). */
static nupic_status parse_json_text(const char *params_json, json_t **out,
                                    const char *where, nupic_error *err) {
    *out = NULL;
    if (params_json == NULL || params_json[0] == '\0') return NUPIC_OK;
    json_error_t je;
    *out = json_loads(params_json, JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL)
        return ERR(NUPIC_ERR_FORMAT, "%s: line %d, column %d: %s", where,
                   je.line, je.column, je.text);
    return NUPIC_OK;
}

#define SPP(name, kind, member, lo, hi)                                        \
    { name, kind, offsetof(sp_region_config, member), lo, hi }

static const region_param sp_table[] = {
    SPP("spatialImp", RP_STR, spatial_imp, 0, 0),
    SPP("inputWidth", RP_U32, input_width, 0, UINT32_MAX),
    SPP("columnCount", RP_U32, column_count, 1, UINT32_MAX),
    SPP("potentialRadius", RP_U32, sp.potential_radius, 0, UINT32_MAX),
    SPP("potentialPct", RP_F32, sp.potential_pct, -FLT_MAX, FLT_MAX),
    SPP("globalInhibition", RP_BOOL, sp.global_inhibition, 0, 0),
    SPP("localAreaDensity", RP_F32, sp.local_area_density, -FLT_MAX, FLT_MAX),
    SPP("numActiveColumnsPerInhArea", RP_I32,
        sp.num_active_columns_per_inh_area, INT32_MIN, INT32_MAX),
    SPP("stimulusThreshold", RP_U32, sp.stimulus_threshold, 0, UINT32_MAX),
    SPP("synPermInactiveDec", RP_F32, sp.syn_perm_inactive_dec, -FLT_MAX,
        FLT_MAX),
    SPP("synPermActiveInc", RP_F32, sp.syn_perm_active_inc, -FLT_MAX, FLT_MAX),
    SPP("synPermConnected", RP_F32, sp.syn_perm_connected, -FLT_MAX, FLT_MAX),
    SPP("minPctOverlapDutyCycle", RP_F32, sp.min_pct_overlap_duty_cycles,
        -FLT_MAX, FLT_MAX),
    SPP("dutyCyclePeriod", RP_U32, sp.duty_cycle_period, 0, UINT32_MAX),
    SPP("boostStrength", RP_F32, sp.boost_strength, -FLT_MAX, FLT_MAX),
    SPP("seed", RP_I32, sp.seed, INT32_MIN, INT32_MAX),
    SPP("spVerbosity", RP_U32, sp.sp_verbosity, 0, 255),
    SPP("wrapAround", RP_BOOL, sp.wrap_around, 0, 0),
    {"logPathInput", RP_IGNORE, 0, 0, 0},
    {"logPathOutput", RP_IGNORE, 0, 0, 0},
    {"logPathOutputDense", RP_IGNORE, 0, 0, 0},
};

void sp_region_config_default(sp_region_config *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->spatial_imp, sizeof c->spatial_imp, "cpp");
    c->column_count = 2048;
    /* The SPRegion's defaults are those of the SpatialPooler's Python
     * constructor, which differ from nupic.core's in two places. */
    nupic_sp_params_default(&c->sp);
    c->sp.global_inhibition = false;
    c->sp.seed = -1;
}

nupic_status sp_region_config_parse(const json_t *obj, sp_region_config *c,
                                    const char *where, nupic_error *err) {
    nupic_status st = region_params_parse(
        obj, sp_table, sizeof sp_table / sizeof sp_table[0], c, where, err);
    if (st != NUPIC_OK) return st;
    if (strcmp(c->spatial_imp, "cpp") != 0 && strcmp(c->spatial_imp, "py") != 0)
        return ERR(NUPIC_ERR_PARAM,
                   "%s.spatialImp: '%s' is not a spatial pooler (\"cpp\" or "
                   "\"py\")",
                   where, c->spatial_imp);
    return NUPIC_OK;
}

#define TMP(name, kind, member, lo, hi)                                        \
    { name, kind, offsetof(tm_region_config, member), lo, hi }

static const region_param tm_table[] = {
    TMP("temporalImp", RP_STR, temporal_imp, 0, 0),
    TMP("columnCount", RP_U32, column_count, 1, UINT32_MAX),
    TMP("inputWidth", RP_U32, input_width, 0, UINT32_MAX),
    TMP("cellsPerColumn", RP_U32, cells_per_column, 1, UINT32_MAX),
    TMP("activationThreshold", RP_U32, activation_threshold, 0, UINT32_MAX),
    TMP("initialPerm", RP_F32, initial_perm, -FLT_MAX, FLT_MAX),
    TMP("connectedPerm", RP_F32, connected_perm, -FLT_MAX, FLT_MAX),
    TMP("minThreshold", RP_U32, min_threshold, 0, UINT32_MAX),
    TMP("newSynapseCount", RP_U32, new_synapse_count, 0, UINT32_MAX),
    TMP("permanenceInc", RP_F32, permanence_inc, -FLT_MAX, FLT_MAX),
    TMP("permanenceDec", RP_F32, permanence_dec, -FLT_MAX, FLT_MAX),
    TMP("permanenceMax", RP_F32, permanence_max, -FLT_MAX, FLT_MAX),
    TMP("predictedSegmentDecrement", RP_F32, predicted_segment_decrement,
        -FLT_MAX, FLT_MAX),
    TMP("globalDecay", RP_F32, global_decay, -FLT_MAX, FLT_MAX),
    TMP("maxAge", RP_U32, max_age, 0, UINT32_MAX),
    TMP("maxSegmentsPerCell", RP_I32, max_segments_per_cell, -1, INT32_MAX),
    TMP("maxSynapsesPerSegment", RP_I32, max_synapses_per_segment, -1,
        INT32_MAX),
    TMP("pamLength", RP_U32, pam_length, 1, UINT32_MAX),
    TMP("doPooling", RP_BOOL, do_pooling, 0, 0),
    TMP("segUpdateValidDuration", RP_U32, seg_update_valid_duration, 1,
        UINT32_MAX),
    TMP("burnIn", RP_U32, burn_in, 0, UINT32_MAX),
    TMP("collectStats", RP_BOOL, collect_stats, 0, 0),
    TMP("maxInfBacktrack", RP_U32, max_inf_backtrack, 0, UINT32_MAX),
    TMP("maxLrnBacktrack", RP_U32, max_lrn_backtrack, 0, UINT32_MAX),
    TMP("maxSeqLength", RP_U32, max_seq_length, 0, UINT32_MAX),
    TMP("outputType", RP_STR, output_type, 0, 0),
    TMP("seed", RP_I32, seed, INT32_MIN, INT32_MAX),
    TMP("anomalyMode", RP_BOOL, anomaly_mode, 0, 0),
    TMP("orColumnOutputs", RP_BOOL, or_column_outputs, 0, 0),
    {"verbosity", RP_IGNORE, 0, 0, 0},
    {"checkSynapseConsistency", RP_IGNORE, 0, 0, 0},
    {"topDownMode", RP_IGNORE, 0, 0, 0},
    {"computePredictedActiveCellIndices", RP_IGNORE, 0, 0, 0},
    {"logPathOutput", RP_IGNORE, 0, 0, 0},
};

void tm_region_config_default(tm_region_config *c) {
    /* TMRegion's defaults: BacktrackingTM's constructor's, with the shim's
     * 255 for the TemporalMemory's segment and synapse limits. */
    memset(c, 0, sizeof *c);
    snprintf(c->temporal_imp, sizeof c->temporal_imp, "py");
    c->column_count = 500;
    c->cells_per_column = 10;
    c->initial_perm = 0.11f;
    c->connected_perm = 0.50f;
    c->min_threshold = 8;
    c->new_synapse_count = 15;
    c->permanence_inc = 0.10f;
    c->permanence_dec = 0.10f;
    c->permanence_max = 1.0f;
    c->global_decay = 0.10f;
    c->activation_threshold = 12;
    c->do_pooling = false;
    c->seg_update_valid_duration = 5;
    c->burn_in = 2;
    c->seed = 42;
    c->pam_length = 1;
    c->max_inf_backtrack = 10;
    c->max_lrn_backtrack = 5;
    c->max_age = 100000;
    c->max_seq_length = 32;
    c->max_segments_per_cell = -1;
    c->max_synapses_per_segment = -1;
    snprintf(c->output_type, sizeof c->output_type, "normal");
}

nupic_status tm_region_config_parse(const json_t *obj, tm_region_config *c,
                                    const char *where, nupic_error *err) {
    nupic_status st = region_params_parse(
        obj, tm_table, sizeof tm_table / sizeof tm_table[0], c, where, err);
    if (st != NUPIC_OK) return st;
    bool cpp = strcmp(c->temporal_imp, "cpp") == 0;
    if (!cpp && strcmp(c->temporal_imp, "tm_cpp") != 0)
        return ERR(NUPIC_ERR_UNSUPPORTED,
                   "%s.temporalImp: '%s' is not supported (\"cpp\": the "
                   "backtracking TM, or \"tm_cpp\": the TemporalMemory)",
                   where, c->temporal_imp);
    if (c->or_column_outputs)
        return ERR(NUPIC_ERR_UNSUPPORTED, "%s.orColumnOutputs: not supported",
                   where);
    nupic_btm_output_type ot;
    if (cpp && !nupic_btm_output_type_parse(c->output_type, &ot))
        return ERR(NUPIC_ERR_PARAM,
                   "%s.outputType: '%s' (\"normal\", \"activeState\" or "
                   "\"activeState1CellPerCol\")",
                   where, c->output_type);
    if (!cpp && strcmp(c->output_type, "normal") != 0)
        return ERR(NUPIC_ERR_UNSUPPORTED,
                   "%s.outputType: '%s' is not supported with tm_cpp "
                   "(\"normal\")",
                   where, c->output_type);
    return NUPIC_OK;
}

/* TMCPPShim's translation into the TemporalMemory's parameters. */
static nupic_status tm_params_of(const tm_region_config *c, nupic_tm_params *p,
                                 nupic_error *err) {
    nupic_tm_params_default(p);
    p->column_dimensions[0] = c->column_count;
    p->num_dimensions = 1;
    p->cells_per_column = c->cells_per_column;
    p->activation_threshold = c->activation_threshold;
    p->initial_permanence = c->initial_perm;
    p->connected_permanence = c->connected_perm;
    p->min_threshold = c->min_threshold;
    p->max_new_synapse_count = c->new_synapse_count;
    p->permanence_increment = c->permanence_inc;
    p->permanence_decrement = c->permanence_dec;
    p->predicted_segment_decrement = c->predicted_segment_decrement;
    p->max_segments_per_cell = c->max_segments_per_cell < 0
                                   ? 255u
                                   : (uint32_t)c->max_segments_per_cell;
    p->max_synapses_per_segment = c->max_synapses_per_segment < 0
                                      ? 255u
                                      : (uint32_t)c->max_synapses_per_segment;
    p->seed = c->seed;
    (void)err;
    return NUPIC_OK;
}

/* BacktrackingTMCPP's parameters: TMRegion passes its own through. */
static void btm_params_of(const tm_region_config *c, nupic_btm_params *p) {
    nupic_btm_params_default(p);
    p->number_of_cols = c->column_count;
    p->cells_per_column = c->cells_per_column;
    p->initial_perm = c->initial_perm;
    p->connected_perm = c->connected_perm;
    p->min_threshold = c->min_threshold;
    p->new_synapse_count = c->new_synapse_count;
    p->permanence_inc = c->permanence_inc;
    p->permanence_dec = c->permanence_dec;
    p->permanence_max = c->permanence_max;
    p->global_decay = c->global_decay;
    p->activation_threshold = c->activation_threshold;
    p->do_pooling = c->do_pooling;
    p->seg_update_valid_duration = c->seg_update_valid_duration;
    p->burn_in = c->burn_in;
    p->collect_stats = c->collect_stats;
    p->seed = c->seed;
    p->pam_length = c->pam_length;
    p->max_inf_backtrack = c->max_inf_backtrack;
    p->max_lrn_backtrack = c->max_lrn_backtrack;
    p->max_age = c->max_age;
    p->max_seq_length = c->max_seq_length;
    p->max_segments_per_cell = c->max_segments_per_cell;
    p->max_synapses_per_segment = c->max_synapses_per_segment;
    nupic_btm_output_type_parse(c->output_type, &p->output_type);
}

#define CLP(name, kind, member, lo, hi)                                        \
    { name, kind, offsetof(classifier_region_config, member), lo, hi }

static const region_param cl_table[] = {
    CLP("steps", RP_STR, steps, 0, 0),
    CLP("alpha", RP_F64, alpha, -DBL_MAX, DBL_MAX),
    CLP("actValueAlpha", RP_F64, act_value_alpha, -DBL_MAX, DBL_MAX),
    CLP("implementation", RP_STR, implementation, 0, 0),
    CLP("maxCategoryCount", RP_U32, max_category_count, 0, UINT32_MAX),
    CLP("verbosity", RP_U32, verbosity, 0, 255),
    {"regionName", RP_IGNORE, 0, 0, 0},
};

void classifier_region_config_default(classifier_region_config *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->steps, sizeof c->steps, "1");
    c->alpha = 0.001;
    c->act_value_alpha = 0.3;
    snprintf(c->implementation, sizeof c->implementation, "cpp");
    c->max_category_count = 1000;
}

/* "1" or "1,5" into the classifier's parameters. */
static nupic_status parse_steps(const char *text, nupic_classifier_params *p,
                                const char *where, nupic_error *err) {
    p->num_steps = 0;
    const char *s = text;
    while (*s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > NUPIC_CLASSIFIER_MAX_STEP ||
            (*end != ',' && *end != '\0'))
            return ERR(NUPIC_ERR_PARAM,
                       "%s.steps: '%s' is not a comma-separated list of "
                       "steps 0 to %u",
                       where, text, (unsigned)NUPIC_CLASSIFIER_MAX_STEP);
        if (p->num_steps == NUPIC_CLASSIFIER_MAX_STEPS)
            return ERR(NUPIC_ERR_PARAM, "%s.steps: more than %u steps", where,
                       (unsigned)NUPIC_CLASSIFIER_MAX_STEPS);
        p->steps[p->num_steps++] = (uint32_t)v;
        s = *end == ',' ? end + 1 : end;
    }
    if (p->num_steps == 0)
        return ERR(NUPIC_ERR_PARAM, "%s.steps: no step", where);
    return NUPIC_OK;
}

nupic_status classifier_region_config_parse(const json_t *obj,
                                            classifier_region_config *c,
                                            const char *where,
                                            nupic_error *err) {
    /* steps may also be a number or an array of numbers. */
    json_t *copy = NULL;
    if (obj && json_is_object(obj)) {
        json_t *steps = json_object_get(obj, "steps");
        if (steps && (json_is_integer(steps) || json_is_array(steps))) {
            char buf[REGION_STR_SIZE] = "";
            size_t used = 0;
            size_t n = json_is_array(steps) ? json_array_size(steps) : 1;
            for (size_t i = 0; i < n; i++) {
                json_t *e =
                    json_is_array(steps) ? json_array_get(steps, i) : steps;
                if (!json_is_integer(e) || json_integer_value(e) < 0)
                    return ERR(NUPIC_ERR_PARAM,
                               "%s.steps: expected steps (integers from 0), "
                               "got %s",
                               where, region_json_kind(e));
                int k = snprintf(buf + used, sizeof buf - used, "%s%" PRId64,
                                 i ? "," : "", (int64_t)json_integer_value(e));
                if (k < 0 || (size_t)k >= sizeof buf - used)
                    return ERR(NUPIC_ERR_PARAM, "%s.steps: too many steps",
                               where);
                used += (size_t)k;
            }
            copy = json_deep_copy(obj);
            if (copy == NULL ||
                json_object_set_new(copy, "steps", json_string(buf)) != 0) {
                json_decref(copy);
                return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
            }
            obj = copy;
        }
    }
    nupic_status st = region_params_parse(
        obj, cl_table, sizeof cl_table / sizeof cl_table[0], c, where, err);
    json_decref(copy);
    if (st != NUPIC_OK) return st;
    nupic_classifier_params p;
    st = parse_steps(c->steps, &p, where, err);
    if (st != NUPIC_OK) return st;
    if (strcmp(c->implementation, "cpp") != 0 &&
        strcmp(c->implementation, "py") != 0)
        return ERR(NUPIC_ERR_PARAM,
                   "%s.implementation: '%s' is not a classifier (\"cpp\" or "
                   "\"py\")",
                   where, c->implementation);
    return NUPIC_OK;
}

static nupic_status classifier_params_of(const classifier_region_config *c,
                                         nupic_classifier_params *p,
                                         const char *where, nupic_error *err) {
    nupic_classifier_params_default(p);
    p->alpha = c->alpha;
    p->act_value_alpha = c->act_value_alpha;
    p->verbosity = c->verbosity;
    return parse_steps(c->steps, p, where, err);
}

#define LKP(name, member, lo)                                                  \
    { name, RP_U32, offsetof(nupic_likelihood_params, member), lo, UINT32_MAX }

static const region_param lk_table[] = {
    LKP("learningPeriod", learning_period, 0),
    LKP("estimationSamples", estimation_samples, 0),
    LKP("historicWindowSize", historic_window_size, 1),
    LKP("reestimationPeriod", reestimation_period, 1),
};

nupic_status likelihood_region_config_parse(const json_t *obj,
                                            nupic_likelihood_params *p,
                                            const char *where,
                                            nupic_error *err) {
    return region_params_parse(
        obj, lk_table, sizeof lk_table / sizeof lk_table[0], p, where, err);
}

static const region_param sensor_table[] = {
    {"encoders", RP_IGNORE, 0, 0, 0},
    {"verbosity", RP_IGNORE, 0, 0, 0},
    {"sensorAutoReset", RP_IGNORE, 0, 0, 0},
};

/* The classifier-only encoders of an encoders dict, without their
 * "classifierOnly" key (NULL if there are none). */
static nupic_status split_classifier_only(const json_t *encoders,
                                          json_t **main_out, json_t **cl_out,
                                          const char *where, nupic_error *err) {
    *main_out = *cl_out = NULL;
    if (!json_is_object(encoders))
        return ERR(NUPIC_ERR_PARAM, "%s.encoders: expected an object, got %s",
                   where, encoders ? region_json_kind(encoders) : "nothing");
    json_t *m = json_object(), *c = json_object();
    if (m == NULL || c == NULL) goto nomem;
    const char *key;
    json_t *v;
    json_t *eo = (json_t *)(uintptr_t)encoders;
    json_object_foreach(eo, key, v) {
        json_t *flag =
            json_is_object(v) ? json_object_get(v, "classifierOnly") : NULL;
        if (flag && !json_is_boolean(flag)) {
            json_decref(m);
            json_decref(c);
            return ERR(NUPIC_ERR_PARAM,
                       "%s.encoders.%s.classifierOnly: expected true or false",
                       where, key);
        }
        if (flag && json_is_true(flag)) {
            json_t *e = json_deep_copy(v);
            if (e == NULL) goto nomem;
            json_object_del(e, "classifierOnly");
            if (json_object_set_new(c, key, e) != 0) goto nomem;
        } else {
            json_t *e = json_deep_copy(v);
            if (e == NULL && v != NULL) goto nomem;
            if (json_is_object(e)) json_object_del(e, "classifierOnly");
            if (json_object_set_new(m, key, e) != 0) goto nomem;
        }
    }
    *main_out = m;
    if (json_object_size(c) > 0)
        *cl_out = c;
    else
        json_decref(c);
    return NUPIC_OK;
nomem:
    json_decref(m);
    json_decref(c);
    return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
}

/* The encoders of a sensor's parameters: the MultiEncoder of the network's
 * input and that of the classifier-only encoders (NULL if none). */
nupic_status sensor_encoders_from_params(const json_t *obj,
                                         nupic_multi_enc **main_enc,
                                         nupic_multi_enc **cl_enc,
                                         const char *where, nupic_error *err) {
    *main_enc = *cl_enc = NULL;
    nupic_status st = region_params_parse(
        obj, sensor_table, sizeof sensor_table / sizeof sensor_table[0], NULL,
        where, err);
    if (st != NUPIC_OK) return st;
    json_t *m, *c;
    st = split_classifier_only(obj ? json_object_get(obj, "encoders") : NULL,
                               &m, &c, where, err);
    if (st != NUPIC_OK) return st;
    char *text = json_dumps(m, JSON_COMPACT);
    if (text == NULL) {
        st = ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
        goto done;
    }
    st = nupic_multi_enc_new_from_json(text, strlen(text), main_enc, err);
    free(text);
    if (st != NUPIC_OK) goto done;
    if (nupic_multi_enc_width(*main_enc) == 0) {
        st = ERR(NUPIC_ERR_PARAM, "%s.encoders: no encoder feeds the network",
                 where);
        goto done;
    }
    if (c) {
        text = json_dumps(c, JSON_COMPACT);
        if (text == NULL) {
            st = ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
            goto done;
        }
        st = nupic_multi_enc_new_from_json(text, strlen(text), cl_enc, err);
        free(text);
    }
done:
    json_decref(m);
    json_decref(c);
    if (st != NUPIC_OK) {
        nupic_multi_enc_free(*main_enc);
        nupic_multi_enc_free(*cl_enc);
        *main_enc = *cl_enc = NULL;
    }
    return st;
}

/* ------------------------------------------------------------------------
 * py.RecordSensor
 * ------------------------------------------------------------------------ */

typedef struct sensor {
    nupic_multi_enc *enc;    /* feeds dataOut */
    nupic_multi_enc *cl_enc; /* classifier-only; may be NULL */
    uint32_t verbosity;
    /* The record's fields: enc's, then cl_enc's not among them. */
    uint32_t n_fields;
    char **field_names;
    nupic_value_kind *field_kinds;
    uint32_t *enc_map;     /* enc's field i -> record field */
    uint32_t *cl_map;      /* cl_enc's field i -> record field */
    nupic_value *record;   /* the record to encode, n_fields values */
    char **record_strings; /* copies of category values */
    nupic_value *scratch;  /* values in an encoder's field order */
    uint8_t *bits;         /* enc's output */
    uint32_t predicted;    /* field index or UINT32_MAX */
} sensor;

static void sensor_free(void *impl) {
    sensor *s = impl;
    if (s == NULL) return;
    nupic_multi_enc_free(s->enc);
    nupic_multi_enc_free(s->cl_enc);
    for (uint32_t i = 0; i < s->n_fields; i++) {
        if (s->field_names) free(s->field_names[i]);
        if (s->record_strings) free(s->record_strings[i]);
    }
    free(s->field_names);
    free(s->field_kinds);
    free(s->enc_map);
    free(s->cl_map);
    free(s->record);
    free(s->record_strings);
    free(s->scratch);
    free(s->bits);
    free(s);
}

/* The kind of value the encoders of field f of m read. */
static nupic_value_kind enc_field_kind(const nupic_multi_enc *m, uint32_t f) {
    for (uint32_t j = 0; j < nupic_multi_enc_num_encoders(m); j++) {
        if (nupic_multi_enc_encoder_field(m, j) != f) continue;
        switch (nupic_multi_enc_type(m, j)) {
        case NUPIC_ENC_DATE: return NUPIC_VALUE_DATETIME;
        case NUPIC_ENC_CATEGORY: return NUPIC_VALUE_CATEGORY;
        default: return NUPIC_VALUE_NUMBER;
        }
    }
    return NUPIC_VALUE_NUMBER;
}

static nupic_status sensor_add_field(sensor *s, const char *name,
                                     nupic_value_kind kind, uint32_t *index,
                                     nupic_error *err) {
    for (uint32_t i = 0; i < s->n_fields; i++)
        if (strcmp(s->field_names[i], name) == 0) {
            if (s->field_kinds[i] != kind)
                return ERR(NUPIC_ERR_PARAM,
                           "sensor: field '%s' is read as two kinds of value",
                           name);
            *index = i;
            return NUPIC_OK;
        }
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (copy == NULL) return ERR(NUPIC_ERR_NOMEM, "sensor: out of memory");
    memcpy(copy, name, len + 1);
    s->field_names[s->n_fields] = copy;
    s->field_kinds[s->n_fields] = kind;
    *index = s->n_fields++;
    return NUPIC_OK;
}

/* Takes ownership of enc and cl_enc (freed on error). */
static nupic_status sensor_build(nupic_multi_enc *enc, nupic_multi_enc *cl_enc,
                                 uint32_t verbosity, void **impl,
                                 nupic_error *err) {
    sensor *s = calloc(1, sizeof *s);
    if (s == NULL) {
        nupic_multi_enc_free(enc);
        nupic_multi_enc_free(cl_enc);
        return ERR(NUPIC_ERR_NOMEM, "sensor: out of memory");
    }
    s->enc = enc;
    s->cl_enc = cl_enc;
    s->verbosity = verbosity;
    s->predicted = UINT32_MAX;
    uint32_t ne = nupic_multi_enc_num_fields(enc);
    uint32_t nc = cl_enc ? nupic_multi_enc_num_fields(cl_enc) : 0;
    uint32_t cap = ne + nc;
    s->field_names = calloc(cap + 1, sizeof *s->field_names);
    s->field_kinds = calloc(cap + 1, sizeof *s->field_kinds);
    s->enc_map = calloc(ne + 1, sizeof *s->enc_map);
    s->cl_map = calloc(nc + 1, sizeof *s->cl_map);
    s->record = calloc(cap + 1, sizeof *s->record);
    s->record_strings = calloc(cap + 1, sizeof *s->record_strings);
    s->scratch = calloc(cap + 1, sizeof *s->scratch);
    s->bits = malloc(nupic_multi_enc_width(enc) + 1u);
    nupic_status st = NUPIC_OK;
    if (!s->field_names || !s->field_kinds || !s->enc_map || !s->cl_map ||
        !s->record || !s->record_strings || !s->scratch || !s->bits)
        st = ERR(NUPIC_ERR_NOMEM, "sensor: out of memory");
    for (uint32_t i = 0; i < ne && st == NUPIC_OK; i++)
        st = sensor_add_field(s, nupic_multi_enc_field_name(enc, i),
                              enc_field_kind(enc, i), &s->enc_map[i], err);
    for (uint32_t i = 0; i < nc && st == NUPIC_OK; i++)
        st = sensor_add_field(s, nupic_multi_enc_field_name(cl_enc, i),
                              enc_field_kind(cl_enc, i), &s->cl_map[i], err);
    if (st != NUPIC_OK) {
        sensor_free(s);
        return st;
    }
    *impl = s;
    return NUPIC_OK;
}

static nupic_status sensor_create(nupic_region *r, const char *params_json,
                                  void **impl, nupic_error *err) {
    char where[300];
    snprintf(where, sizeof where, "region '%s' (%s)", nupic_region_name(r),
             REGION_SENSOR);
    json_t *obj;
    nupic_status st = parse_json_text(params_json, &obj, where, err);
    if (st != NUPIC_OK) return st;
    nupic_multi_enc *enc, *cl;
    st = sensor_encoders_from_params(obj, &enc, &cl, where, err);
    json_decref(obj);
    if (st != NUPIC_OK) return st;
    return sensor_build(enc, cl, 0, impl, err);
}

static nupic_status sensor_initialize(nupic_region *r, void *impl,
                                      nupic_error *err) {
    sensor *s = impl;
    nupic_status st = nupic_region_set_output_size(
        r, "dataOut", nupic_multi_enc_width(s->enc), err);
    if (st == NUPIC_OK)
        st = nupic_region_set_output_size(r, "bucketIdxOut", 1, err);
    if (st == NUPIC_OK)
        st = nupic_region_set_output_size(r, "actValueOut", 1, err);
    return st;
}

static nupic_status sensor_compute(nupic_region *r, void *impl,
                                   nupic_error *err) {
    sensor *s = impl;
    uint32_t ne = nupic_multi_enc_num_fields(s->enc);
    for (uint32_t i = 0; i < ne; i++)
        s->scratch[i] = s->record[s->enc_map[i]];
    nupic_status st = nupic_multi_enc_encode(s->enc, s->scratch, s->bits, err);
    if (st != NUPIC_OK) return st;
    nupic_array *out = nupic_region_output(r, "dataOut");
    float *o = out->data;
    for (uint32_t i = 0; i < out->count; i++)
        o[i] = (float)s->bits[i];
    double *bucket = nupic_region_output(r, "bucketIdxOut")->data;
    double *act = nupic_region_output(r, "actValueOut")->data;
    bucket[0] = -1;
    act[0] = NAN;
    if (s->predicted == UINT32_MAX) return NUPIC_OK;
    const nupic_value *v = &s->record[s->predicted];
    if (v->kind == NUPIC_VALUE_MISSING) return NUPIC_OK;
    /* The classifier's input encoder: the classifier-only one of the field,
     * else the network's. */
    uint32_t b;
    bool found = false;
    if (s->cl_enc) {
        uint32_t f;
        if (nupic_multi_enc_find_field(s->cl_enc, s->field_names[s->predicted],
                                       &f)) {
            st = nupic_multi_enc_bucket(s->cl_enc, f, v, &b, err);
            found = true;
        }
    }
    if (!found) {
        uint32_t f;
        if (!nupic_multi_enc_find_field(s->enc, s->field_names[s->predicted],
                                        &f))
            return ERR(NUPIC_ERR_ARG,
                       "sensor: predicted field '%s' has no "
                       "encoder",
                       s->field_names[s->predicted]);
        /* The encoder has just encoded this value: its bucket exists. */
        st = nupic_multi_enc_bucket(s->enc, f, v, &b, err);
    }
    if (st != NUPIC_OK) return st;
    bucket[0] = b;
    act[0] = v->kind == NUPIC_VALUE_NUMBER ? v->u.number : (double)b;
    return NUPIC_OK;
}

static nupic_status sensor_write(const nupic_region *r, const void *impl,
                                 ncp_bptr p, nupic_error *err) {
    (void)r;
    const sensor *s = impl;
    RecordSensorProto_B b = RecordSensorProto_new(p);
    nupic_status st =
        nupic_multi_enc_write(s->enc, RecordSensorProto_init_encoder(b), err);
    if (st == NUPIC_OK && s->cl_enc)
        st = nupic_multi_enc_write(
            s->cl_enc, RecordSensorProto_init_disabledEncoder(b), err);
    RecordSensorProto_set_verbosity(b, s->verbosity);
    return st;
}

static nupic_status sensor_read(nupic_region *r, ncp_ptr p, void **impl,
                                nupic_error *err) {
    (void)r;
    RecordSensorProto_R rp = RecordSensorProto_read(p);
    nupic_multi_enc *enc = NULL, *cl = NULL;
    nupic_status st =
        nupic_multi_enc_read(RecordSensorProto_get_encoder(rp), &enc, err);
    if (st == NUPIC_OK && nupic_multi_enc_width(enc) == 0)
        st = ERR(NUPIC_ERR_FORMAT,
                 "RecordSensorProto.encoder: no encoder feeds the network");
    if (st == NUPIC_OK && RecordSensorProto_has_disabledEncoder(rp))
        st = nupic_multi_enc_read(RecordSensorProto_get_disabledEncoder(rp),
                                  &cl, err);
    if (st == NUPIC_OK && cl && nupic_multi_enc_num_encoders(cl) == 0) {
        nupic_multi_enc_free(cl);
        cl = NULL;
    }
    if (st != NUPIC_OK) {
        nupic_multi_enc_free(enc);
        nupic_multi_enc_free(cl);
        return st;
    }
    return sensor_build(enc, cl, RecordSensorProto_get_verbosity(rp), impl,
                        err);
}

static bool sensor_equal(const void *a, const void *b, char *diff,
                         size_t size) {
    const sensor *x = a, *y = b;
    if (!nupic_multi_enc_equal(x->enc, y->enc, diff, size)) return false;
    if ((x->cl_enc == NULL) != (y->cl_enc == NULL)) {
        if (diff) snprintf(diff, size, "sensor: classifier-only encoders");
        return false;
    }
    if (x->cl_enc && !nupic_multi_enc_equal(x->cl_enc, y->cl_enc, diff, size))
        return false;
    return true;
}

uint32_t sensor_num_fields(const void *impl) {
    return ((const sensor *)impl)->n_fields;
}
const char *sensor_field_name(const void *impl, uint32_t i) {
    const sensor *s = impl;
    return i < s->n_fields ? s->field_names[i] : NULL;
}
nupic_value_kind sensor_field_kind(const void *impl, uint32_t i) {
    const sensor *s = impl;
    return i < s->n_fields ? s->field_kinds[i] : NUPIC_VALUE_MISSING;
}
bool sensor_find_field(const void *impl, const char *name, uint32_t *i) {
    const sensor *s = impl;
    for (uint32_t k = 0; k < s->n_fields; k++)
        if (strcmp(s->field_names[k], name) == 0) {
            *i = k;
            return true;
        }
    return false;
}
nupic_status sensor_set_predicted_field(void *impl, uint32_t field,
                                        nupic_error *err) {
    sensor *s = impl;
    if (field != UINT32_MAX && field >= s->n_fields)
        return ERR(NUPIC_ERR_ARG, "sensor: no field %u", field);
    if (field != UINT32_MAX && s->field_kinds[field] == NUPIC_VALUE_DATETIME)
        return ERR(NUPIC_ERR_PARAM,
                   "sensor: the predicted field '%s' is a date",
                   s->field_names[field]);
    s->predicted = field;
    return NUPIC_OK;
}
uint32_t sensor_predicted_field(const void *impl) {
    return ((const sensor *)impl)->predicted;
}

nupic_status sensor_set_record(void *impl, const nupic_value *values,
                               nupic_error *err) {
    sensor *s = impl;
    for (uint32_t i = 0; i < s->n_fields; i++) {
        const nupic_value *v = &values[i];
        if (v->kind != NUPIC_VALUE_MISSING && v->kind != s->field_kinds[i])
            return ERR(NUPIC_ERR_ARG,
                       "field '%s': a value of the wrong kind (%s expected)",
                       s->field_names[i],
                       s->field_kinds[i] == NUPIC_VALUE_NUMBER ? "number"
                       : s->field_kinds[i] == NUPIC_VALUE_DATETIME
                           ? "date"
                           : "category");
        if (v->kind == NUPIC_VALUE_NUMBER && !isfinite(v->u.number))
            return ERR(NUPIC_ERR_ARG, "field '%s': %g is not a finite number",
                       s->field_names[i], v->u.number);
        if (v->kind == NUPIC_VALUE_CATEGORY && v->u.category == NULL)
            return ERR(NUPIC_ERR_ARG, "field '%s': a NULL category",
                       s->field_names[i]);
    }
    for (uint32_t i = 0; i < s->n_fields; i++) {
        free(s->record_strings[i]);
        s->record_strings[i] = NULL;
        s->record[i] = values[i];
        if (values[i].kind == NUPIC_VALUE_CATEGORY) {
            size_t len = strlen(values[i].u.category);
            s->record_strings[i] = malloc(len + 1);
            if (s->record_strings[i] == NULL) {
                s->record[i].kind = NUPIC_VALUE_MISSING;
                return ERR(NUPIC_ERR_NOMEM, "sensor: out of memory");
            }
            memcpy(s->record_strings[i], values[i].u.category, len + 1);
            s->record[i].u.category = s->record_strings[i];
        }
    }
    return NUPIC_OK;
}

static bool is_sensor(const nupic_region *r) {
    return r && strcmp(nupic_region_get_type(r)->name, REGION_SENSOR) == 0;
}

uint32_t nupic_record_sensor_num_fields(const nupic_region *r) {
    return is_sensor(r) ? sensor_num_fields(nupic_region_impl(r)) : 0;
}
const char *nupic_record_sensor_field_name(const nupic_region *r, uint32_t i) {
    return is_sensor(r) ? sensor_field_name(nupic_region_impl(r), i) : NULL;
}
nupic_value_kind nupic_record_sensor_field_kind(const nupic_region *r,
                                                uint32_t i) {
    return is_sensor(r) ? sensor_field_kind(nupic_region_impl(r), i)
                        : NUPIC_VALUE_MISSING;
}
nupic_status nupic_record_sensor_set_record(nupic_region *r,
                                            const nupic_value *values,
                                            nupic_error *err) {
    if (!is_sensor(r) || values == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_record_sensor_set_record: %s",
                   values == NULL ? "NULL values"
                                  : "the region is not a py.RecordSensor");
    return sensor_set_record(nupic_region_impl(r), values, err);
}

static const nupic_port_spec sensor_outputs[] = {
    {"dataOut", NUPIC_ARRAY_REAL32, false},
    {"bucketIdxOut", NUPIC_ARRAY_REAL64, false},
    {"actValueOut", NUPIC_ARRAY_REAL64, false},
};

static const nupic_region_type sensor_type = {
    .name = REGION_SENSOR,
    .inputs = NULL,
    .n_inputs = 0,
    .outputs = sensor_outputs,
    .n_outputs = 3,
    .create = sensor_create,
    .initialize = sensor_initialize,
    .compute = sensor_compute,
    .free = sensor_free,
    .write = sensor_write,
    .read = sensor_read,
    .equal = sensor_equal,
    .execute = NULL,
};

/* ------------------------------------------------------------------------
 * py.SPRegion
 * ------------------------------------------------------------------------ */

typedef struct sp_region {
    sp_region_config cfg;
    nupic_sp *sp; /* NULL until initialized */
    bool learn, infer;
    uint32_t *active_inputs, *active_columns;
} sp_region;

static void sp_region_free(void *impl) {
    sp_region *s = impl;
    if (s == NULL) return;
    nupic_sp_free(s->sp);
    free(s->active_inputs);
    free(s->active_columns);
    free(s);
}

static nupic_status sp_region_create(nupic_region *r, const char *params_json,
                                     void **impl, nupic_error *err) {
    char where[300];
    snprintf(where, sizeof where, "region '%s' (%s)", nupic_region_name(r),
             REGION_SP);
    json_t *obj;
    nupic_status st = parse_json_text(params_json, &obj, where, err);
    if (st != NUPIC_OK) return st;
    sp_region *s = calloc(1, sizeof *s);
    if (s == NULL) {
        json_decref(obj);
        return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
    }
    sp_region_config_default(&s->cfg);
    st = sp_region_config_parse(obj, &s->cfg, where, err);
    json_decref(obj);
    if (st != NUPIC_OK) {
        free(s);
        return st;
    }
    s->learn = true;
    s->infer = true;
    *impl = s;
    return NUPIC_OK;
}

static nupic_status sp_region_buffers(sp_region *s, nupic_error *err) {
    s->active_inputs =
        malloc(((size_t)nupic_sp_num_inputs(s->sp) + 1) * sizeof(uint32_t));
    s->active_columns =
        malloc(((size_t)nupic_sp_num_columns(s->sp) + 1) * sizeof(uint32_t));
    if (!s->active_inputs || !s->active_columns)
        return ERR(NUPIC_ERR_NOMEM, "SPRegion: out of memory");
    return NUPIC_OK;
}

static nupic_status sp_region_initialize(nupic_region *r, void *impl,
                                         nupic_error *err) {
    sp_region *s = impl;
    uint32_t width = nupic_region_input(r, "bottomUpIn")->count;
    if (s->sp == NULL) {
        if (s->cfg.input_width != 0 && s->cfg.input_width != width)
            return ERR(NUPIC_ERR_PARAM,
                       "region '%s' (%s): inputWidth %u, but its input has "
                       "%u bits",
                       nupic_region_name(r), REGION_SP, s->cfg.input_width,
                       width);
        s->cfg.input_width = width;
        nupic_sp_params p = s->cfg.sp;
        p.num_dimensions = 1;
        p.input_dimensions[0] = width;
        p.column_dimensions[0] = s->cfg.column_count;
        nupic_status st = nupic_sp_new(&p, &s->sp, err);
        if (st != NUPIC_OK) return st;
        st = sp_region_buffers(s, err);
        if (st != NUPIC_OK) return st;
    } else if (nupic_sp_num_inputs(s->sp) != width) {
        return ERR(NUPIC_ERR_FORMAT,
                   "region '%s' (%s): the spatial pooler has %u inputs, its "
                   "input %u bits",
                   nupic_region_name(r), REGION_SP, nupic_sp_num_inputs(s->sp),
                   width);
    }
    return nupic_region_set_output_size(r, "bottomUpOut",
                                        nupic_sp_num_columns(s->sp), err);
}

static nupic_status sp_region_compute(nupic_region *r, void *impl,
                                      nupic_error *err) {
    sp_region *s = impl;
    const nupic_array *in = nupic_region_input(r, "bottomUpIn");
    const float *x = in->data;
    size_t n = 0;
    for (uint32_t i = 0; i < in->count; i++)
        if (x[i] != 0.0f) s->active_inputs[n++] = i;
    size_t na = 0;
    nupic_status st = nupic_sp_compute(s->sp, s->active_inputs, n, s->learn,
                                       s->active_columns, &na, err);
    if (st != NUPIC_OK) return st;
    nupic_array *out = nupic_region_output(r, "bottomUpOut");
    float *o = out->data;
    memset(o, 0, (size_t)out->count * sizeof *o);
    for (size_t i = 0; i < na; i++)
        o[s->active_columns[i]] = 1.0f;
    return NUPIC_OK;
}

static nupic_status sp_region_write(const nupic_region *r, const void *impl,
                                    ncp_bptr p, nupic_error *err) {
    const sp_region *s = impl;
    if (s->sp == NULL)
        return ERR(NUPIC_ERR_ARG, "region '%s': not initialized",
                   nupic_region_name(r));
    SPRegionProto_B b = SPRegionProto_new(p);
    SPRegionProto_set_spatialImp(b, s->cfg.spatial_imp,
                                 strlen(s->cfg.spatial_imp));
    SPRegionProto_set_columnCount(b, nupic_sp_num_columns(s->sp));
    SPRegionProto_set_inputWidth(b, nupic_sp_num_inputs(s->sp));
    SPRegionProto_set_learningMode(b, s->learn);
    SPRegionProto_set_inferenceMode(b, s->infer);
    return nupic_sp_write(s->sp, SPRegionProto_init_spatialPooler(b), err);
}

static nupic_status sp_region_read(nupic_region *r, ncp_ptr p, void **impl,
                                   nupic_error *err) {
    SPRegionProto_R rp = SPRegionProto_read(p);
    sp_region *s = calloc(1, sizeof *s);
    if (s == NULL) return ERR(NUPIC_ERR_NOMEM, "SPRegion: out of memory");
    sp_region_config_default(&s->cfg);
    ncp_text imp = SPRegionProto_get_spatialImp(rp);
    if (imp.len > 0 && imp.len < sizeof s->cfg.spatial_imp &&
        !memchr(imp.str, '\0', imp.len)) {
        memcpy(s->cfg.spatial_imp, imp.str, imp.len);
        s->cfg.spatial_imp[imp.len] = '\0';
    }
    nupic_status st =
        nupic_sp_read(SPRegionProto_get_spatialPooler(rp), &s->sp, err);
    if (st == NUPIC_OK &&
        (SPRegionProto_get_columnCount(rp) != nupic_sp_num_columns(s->sp) ||
         SPRegionProto_get_inputWidth(rp) != nupic_sp_num_inputs(s->sp)))
        st = ERR(NUPIC_ERR_FORMAT,
                 "region '%s': SPRegionProto says %u columns and %u inputs, "
                 "its spatial pooler %u and %u",
                 nupic_region_name(r), SPRegionProto_get_columnCount(rp),
                 SPRegionProto_get_inputWidth(rp), nupic_sp_num_columns(s->sp),
                 nupic_sp_num_inputs(s->sp));
    if (st == NUPIC_OK) st = sp_region_buffers(s, err);
    if (st != NUPIC_OK) {
        sp_region_free(s);
        return st;
    }
    nupic_sp_get_params(s->sp, &s->cfg.sp);
    s->cfg.column_count = nupic_sp_num_columns(s->sp);
    s->cfg.input_width = nupic_sp_num_inputs(s->sp);
    s->learn = SPRegionProto_get_learningMode(rp) != 0;
    s->infer = SPRegionProto_get_inferenceMode(rp) != 0;
    *impl = s;
    return NUPIC_OK;
}

static bool sp_region_equal(const void *a, const void *b, char *diff,
                            size_t size) {
    const sp_region *x = a, *y = b;
    if (x->learn != y->learn || x->infer != y->infer) {
        if (diff) snprintf(diff, size, "SPRegion: learning/inference modes");
        return false;
    }
    if (x->sp == NULL || y->sp == NULL) return x->sp == y->sp;
    return nupic_sp_equal(x->sp, y->sp, diff, size);
}

void sp_region_set_modes(void *impl, bool learn, bool infer) {
    sp_region *s = impl;
    s->learn = learn;
    s->infer = infer;
}
nupic_sp *sp_region_sp(void *impl) {
    return ((sp_region *)impl)->sp;
}

static const nupic_port_spec sp_inputs[] = {
    {"bottomUpIn", NUPIC_ARRAY_REAL32, true},
};
static const nupic_port_spec sp_outputs[] = {
    {"bottomUpOut", NUPIC_ARRAY_REAL32, false},
};

static const nupic_region_type sp_type = {
    .name = REGION_SP,
    .inputs = sp_inputs,
    .n_inputs = 1,
    .outputs = sp_outputs,
    .n_outputs = 1,
    .create = sp_region_create,
    .initialize = sp_region_initialize,
    .compute = sp_region_compute,
    .free = sp_region_free,
    .write = sp_region_write,
    .read = sp_region_read,
    .equal = sp_region_equal,
    .execute = NULL,
};

/* ------------------------------------------------------------------------
 * py.TMRegion
 * ------------------------------------------------------------------------ */

typedef struct tm_region {
    tm_region_config cfg;
    nupic_tm *tm;   /* tm_cpp: NULL until initialized */
    nupic_btm *btm; /* cpp: NULL until initialized */
    bool learn, infer;
    uint32_t *active_columns, *predicted_columns;
    uint8_t *column_mark;
    /* The cells set in bottomUpOut and activeCells by the last compute,
     * cleared by the next one (the outputs are 4 bytes a cell). */
    uint32_t *set_out, *set_act;
    size_t n_set_out, n_set_act;
} tm_region;

static void tm_region_free(void *impl) {
    tm_region *t = impl;
    if (t == NULL) return;
    nupic_tm_free(t->tm);
    nupic_btm_free(t->btm);
    free(t->active_columns);
    free(t->predicted_columns);
    free(t->column_mark);
    free(t->set_out);
    free(t->set_act);
    free(t);
}

static nupic_status tm_region_create(nupic_region *r, const char *params_json,
                                     void **impl, nupic_error *err) {
    char where[300];
    snprintf(where, sizeof where, "region '%s' (%s)", nupic_region_name(r),
             REGION_TM);
    json_t *obj;
    nupic_status st = parse_json_text(params_json, &obj, where, err);
    if (st != NUPIC_OK) return st;
    tm_region *t = calloc(1, sizeof *t);
    if (t == NULL) {
        json_decref(obj);
        return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
    }
    tm_region_config_default(&t->cfg);
    st = tm_region_config_parse(obj, &t->cfg, where, err);
    json_decref(obj);
    if (st != NUPIC_OK) {
        free(t);
        return st;
    }
    t->learn = true;
    t->infer = true;
    *impl = t;
    return NUPIC_OK;
}

static uint32_t tmr_columns(const tm_region *t) {
    return t->tm ? nupic_tm_num_columns(t->tm) : nupic_btm_num_columns(t->btm);
}
static uint32_t tmr_cells(const tm_region *t) {
    return t->tm ? nupic_tm_num_cells(t->tm) : nupic_btm_num_cells(t->btm);
}

static nupic_status tm_region_buffers(tm_region *t, nupic_error *err) {
    size_t cols = tmr_columns(t);
    t->active_columns = malloc((cols + 1) * sizeof(uint32_t));
    t->predicted_columns = malloc((cols + 1) * sizeof(uint32_t));
    t->column_mark = calloc(cols + 1, 1);
    size_t cells = tmr_cells(t);
    t->set_out = malloc((2 * cells + 1) * sizeof(uint32_t));
    t->set_act = malloc((cells + 1) * sizeof(uint32_t));
    if (!t->active_columns || !t->predicted_columns || !t->column_mark ||
        !t->set_out || !t->set_act)
        return ERR(NUPIC_ERR_NOMEM, "TMRegion: out of memory");
    return NUPIC_OK;
}

static nupic_status tm_region_initialize(nupic_region *r, void *impl,
                                         nupic_error *err) {
    tm_region *t = impl;
    uint32_t width = nupic_region_input(r, "bottomUpIn")->count;
    if (t->tm == NULL && t->btm == NULL) {
        if (t->cfg.column_count != width)
            return ERR(NUPIC_ERR_PARAM,
                       "region '%s' (%s): columnCount %u, but its input has "
                       "%u bits",
                       nupic_region_name(r), REGION_TM, t->cfg.column_count,
                       width);
        if (t->cfg.input_width != 0 && t->cfg.input_width != width)
            return ERR(NUPIC_ERR_PARAM,
                       "region '%s' (%s): inputWidth %u, but its input has "
                       "%u bits",
                       nupic_region_name(r), REGION_TM, t->cfg.input_width,
                       width);
        nupic_status st;
        if (strcmp(t->cfg.temporal_imp, "cpp") == 0) {
            nupic_btm_params bp;
            btm_params_of(&t->cfg, &bp);
            st = nupic_btm_new(&bp, &t->btm, err);
        } else {
            nupic_tm_params p;
            st = tm_params_of(&t->cfg, &p, err);
            if (st == NUPIC_OK) st = nupic_tm_new(&p, &t->tm, err);
        }
        if (st == NUPIC_OK) st = tm_region_buffers(t, err);
        if (st != NUPIC_OK) return st;
    } else if (tmr_columns(t) != width) {
        return ERR(NUPIC_ERR_FORMAT,
                   "region '%s' (%s): the temporal memory has %u columns, "
                   "its input %u bits",
                   nupic_region_name(r), REGION_TM, tmr_columns(t), width);
    }
    uint32_t cells = tmr_cells(t);
    nupic_status st =
        nupic_region_set_output_size(r, "bottomUpOut", cells, err);
    if (st == NUPIC_OK)
        st = nupic_region_set_output_size(r, "activeCells", cells, err);
    if (st == NUPIC_OK)
        st = nupic_region_set_output_size(r, "anomalyScore", 1, err);
    return st;
}

/* The columns of the TM's predictive cells (topDownCompute), ascending. */
static size_t predicted_columns(tm_region *t) {
    size_t n, k = 0;
    const uint32_t *cells = nupic_tm_predictive_cells(t->tm, &n);
    uint32_t cpc = nupic_tm_num_cells(t->tm) / nupic_tm_num_columns(t->tm);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cells[i] / cpc;
        if (!t->column_mark[c]) {
            t->column_mark[c] = 1;
            t->predicted_columns[k++] = c;
        }
    }
    for (size_t i = 0; i < k; i++)
        t->column_mark[t->predicted_columns[i]] = 0;
    return k;
}

static nupic_status tm_region_compute(nupic_region *r, void *impl,
                                      nupic_error *err) {
    tm_region *t = impl;
    const nupic_array *in = nupic_region_input(r, "bottomUpIn");
    const float *x = in->data;
    size_t n = 0;
    for (uint32_t i = 0; i < in->count; i++)
        if (x[i] != 0.0f) t->active_columns[n++] = i;
    float score = 0.0f;
    nupic_status st;
    size_t np2, na;
    const uint32_t *pred, *cells;
    if (t->btm) {
        /* BacktrackingTMCPP.compute(input, learn, infer); the engine
         * scores the step as the TM region does for it. */
        st = nupic_btm_compute(t->btm, t->active_columns, n, t->infer, t->learn,
                               err);
        if (st != NUPIC_OK) return st;
        score = nupic_btm_anomaly(t->btm);
        pred = nupic_btm_output(t->btm, &np2);
        cells = nupic_btm_inf_active_cells(t->btm, &na);
    } else {
        /* TMRegion's anomaly: the active columns against the columns
         * predicted before this compute. */
        size_t np = predicted_columns(t);
        st = nupic_anomaly_raw_score(t->active_columns, n, t->predicted_columns,
                                     np, &score, err);
        if (st != NUPIC_OK) return st;
        st = nupic_tm_compute(t->tm, t->active_columns, n, t->learn, err);
        if (st != NUPIC_OK) return st;
        pred = nupic_tm_predictive_cells(t->tm, &np2);
        cells = nupic_tm_active_cells(t->tm, &na);
    }
    /* TMShimMixin.compute's output: predictive and active cells. */
    nupic_array *out = nupic_region_output(r, "bottomUpOut");
    nupic_array *act = nupic_region_output(r, "activeCells");
    float *o = out->data, *a = act->data;
    for (size_t i = 0; i < t->n_set_out; i++)
        o[t->set_out[i]] = 0.0f;
    for (size_t i = 0; i < t->n_set_act; i++)
        a[t->set_act[i]] = 0.0f;
    /* bottomUpOut: tm_cpp's shim ORs predictive and active cells; the
     * backtracking TM's output is its outputType's cells. */
    for (size_t i = 0; i < np2; i++)
        o[pred[i]] = 1.0f;
    for (size_t i = 0; i < na; i++) {
        a[cells[i]] = 1.0f;
        if (t->tm) o[cells[i]] = 1.0f;
    }
    memcpy(t->set_out, pred, np2 * sizeof *pred);
    if (t->tm) memcpy(t->set_out + np2, cells, na * sizeof *cells);
    memcpy(t->set_act, cells, na * sizeof *cells);
    t->n_set_out = np2 + (t->tm ? na : 0);
    t->n_set_act = na;
    ((float *)nupic_region_output(r, "anomalyScore")->data)[0] =
        t->cfg.anomaly_mode ? score : 0.0f;
    return NUPIC_OK;
}

static nupic_status tm_region_execute(nupic_region *r, void *impl,
                                      const char *command, nupic_error *err) {
    tm_region *t = impl;
    if (strcmp(command, "reset") == 0 ||
        strcmp(command, "resetSequenceStates") == 0) {
        if (t->tm) nupic_tm_reset(t->tm);
        if (t->btm) nupic_btm_reset(t->btm);
        return NUPIC_OK;
    }
    return ERR(NUPIC_ERR_UNSUPPORTED,
               "region '%s' (%s) knows no command '%s' (\"reset\")",
               nupic_region_name(r), REGION_TM, command);
}

static nupic_status tm_region_write(const nupic_region *r, const void *impl,
                                    ncp_bptr p, nupic_error *err) {
    const tm_region *t = impl;
    if (t->tm == NULL && t->btm == NULL)
        return ERR(NUPIC_ERR_ARG, "region '%s': not initialized",
                   nupic_region_name(r));
    TMRegionProto_B b = TMRegionProto_new(p);
    TMRegionProto_set_temporalImp(b, t->cfg.temporal_imp,
                                  strlen(t->cfg.temporal_imp));
    uint32_t cols = tmr_columns(t);
    TMRegionProto_set_columnCount(b, cols);
    TMRegionProto_set_inputWidth(b, cols);
    TMRegionProto_set_cellsPerColumn(b, tmr_cells(t) / cols);
    TMRegionProto_set_learningMode(b, t->learn);
    TMRegionProto_set_inferenceMode(b, t->infer);
    TMRegionProto_set_anomalyMode(b, t->cfg.anomaly_mode);
    if (t->btm)
        return nupic_btm_write_cpp(
            t->btm,
            BacktrackingTMCppProto_new(TMRegionProto_ptr_backtrackingTMCpp(b)),
            err);
    return nupic_tm_write(t->tm, TMRegionProto_init_temporalMemory(b), err);
}

static nupic_status tm_region_read(nupic_region *r, ncp_ptr p, void **impl,
                                   nupic_error *err) {
    TMRegionProto_R rp = TMRegionProto_read(p);
    ncp_text imp = TMRegionProto_get_temporalImp(rp);
    bool tm_cpp = imp.len == 6 && memcmp(imp.str, "tm_cpp", 6) == 0 &&
                  TMRegionProto_which(rp) == TMRegionProto_which_temporalMemory;
    bool cpp = imp.len == 3 && memcmp(imp.str, "cpp", 3) == 0 &&
               TMRegionProto_which(rp) == TMRegionProto_which_backtrackingTMCpp;
    if (!tm_cpp && !cpp)
        return ERR(NUPIC_ERR_UNSUPPORTED,
                   "region '%s': TMRegionProto.temporalImp '%.*s' is not "
                   "supported (\"tm_cpp\" with a temporalMemory, \"cpp\" "
                   "with a backtrackingTMCpp)",
                   nupic_region_name(r), (int)(imp.len > 32 ? 32 : imp.len),
                   imp.str ? imp.str : "");
    tm_region *t = calloc(1, sizeof *t);
    if (t == NULL) return ERR(NUPIC_ERR_NOMEM, "TMRegion: out of memory");
    tm_region_config_default(&t->cfg);
    snprintf(t->cfg.temporal_imp, sizeof t->cfg.temporal_imp, "%s",
             cpp ? "cpp" : "tm_cpp");
    nupic_status st =
        cpp ? nupic_btm_read_cpp(BacktrackingTMCppProto_read(
                                     TMRegionProto_get_backtrackingTMCpp(rp)),
                                 &t->btm, err)
            : nupic_tm_read(TMRegionProto_get_temporalMemory(rp), &t->tm, err);
    if (st == NUPIC_OK) {
        uint32_t cols = tmr_columns(t);
        if (TMRegionProto_get_columnCount(rp) != cols ||
            TMRegionProto_get_cellsPerColumn(rp) * (uint64_t)cols !=
                tmr_cells(t))
            st = ERR(NUPIC_ERR_FORMAT,
                     "region '%s': TMRegionProto says %u columns of %u "
                     "cells, its temporal memory %u cells in %u columns",
                     nupic_region_name(r), TMRegionProto_get_columnCount(rp),
                     TMRegionProto_get_cellsPerColumn(rp), tmr_cells(t), cols);
    }
    if (st == NUPIC_OK) st = tm_region_buffers(t, err);
    if (st != NUPIC_OK) {
        tm_region_free(t);
        return st;
    }
    t->cfg.column_count = tmr_columns(t);
    t->cfg.input_width = t->cfg.column_count;
    t->cfg.cells_per_column = tmr_cells(t) / t->cfg.column_count;
    t->learn = TMRegionProto_get_learningMode(rp);
    t->infer = TMRegionProto_get_inferenceMode(rp);
    t->cfg.anomaly_mode = TMRegionProto_get_anomalyMode(rp);
    *impl = t;
    return NUPIC_OK;
}

static bool tm_region_equal(const void *a, const void *b, char *diff,
                            size_t size) {
    const tm_region *x = a, *y = b;
    if (x->learn != y->learn || x->infer != y->infer ||
        x->cfg.anomaly_mode != y->cfg.anomaly_mode) {
        if (diff) snprintf(diff, size, "TMRegion: modes differ");
        return false;
    }
    if ((x->btm == NULL) != (y->btm == NULL)) {
        if (diff) snprintf(diff, size, "TMRegion: temporal memory kinds");
        return false;
    }
    if (x->btm) return nupic_btm_equal(x->btm, y->btm, diff, size);
    if (x->tm == NULL || y->tm == NULL) return x->tm == y->tm;
    return nupic_tm_equal(x->tm, y->tm, diff, size);
}

void tm_region_set_modes(void *impl, bool learn, bool infer) {
    tm_region *t = impl;
    t->learn = learn;
    t->infer = infer;
}
void tm_region_set_anomaly_mode(void *impl, bool on) {
    ((tm_region *)impl)->cfg.anomaly_mode = on;
}
nupic_tm *tm_region_tm(void *impl) {
    return ((tm_region *)impl)->tm;
}
bool tm_region_is_backtracking(const void *impl) {
    return ((const tm_region *)impl)->btm != NULL;
}

static const nupic_port_spec tm_inputs[] = {
    {"bottomUpIn", NUPIC_ARRAY_REAL32, true},
};
static const nupic_port_spec tm_outputs[] = {
    {"bottomUpOut", NUPIC_ARRAY_REAL32, false},
    {"activeCells", NUPIC_ARRAY_REAL32, false},
    {"anomalyScore", NUPIC_ARRAY_REAL32, false},
};

static const nupic_region_type tm_type = {
    .name = REGION_TM,
    .inputs = tm_inputs,
    .n_inputs = 1,
    .outputs = tm_outputs,
    .n_outputs = 3,
    .create = tm_region_create,
    .initialize = tm_region_initialize,
    .compute = tm_region_compute,
    .free = tm_region_free,
    .write = tm_region_write,
    .read = tm_region_read,
    .equal = tm_region_equal,
    .execute = tm_region_execute,
};

/* ------------------------------------------------------------------------
 * py.SDRClassifierRegion
 * ------------------------------------------------------------------------ */

typedef struct classifier_region {
    classifier_region_config cfg;
    nupic_classifier *cl;
    bool learn, infer;
    uint32_t record_num;
    bool inferred; /* the last compute inferred */
    uint32_t *pattern;
    uint32_t pattern_cap;
} classifier_region;

static void classifier_region_free(void *impl) {
    classifier_region *c = impl;
    if (c == NULL) return;
    nupic_classifier_free(c->cl);
    free(c->pattern);
    free(c);
}

static nupic_status classifier_region_create(nupic_region *r,
                                             const char *params_json,
                                             void **impl, nupic_error *err) {
    char where[300];
    snprintf(where, sizeof where, "region '%s' (%s)", nupic_region_name(r),
             REGION_CLASSIFIER);
    json_t *obj;
    nupic_status st = parse_json_text(params_json, &obj, where, err);
    if (st != NUPIC_OK) return st;
    classifier_region *c = calloc(1, sizeof *c);
    if (c == NULL) {
        json_decref(obj);
        return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", where);
    }
    classifier_region_config_default(&c->cfg);
    st = classifier_region_config_parse(obj, &c->cfg, where, err);
    json_decref(obj);
    nupic_classifier_params p;
    if (st == NUPIC_OK) st = classifier_params_of(&c->cfg, &p, where, err);
    if (st == NUPIC_OK) st = nupic_classifier_new(&p, &c->cl, err);
    if (st != NUPIC_OK) {
        classifier_region_free(c);
        return st;
    }
    c->learn = c->infer = true;
    *impl = c;
    return NUPIC_OK;
}

static nupic_status classifier_region_initialize(nupic_region *r, void *impl,
                                                 nupic_error *err) {
    classifier_region *c = impl;
    uint32_t n = nupic_region_input(r, "bottomUpIn")->count;
    free(c->pattern);
    c->pattern = malloc(((size_t)n + 1) * sizeof *c->pattern);
    if (c->pattern == NULL)
        return ERR(NUPIC_ERR_NOMEM, "SDRClassifierRegion: out of memory");
    c->pattern_cap = n;
    return NUPIC_OK;
}

static nupic_status classifier_region_compute(nupic_region *r, void *impl,
                                              nupic_error *err) {
    classifier_region *c = impl;
    const nupic_array *in = nupic_region_input(r, "bottomUpIn");
    const float *x = in->data;
    size_t n = 0;
    for (uint32_t i = 0; i < in->count && i < c->pattern_cap; i++)
        if (x[i] != 0.0f) c->pattern[n++] = i;
    const nupic_array *bi = nupic_region_input(r, "bucketIdxIn");
    const nupic_array *av = nupic_region_input(r, "actValueIn");
    double bucket = bi->count ? ((const double *)bi->data)[0] : -1;
    double act = av->count ? ((const double *)av->data)[0] : NAN;
    uint32_t b = 0;
    size_t classes = 0;
    if (bucket >= 0 && bucket <= UINT32_MAX && isfinite(act)) {
        b = (uint32_t)bucket;
        classes = 1;
    }
    nupic_status st = nupic_classifier_compute(
        c->cl, c->record_num, c->pattern, n, &b, &act, classes, false,
        c->learn && classes > 0, c->infer, err);
    if (st != NUPIC_OK) return st;
    c->inferred = c->infer;
    c->record_num++;
    return NUPIC_OK;
}

static nupic_status classifier_region_write(const nupic_region *r,
                                            const void *impl, ncp_bptr p,
                                            nupic_error *err) {
    (void)r;
    const classifier_region *c = impl;
    SDRClassifierRegionProto_B b = SDRClassifierRegionProto_new(p);
    SDRClassifierRegionProto_set_implementation(b, c->cfg.implementation,
                                                strlen(c->cfg.implementation));
    SDRClassifierRegionProto_set_steps(b, c->cfg.steps, strlen(c->cfg.steps));
    SDRClassifierRegionProto_set_alpha(b, (float)c->cfg.alpha);
    SDRClassifierRegionProto_set_verbosity(b, c->cfg.verbosity);
    SDRClassifierRegionProto_set_maxCategoryCount(b, c->cfg.max_category_count);
    SDRClassifierRegionProto_set_learningMode(b, c->learn);
    SDRClassifierRegionProto_set_inferenceMode(b, c->infer);
    SDRClassifierRegionProto_set_recordNum(b, c->record_num);
    return nupic_classifier_write(
        c->cl, SDRClassifierRegionProto_init_sdrClassifier(b), err);
}

static nupic_status classifier_region_read(nupic_region *r, ncp_ptr p,
                                           void **impl, nupic_error *err) {
    SDRClassifierRegionProto_R rp = SDRClassifierRegionProto_read(p);
    classifier_region *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ERR(NUPIC_ERR_NOMEM, "SDRClassifierRegion: out of memory");
    classifier_region_config_default(&c->cfg);
    nupic_status st = nupic_classifier_read(
        SDRClassifierRegionProto_get_sdrClassifier(rp), &c->cl, err);
    if (st != NUPIC_OK) {
        classifier_region_free(c);
        return st;
    }
    /* The parameters that matter are the classifier's own. */
    nupic_classifier_params p2;
    nupic_classifier_get_params(c->cl, &p2);
    size_t used = 0;
    c->cfg.steps[0] = '\0';
    for (uint32_t i = 0; i < p2.num_steps; i++) {
        int k = snprintf(c->cfg.steps + used, sizeof c->cfg.steps - used,
                         "%s%u", i ? "," : "", p2.steps[i]);
        if (k > 0 && (size_t)k < sizeof c->cfg.steps - used) used += (size_t)k;
    }
    c->cfg.alpha = p2.alpha;
    c->cfg.act_value_alpha = p2.act_value_alpha;
    c->cfg.verbosity = p2.verbosity;
    c->cfg.max_category_count =
        SDRClassifierRegionProto_get_maxCategoryCount(rp);
    c->learn = SDRClassifierRegionProto_get_learningMode(rp);
    c->infer = SDRClassifierRegionProto_get_inferenceMode(rp);
    c->record_num = SDRClassifierRegionProto_get_recordNum(rp);
    uint32_t last;
    if (nupic_classifier_last_record(c->cl, &last) && last >= c->record_num) {
        st = ERR(NUPIC_ERR_FORMAT,
                 "region '%s': SDRClassifierRegionProto.recordNum %u is not "
                 "after the classifier's last record %u",
                 nupic_region_name(r), c->record_num, last);
        classifier_region_free(c);
        return st;
    }
    *impl = c;
    return NUPIC_OK;
}

static bool classifier_region_equal(const void *a, const void *b, char *diff,
                                    size_t size) {
    const classifier_region *x = a, *y = b;
    if (x->learn != y->learn || x->infer != y->infer ||
        x->record_num != y->record_num) {
        if (diff)
            snprintf(diff, size, "SDRClassifierRegion: modes or recordNum");
        return false;
    }
    return nupic_classifier_equal(x->cl, y->cl, diff, size);
}

void classifier_region_set_modes(void *impl, bool learn, bool infer) {
    classifier_region *c = impl;
    c->learn = learn;
    c->infer = infer;
}
nupic_classifier *classifier_region_classifier(void *impl) {
    return ((classifier_region *)impl)->cl;
}
bool classifier_region_inferred(const void *impl) {
    return ((const classifier_region *)impl)->inferred;
}

static const nupic_port_spec classifier_inputs[] = {
    {"bottomUpIn", NUPIC_ARRAY_REAL32, true},
    {"bucketIdxIn", NUPIC_ARRAY_REAL64, false},
    {"actValueIn", NUPIC_ARRAY_REAL64, false},
};

static const nupic_region_type classifier_type = {
    .name = REGION_CLASSIFIER,
    .inputs = classifier_inputs,
    .n_inputs = 3,
    .outputs = NULL,
    .n_outputs = 0,
    .create = classifier_region_create,
    .initialize = classifier_region_initialize,
    .compute = classifier_region_compute,
    .free = classifier_region_free,
    .write = classifier_region_write,
    .read = classifier_region_read,
    .equal = classifier_region_equal,
    .execute = NULL,
};

/* ------------------------------------------------------------------------
 * py.AnomalyLikelihoodRegion
 * ------------------------------------------------------------------------ */

/* The state is an AnomalyLikelihoodProto, which has the layout (and file
 * ID) of NuPIC's AnomalyLikelihoodRegionProto. */

static nupic_status likelihood_create(nupic_region *r, const char *params_json,
                                      void **impl, nupic_error *err) {
    char where[300];
    snprintf(where, sizeof where, "region '%s' (%s)", nupic_region_name(r),
             REGION_LIKELIHOOD);
    json_t *obj;
    nupic_status st = parse_json_text(params_json, &obj, where, err);
    if (st != NUPIC_OK) return st;
    nupic_likelihood_params p;
    nupic_likelihood_params_default(&p);
    st = likelihood_region_config_parse(obj, &p, where, err);
    json_decref(obj);
    if (st != NUPIC_OK) return st;
    nupic_likelihood *l;
    st = nupic_likelihood_new(&p, &l, err);
    if (st == NUPIC_OK) *impl = l;
    return st;
}

static nupic_status likelihood_initialize(nupic_region *r, void *impl,
                                          nupic_error *err) {
    (void)impl;
    nupic_status st =
        nupic_region_set_output_size(r, "anomalyLikelihood", 1, err);
    if (st == NUPIC_OK)
        st = nupic_region_set_output_size(r, "logLikelihood", 1, err);
    return st;
}

static nupic_status likelihood_compute(nupic_region *r, void *impl,
                                       nupic_error *err) {
    const nupic_array *s = nupic_region_input(r, "rawAnomalyScore");
    const nupic_array *v = nupic_region_input(r, "metricValue");
    double score = s->count ? ((const double *)s->data)[0] : 0.0;
    double value = v->count ? ((const double *)v->data)[0] : 0.0;
    /* A missing value (NaN) is recorded as 0: the likelihood keeps values
     * only beside the scores it estimates from. */
    if (!isfinite(value)) value = 0.0;
    double lk;
    nupic_status st = nupic_likelihood_compute(impl, value, score, &lk, err);
    if (st != NUPIC_OK) return st;
    ((double *)nupic_region_output(r, "anomalyLikelihood")->data)[0] = lk;
    ((double *)nupic_region_output(r, "logLikelihood")->data)[0] =
        nupic_likelihood_log(lk);
    return NUPIC_OK;
}

static void likelihood_free(void *impl) {
    nupic_likelihood_free(impl);
}

static nupic_status likelihood_write(const nupic_region *r, const void *impl,
                                     ncp_bptr p, nupic_error *err) {
    (void)r;
    return nupic_likelihood_write(impl, AnomalyLikelihoodProto_new(p), err);
}

static nupic_status likelihood_read(nupic_region *r, ncp_ptr p, void **impl,
                                    nupic_error *err) {
    (void)r;
    nupic_likelihood *l;
    nupic_status st =
        nupic_likelihood_read(AnomalyLikelihoodProto_read(p), &l, err);
    if (st == NUPIC_OK) *impl = l;
    return st;
}

static bool likelihood_equal(const void *a, const void *b, char *diff,
                             size_t size) {
    return nupic_likelihood_equal(a, b, diff, size);
}

static const nupic_port_spec likelihood_inputs[] = {
    {"rawAnomalyScore", NUPIC_ARRAY_REAL64, true},
    {"metricValue", NUPIC_ARRAY_REAL64, false},
};
static const nupic_port_spec likelihood_outputs[] = {
    {"anomalyLikelihood", NUPIC_ARRAY_REAL64, false},
    {"logLikelihood", NUPIC_ARRAY_REAL64, false},
};

static const nupic_region_type likelihood_type = {
    .name = REGION_LIKELIHOOD,
    .inputs = likelihood_inputs,
    .n_inputs = 2,
    .outputs = likelihood_outputs,
    .n_outputs = 2,
    .create = likelihood_create,
    .initialize = likelihood_initialize,
    .compute = likelihood_compute,
    .free = likelihood_free,
    .write = likelihood_write,
    .read = likelihood_read,
    .equal = likelihood_equal,
    .execute = NULL,
};

/* ------------------------------------------------------------------------ */

const nupic_region_type *const nupic_builtin_region_types[] = {
    &sensor_type, &sp_type, &tm_type, &classifier_type, &likelihood_type,
};
const size_t nupic_builtin_region_type_count =
    sizeof nupic_builtin_region_types / sizeof nupic_builtin_region_types[0];
