/*
 * src/engine/regions.h - the built-in region types (internal): NuPIC's
 * py.RecordSensor, py.SPRegion, py.TMRegion, py.SDRClassifierRegion and
 * py.AnomalyLikelihoodRegion, with their state in NuPIC's region schemas,
 * and what the model needs of them beyond the generic region interface.
 */
#ifndef NUPIC_ENGINE_REGIONS_H
#define NUPIC_ENGINE_REGIONS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <nupic/anomaly.h>
#include <nupic/classifier.h>
#include <nupic/encoders.h>
#include <nupic/network.h>
#include <nupic/sp.h>
#include <nupic/tm.h>

extern const nupic_region_type *const nupic_builtin_region_types[];
extern const size_t nupic_builtin_region_type_count;

#define REGION_SENSOR     "py.RecordSensor"
#define REGION_SP         "py.SPRegion"
#define REGION_TM         "py.TMRegion"
#define REGION_CLASSIFIER "py.SDRClassifierRegion"
#define REGION_LIKELIHOOD "py.AnomalyLikelihoodRegion"

/* ---- parameter tables ---------------------------------------------------- */

#define REGION_STR_SIZE 64

typedef enum {
    RP_U32,
    RP_I32,
    RP_F32,
    RP_F64,
    RP_BOOL,
    RP_STR,   /* char[REGION_STR_SIZE] */
    RP_IGNORE /* accepted (NuPIC knows it), not used */
} region_param_kind;

typedef struct region_param {
    const char *name;
    region_param_kind kind;
    size_t offset;
    double lo, hi; /* numbers: the accepted range */
} region_param;

const char *region_json_kind(const json_t *v);
nupic_status region_param_set(const region_param *p, const json_t *v,
                              void *base, const char *where, nupic_error *err);
/* Every key of obj (NULL: none) must be in the table; errors read
 * "<where>.<key>: ...".  null values keep the defaults. */
nupic_status region_params_parse(const json_t *obj, const region_param *table,
                                 size_t n, void *base, const char *where,
                                 nupic_error *err);

/* py.SPRegion's parameters (SPRegion's keyword arguments). */
typedef struct sp_region_config {
    char spatial_imp[REGION_STR_SIZE];
    uint32_t input_width; /* 0: the input's width */
    uint32_t column_count;
    nupic_sp_params sp; /* dimensions unused */
} sp_region_config;
void sp_region_config_default(sp_region_config *c);
nupic_status sp_region_config_parse(const json_t *obj, sp_region_config *c,
                                    const char *where, nupic_error *err);

/* py.TMRegion's parameters (TMRegion's keyword arguments: BacktrackingTM's
 * names). */
typedef struct tm_region_config {
    char temporal_imp[REGION_STR_SIZE];
    uint32_t column_count, input_width, cells_per_column;
    uint32_t activation_threshold, min_threshold, new_synapse_count;
    float initial_perm, connected_perm, permanence_inc, permanence_dec,
        permanence_max, predicted_segment_decrement, global_decay;
    uint32_t max_age, pam_length, seg_update_valid_duration, burn_in;
    uint32_t max_inf_backtrack, max_lrn_backtrack, max_seq_length;
    int32_t max_segments_per_cell, max_synapses_per_segment, seed;
    bool do_pooling, collect_stats, anomaly_mode, or_column_outputs;
    char output_type[REGION_STR_SIZE];
} tm_region_config;
void tm_region_config_default(tm_region_config *c);
nupic_status tm_region_config_parse(const json_t *obj, tm_region_config *c,
                                    const char *where, nupic_error *err);

/* py.SDRClassifierRegion's parameters. */
typedef struct classifier_region_config {
    char steps[REGION_STR_SIZE]; /* "1", "1,5" */
    double alpha, act_value_alpha;
    char implementation[REGION_STR_SIZE];
    uint32_t max_category_count, verbosity;
} classifier_region_config;
void classifier_region_config_default(classifier_region_config *c);
nupic_status classifier_region_config_parse(const json_t *obj,
                                            classifier_region_config *c,
                                            const char *where,
                                            nupic_error *err);

/* py.AnomalyLikelihoodRegion's parameters (into *p, defaults kept). */
nupic_status likelihood_region_config_parse(const json_t *obj,
                                            nupic_likelihood_params *p,
                                            const char *where,
                                            nupic_error *err);

/* ---- py.RecordSensor ---------------------------------------------------- */

/* The encoders of a sensor's parameters ({"encoders": {...}, "verbosity",
 * "sensorAutoReset"}): the network's and the classifier-only ones (NULL
 * when there are none). */
nupic_status sensor_encoders_from_params(const json_t *obj,
                                         nupic_multi_enc **main_enc,
                                         nupic_multi_enc **cl_enc,
                                         const char *where, nupic_error *err);

/* The sensor's fields: those of its encoder, then those only its
 * classifier-only encoder reads. */
uint32_t sensor_num_fields(const void *impl);
const char *sensor_field_name(const void *impl, uint32_t i);
nupic_value_kind sensor_field_kind(const void *impl, uint32_t i);
bool sensor_find_field(const void *impl, const char *name, uint32_t *i);
/* The predicted field (bucketIdxOut, actValueOut), by index; UINT32_MAX:
 * none. */
nupic_status sensor_set_predicted_field(void *impl, uint32_t field,
                                        nupic_error *err);
uint32_t sensor_predicted_field(const void *impl);
/* The record the next compute encodes (values in field order; copied,
 * category strings included). */
nupic_status sensor_set_record(void *impl, const nupic_value *values,
                               nupic_error *err);

/* ---- py.SPRegion, py.TMRegion, py.SDRClassifierRegion -------------------- */

void sp_region_set_modes(void *impl, bool learn, bool infer);
nupic_sp *sp_region_sp(void *impl);
void tm_region_set_modes(void *impl, bool learn, bool infer);
void tm_region_set_anomaly_mode(void *impl, bool on);
nupic_tm *tm_region_tm(void *impl);
/* Whether the region runs the backtracking TM (temporalImp "cpp"). */
bool tm_region_is_backtracking(const void *impl);
void classifier_region_set_modes(void *impl, bool learn, bool infer);
nupic_classifier *classifier_region_classifier(void *impl);
/* Whether the last compute inferred (its results are the classifier's). */
bool classifier_region_inferred(const void *impl);

#endif /* NUPIC_ENGINE_REGIONS_H */
