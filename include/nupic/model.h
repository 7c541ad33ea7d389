/*
 * nupic/model.h - NuPIC's OPF HTMPredictionModel in C: a network built from
 * a params document (NuPIC's modelConfig, as JSON), fed one record at a
 * time, returning the raw anomaly score, the anomaly likelihood and
 * multi-step predictions, and saved and restored whole - the anomaly
 * likelihood included - as one Cap'n Proto message.
 *
 * The network is NuPIC's: a record sensor ("sensor": the encoders of
 * sensorParams.encoders, the predicted field's classifier-only encoder
 * apart), a spatial pooler ("SP", spEnable), a temporal memory ("TM",
 * tmEnable: tmParams.temporalImp "tm_cpp" is nupic/tm.h, "cpp" the
 * backtracking TM), an SDR classifier ("Classifier", clEnable) and an
 * anomaly likelihood ("AnomalyLikelihood"), run in that order.  The raw
 * anomaly score is NuPIC's TemporalAnomaly score: the fraction of the SP's
 * active columns that the TM did not predict at the previous record
 * (float32, as NuPIC's TM region outputs it); the likelihood is NuPIC's
 * AnomalyLikelihood.anomalyProbability of the predicted field's value and
 * that score, and its computeLogLikelihood.
 *
 * Ownership: constructors return a model the caller frees with
 * nupic_model_free.  Thread-safety: one thread at a time per model.
 */
#ifndef NUPIC_MODEL_H
#define NUPIC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/encoders.h>
#include <nupic/network.h>
#include <nupic/persist.h>
#include <nupic/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nupic_model nupic_model;

/* A model from NuPIC's params document: either {"modelConfig": {...},
 * "inferenceArgs": {...}, "likelihoodParams": {...}} (the shape of NuPIC's
 * getScalarMetricWithTimeOfDayAnomalyParams result, plus nupic-c's
 * optional "likelihoodParams": AnomalyLikelihood's learningPeriod,
 * estimationSamples, historicWindowSize, reestimationPeriod) or a bare
 * modelConfig object ({"model": "HTMPrediction", "version": 1,
 * "modelParams": {...}}).  Unknown or invalid keys give NUPIC_ERR_PARAM
 * naming the key (e.g. "modelConfig.modelParams.spParams.colmnCount: unknown
 * parameter"). */
NCP_API nupic_status nupic_model_new_from_json(const char *json, size_t len,
                                               nupic_model **out,
                                               nupic_error *err);
NCP_API nupic_status nupic_model_new_from_file(const char *path,
                                               nupic_model **out,
                                               nupic_error *err);

/* NuPIC's getScalarMetricWithTimeOfDayAnomalyParams(metricData, minVal,
 * maxVal, minResolution, tmImplementation): a timestamp field "c0"
 * (time-of-day encoder, width 21, radius 9.49) and a value field "c1"
 * (random distributed scalar encoder, resolution
 * max(minResolution, (maxVal - minVal) / 130), seed 42), and the SP and TM
 * parameters of the chosen variant. */
typedef struct nupic_anomaly_preset {
    double min_val, max_val;       /* equal values: max_val = min_val + 1 */
    double min_resolution;         /* 0: NuPIC's default 0.001 */
    const char *tm_implementation; /* "cpp" (NuPIC's default) or "tm_cpp" */
} nupic_anomaly_preset;

/* The preset's params document (a NUL-terminated JSON string the caller
 * frees with free()); it builds the same model as
 * nupic_model_new_anomaly_preset. */
NCP_API nupic_status nupic_anomaly_preset_json(const nupic_anomaly_preset *p,
                                               char **json, nupic_error *err);
NCP_API nupic_status nupic_model_new_anomaly_preset(
    const nupic_anomaly_preset *p, nupic_model **out, nupic_error *err);

NCP_API void nupic_model_free(nupic_model *m);

