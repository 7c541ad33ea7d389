/*
 * nupic/params.h - algorithm parameters from JSON, under NuPIC's names.
 *
 * A parameters document is a JSON object whose keys are the camelCase
 * names nupic.core's constructors take ("inputDimensions",
 * "synPermConnected", ...).  Keys that are absent keep nupic.core's
 * defaults; an unknown key, a value of the wrong type or out of its range
 * is an error naming the key (NUPIC_ERR_PARAM), and malformed JSON an error
 * with its line and column (NUPIC_ERR_FORMAT).  Further checks (dimension
 * counts that agree, densities in range, ...) are the constructor's.
 *
 * Thread-safety: pure functions of their arguments.
 */
#ifndef NUPIC_PARAMS_H
#define NUPIC_PARAMS_H

#include <stddef.h>

#include <nupic/anomaly.h>
#include <nupic/classifier.h>
#include <nupic/encoders.h>
#include <nupic/sp.h>
#include <nupic/status.h>
#include <nupic/btm.h>
#include <nupic/tm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fills *out from the JSON text json[0..len): nupic_sp_params_default()
 * overridden by the document's keys.  *out is written only on success. */
NCP_API nupic_status nupic_sp_params_from_json(const char *json, size_t len,
                                               nupic_sp_params *out,
                                               nupic_error *err);

/* The same from a file; errors name the path. */
NCP_API nupic_status nupic_sp_params_load(const char *path,
                                          nupic_sp_params *out,
                                          nupic_error *err);

/* TemporalMemory parameters, likewise (nupic_tm_params_default()
 * overridden; "columnDimensions", "cellsPerColumn", ...). */
NCP_API nupic_status nupic_tm_params_from_json(const char *json, size_t len,
                                               nupic_tm_params *out,
                                               nupic_error *err);
NCP_API nupic_status nupic_tm_params_load(const char *path,
                                          nupic_tm_params *out,
                                          nupic_error *err);

/* BacktrackingTM parameters, likewise (nupic_btm_params_default()
 * overridden; NuPIC's keyword names "numberOfCols", "cellsPerColumn", ...,
 * "outputType" as a string). */
NCP_API nupic_status nupic_btm_params_from_json(const char *json, size_t len,
                                                nupic_btm_params *out,
                                                nupic_error *err);
NCP_API nupic_status nupic_btm_params_load(const char *path,
                                           nupic_btm_params *out,
                                           nupic_error *err);

/* Encoders from JSON objects of NuPIC's constructor keyword arguments
 * (absent keys keep NuPIC's defaults; an unknown key or a value of the
 * wrong type is NUPIC_ERR_PARAM naming it; the constructor checks the
 * rest):
 *  ScalarEncoder: w, minval, maxval, periodic, n, radius, resolution, name,
 *    verbosity, clipInput, forced (the default name is NuPIC's, from the
 *    numbers as written: "[0:100]");
 *  RandomDistributedScalarEncoder: resolution, w, n, name, offset (a
 *    number, or null), seed, verbosity;
 *  DateEncoder: season, dayOfWeek, weekend, timeOfDay (a width, or
 *    [width, radius]), holiday (a width), customDays ([width, "day"] or
 *    [width, ["day", ...]]), holidays ([[month, day] or [year, month, day],
 *    ...]), name, forced;
 *  CategoryEncoder: w, categoryList, name, verbosity, forced, and
 *    nupic-c's allowUnknown (default true). */
NCP_API nupic_status nupic_scalar_enc_new_from_json(const char *json,
                                                    size_t len,
                                                    nupic_scalar_enc **out,
                                                    nupic_error *err);
NCP_API nupic_status nupic_rdse_new_from_json(const char *json, size_t len,
                                              nupic_rdse **out,
                                              nupic_error *err);
NCP_API nupic_status nupic_date_enc_new_from_json(const char *json, size_t len,
                                                  nupic_date_enc **out,
                                                  nupic_error *err);
NCP_API nupic_status nupic_category_enc_new_from_json(const char *json,
                                                      size_t len,
                                                      nupic_category_enc **out,
                                                      nupic_error *err);

/* A MultiEncoder from NuPIC's encoders dict (an OPF model's
 * sensorParams.encoders): {"key": {"fieldname": "...", "type":
 * "ScalarEncoder", <parameters>}, ...}.  As NuPIC, the encoders come in
 * the order of their sorted keys, and keys holding ':' or a null value are
 * skipped; as the OPF, so are those with "classifierOnly": true.  Another
 * type than the four above gives NUPIC_ERR_UNSUPPORTED. */
NCP_API nupic_status nupic_multi_enc_new_from_json(const char *json, size_t len,
                                                   nupic_multi_enc **out,
                                                   nupic_error *err);
NCP_API nupic_status nupic_multi_enc_load_json(const char *path,
                                               nupic_multi_enc **out,
                                               nupic_error *err);

/* SDRClassifier parameters ("steps": an array of steps or one step,
 * "alpha", "actValueAlpha", "verbosity"): nupic_classifier_params_default()
 * overridden by the document's keys.  *out is written only on success. */
NCP_API nupic_status nupic_classifier_params_from_json(
    const char *json, size_t len, nupic_classifier_params *out,
    nupic_error *err);
NCP_API nupic_status nupic_classifier_params_load(const char *path,
                                                  nupic_classifier_params *out,
                                                  nupic_error *err);

/* AnomalyLikelihood parameters ("learningPeriod", "estimationSamples",
 * "historicWindowSize", "reestimationPeriod"; the deprecated
 * "claLearningPeriod", when not null, overrides "learningPeriod" as in
 * NuPIC): nupic_likelihood_params_default() overridden by the document's
 * keys.  *out is written only on success. */
NCP_API nupic_status nupic_likelihood_params_from_json(
    const char *json, size_t len, nupic_likelihood_params *out,
    nupic_error *err);
NCP_API nupic_status nupic_likelihood_params_load(const char *path,
                                                  nupic_likelihood_params *out,
                                                  nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_PARAMS_H */