/* The record's fields, in the order nupic_model_run takes their values:
 * every field an encoder reads (classifier-only ones included). */
NCP_API uint32_t nupic_model_num_fields(const nupic_model *m);
NCP_API const char *nupic_model_field_name(const nupic_model *m, uint32_t i);
/* NUPIC_VALUE_NUMBER, _DATETIME or _CATEGORY. */
NCP_API nupic_value_kind nupic_model_field_kind(const nupic_model *m,
                                                uint32_t i);
/* The predicted field's index (inferenceArgs.predictedField); false if the
 * model has none. */
NCP_API bool nupic_model_predicted_field(const nupic_model *m, uint32_t *i);

#define NUPIC_MODEL_MAX_STEPS 32

/* One record's results. */
typedef struct nupic_model_result {
    uint64_t record;       /* 0 for the first record run */
    bool has_anomaly;      /* TemporalAnomaly models */
    double raw_anomaly;    /* in [0, 1] (a float32 value) */
    double likelihood;     /* 0.5 during the probationary period */
    double log_likelihood; /* computeLogLikelihood(likelihood) */
    /* Multi-step predictions (classifier enabled and inference on):
     * for step steps[k], the most likely value and its probability. */
    uint32_t n_steps;
    uint32_t steps[NUPIC_MODEL_MAX_STEPS];
    double best_value[NUPIC_MODEL_MAX_STEPS];
    double best_probability[NUPIC_MODEL_MAX_STEPS];
} nupic_model_result;

/* Feeds one record: values[i] is field i's value (a missing value is
 * NUPIC_VALUE_MISSING).  On error the model is unchanged unless the error
 * is NUPIC_ERR_NOMEM. */
NCP_API nupic_status nupic_model_run(nupic_model *m, const nupic_value *values,
                                     nupic_model_result *out, nupic_error *err);

/* Learning (all regions) and inference; both on after creation.  With
 * the backtracking TM, a run with both off gives NUPIC_ERR_ARG (as
 * NuPIC's BacktrackingTMCPP). */
NCP_API void nupic_model_enable_learning(nupic_model *m, bool on);
NCP_API void nupic_model_enable_inference(nupic_model *m, bool on);
NCP_API bool nupic_model_learning(const nupic_model *m);
NCP_API bool nupic_model_inference(const nupic_model *m);
/* NuPIC's resetSequenceStates: the TM forgets the current sequence. */
NCP_API nupic_status nupic_model_reset(nupic_model *m, nupic_error *err);
/* Records run so far. */
NCP_API uint64_t nupic_model_records(const nupic_model *m);
NCP_API const nupic_network *nupic_model_network(const nupic_model *m);

/* Whether two models have equal state: network, likelihood, switches,
 * counters. */
NCP_API bool nupic_model_equal(const nupic_model *a, const nupic_model *b,
                               char *diff, size_t diff_size);

/* ---- checkpoints and serialization ------------------------------------- */

/* Writes the whole model as dir/model.data (created with the directory if
 * needed), replaced atomically: a failure (full disk, read-only file
 * system, a kill) leaves the previous checkpoint loadable. */
NCP_API nupic_status nupic_model_save(const nupic_model *m, const char *dir,
                                      nupic_error *err);
/* Restores a model saved by nupic_model_save. */
NCP_API nupic_status nupic_model_load(const char *dir, nupic_model **out,
                                      nupic_error *err);

NCP_API nupic_status
nupic_model_write_to_file(const nupic_model *m, FILE *f,
                          const nupic_save_options *options, nupic_error *err);
NCP_API nupic_status
nupic_model_read_from_file(FILE *f, const nupic_load_options *options,
                           nupic_model **out, nupic_error *err);
NCP_API nupic_status nupic_model_write_to_mem(const nupic_model *m,
                                              const nupic_save_options *options,
                                              void **buf, size_t *len,
                                              nupic_error *err);
NCP_API nupic_status nupic_model_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_model **out, nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_MODEL_H */
