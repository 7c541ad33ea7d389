/*
 * src/engine/model.c - NuPIC's OPF HTMPredictionModel (nupic/model.h): a
 * network built from a params document, run record by record, saved whole
 * as an HTMPredictionModelProto.
 *
 * Building: the document is checked first, every section under its own
 * path ("modelConfig.modelParams.spParams.columnCount: ..."), with the
 * region types' own parameter tables; then the network is made of regions
 * named as NuPIC names them ("sensor", "SP", "TM", "Classifier") and the
 * anomaly likelihood ("AnomalyLikelihood"), in phases 0 to 4, linked as
 * NuPIC links them.
 *
 * Saving: the model's switches and counters, its params document (as
 * text, for the record), and the network with every region's state.
 * Loading reads the network back, finds the regions by name and type, and
 * restores the switches; the params document is not parsed again.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include <nupic/model.h>

#include "../algo/persist.h"
#include "regions.h"

#include "nupic/frameworks/opf/HTMPredictionModelProto.capnp.h"

#define ERR(st, ...) nupic_error_set(err, st, __VA_ARGS__)

#define MP "modelConfig.modelParams"

typedef enum inference_type {
    INF_TEMPORAL_NEXT_STEP = 0,
    INF_TEMPORAL_CLASSIFICATION,
    INF_NONTEMPORAL_CLASSIFICATION,
    INF_TEMPORAL_ANOMALY,
    INF_NONTEMPORAL_ANOMALY,
    INF_TEMPORAL_MULTI_STEP,
    INF_NONTEMPORAL_MULTI_STEP,
    INF_COUNT_
} inference_type;

/* NuPIC's names, in the order of InferenceType (opf_utils.capnp). */
static const char *const inference_names[INF_COUNT_] = {
    "TemporalNextStep",          "TemporalClassification",
    "NontemporalClassification", "TemporalAnomaly",
    "NontemporalAnomaly",        "TemporalMultiStep",
    "NontemporalMultiStep"};

struct nupic_model {
    nupic_network *net;
    nupic_region *sensor, *sp, *tm, *cl, *lk; /* NULL when disabled */
    inference_type inference_type;
    bool learning, inference;
    uint64_t records;
    uint32_t predicted_field; /* sensor field, UINT32_MAX: none */
    char *predicted_field_name;
    double min_likelihood_threshold;
    uint32_t max_predictions_per_step;
    char *params_json;    /* the document the model was made from */
    char *inference_args; /* JSON */
};

static bool is_anomaly(inference_type t) {
    return t == INF_TEMPORAL_ANOMALY || t == INF_NONTEMPORAL_ANOMALY;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

void nupic_model_free(nupic_model *m) {
    if (m == NULL) return;
    nupic_network_free(m->net);
    free(m->predicted_field_name);
    free(m->params_json);
    free(m->inference_args);
    free(m);
}

/* ------------------------------------------------------------------------
 * The params document
 * ------------------------------------------------------------------------ */

typedef struct model_doc {
    json_t *root;           /* owned */
    json_t *model_config;   /* borrowed from root */
    json_t *inference_args; /* borrowed, may be NULL */
    json_t *likelihood;     /* borrowed, may be NULL */
    inference_type type;
    json_t *sensor_params, *sp_params, *tm_params, *cl_params;
    bool sp_enable, tm_enable, cl_enable;
    double min_likelihood_threshold;
    uint32_t max_predictions_per_step;
    const char *predicted_field; /* borrowed, may be NULL */
} model_doc;

static nupic_status get_bool(const json_t *v, const char *where, bool *out,
                             nupic_error *err) {
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return NUPIC_OK;
    }
    if (json_is_integer(v) &&
        (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = json_integer_value(v) == 1;
        return NUPIC_OK;
    }
    return ERR(NUPIC_ERR_PARAM, "%s: expected true or false, got %s", where,
               region_json_kind(v));
}

static nupic_status check_object(const json_t *v, const char *where,
                                 nupic_error *err) {
    if (!json_is_object(v))
        return ERR(NUPIC_ERR_PARAM, "%s: expected an object, got %s", where,
                   v ? region_json_kind(v) : "nothing");
    return NUPIC_OK;
}

/* aggregationInfo: accepted when it asks for no aggregation. */
static nupic_status check_aggregation(const json_t *v, nupic_error *err) {
    if (json_is_null(v)) return NUPIC_OK;
    nupic_status st = check_object(v, "modelConfig.aggregationInfo", err);
    if (st != NUPIC_OK) return st;
    const char *key;
    json_t *x;
    json_t *obj = (json_t *)(uintptr_t)v;
    json_object_foreach(obj, key, x) {
        if (strcmp(key, "fields") == 0) {
            if (!json_is_array(x) || json_array_size(x) != 0)
                return ERR(NUPIC_ERR_UNSUPPORTED,
                           "modelConfig.aggregationInfo.fields: aggregation "
                           "is not supported (expected [])");
            continue;
        }
        if (!json_is_number(x))
            return ERR(NUPIC_ERR_PARAM,
                       "modelConfig.aggregationInfo.%s: expected a number",
                       key);
        if (json_number_value(x) != 0)
            return ERR(NUPIC_ERR_UNSUPPORTED,
                       "modelConfig.aggregationInfo.%s: aggregation is not "
                       "supported (expected 0)",
                       key);
    }
    return NUPIC_OK;
}

static nupic_status parse_model_params(model_doc *d, const json_t *mp,
                                       nupic_error *err) {
    nupic_status st = check_object(mp, MP, err);
    if (st != NUPIC_OK) return st;
    d->type = INF_COUNT_;
    d->sp_enable = d->tm_enable = true;
    d->cl_enable = false;
    d->min_likelihood_threshold = 0.0001; /* HTMPredictionModel's defaults */
    d->max_predictions_per_step = 8;
    const char *key;
    json_t *v;
    json_t *mpo = (json_t *)(uintptr_t)mp;
    json_object_foreach(mpo, key, v) {
        char where[160];
        snprintf(where, sizeof where, MP ".%s", key);
        if (strcmp(key, "inferenceType") == 0) {
            if (!json_is_string(v))
                return ERR(NUPIC_ERR_PARAM, "%s: expected a string", where);
            for (int i = 0; i < INF_COUNT_; i++)
                if (strcmp(json_string_value(v), inference_names[i]) == 0)
                    d->type = (inference_type)i;
            if (d->type == INF_COUNT_)
                return ERR(NUPIC_ERR_PARAM, "%s: unknown inference type '%s'",
                           where, json_string_value(v));
        } else if (strcmp(key, "sensorParams") == 0) {
            d->sensor_params = v;
        } else if (strcmp(key, "spParams") == 0) {
            d->sp_params = v;
        } else if (strcmp(key, "tmParams") == 0 ||
                   strcmp(key, "tpParams") == 0) {
            d->tm_params = v;
        } else if (strcmp(key, "clParams") == 0) {
            d->cl_params = v;
        } else if (strcmp(key, "spEnable") == 0) {
            st = get_bool(v, where, &d->sp_enable, err);
        } else if (strcmp(key, "tmEnable") == 0 ||
                   strcmp(key, "tpEnable") == 0) {
            st = get_bool(v, where, &d->tm_enable, err);
        } else if (strcmp(key, "clEnable") == 0) {
            st = get_bool(v, where, &d->cl_enable, err);
        } else if (strcmp(key, "minLikelihoodThreshold") == 0) {
            if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
                !(json_number_value(v) <= 1))
                return ERR(NUPIC_ERR_PARAM, "%s: expected a number in [0, 1]",
                           where);
            d->min_likelihood_threshold = json_number_value(v);
        } else if (strcmp(key, "maxPredictionsPerStep") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > 1000000)
                return ERR(NUPIC_ERR_PARAM, "%s: expected an integer from 1",
                           where);
            d->max_predictions_per_step = (uint32_t)json_integer_value(v);
        } else if (strcmp(key, "trainSPNetOnlyIfRequested") == 0) {
            bool b = false;
            st = get_bool(v, where, &b, err);
            if (st == NUPIC_OK && b)
                return ERR(NUPIC_ERR_UNSUPPORTED, "%s: true is not supported",
                           where);
        } else if (strcmp(key, "anomalyParams") == 0) {
            /* NuPIC's KNN anomaly classifier (anomaly labels): not built;
             * its settings are accepted. */
            if (!json_is_null(v)) {
                st = check_object(v, where, err);
                const char *k2;
                json_t *v2;
                if (st == NUPIC_OK) json_object_foreach(v, k2, v2) {
                        if (strcmp(k2, "anomalyCacheRecords") != 0 &&
                            strcmp(k2, "autoDetectThreshold") != 0 &&
                            strcmp(k2, "autoDetectWaitRecords") != 0)
                            return ERR(NUPIC_ERR_PARAM,
                                       "%s.%s: unknown parameter", where, k2);
                    }
            }
        } else {
            return ERR(NUPIC_ERR_PARAM, "%s: unknown parameter", where);
        }
        if (st != NUPIC_OK) return st;
    }
    if (d->type == INF_COUNT_)
        return ERR(NUPIC_ERR_PARAM, MP ".inferenceType: missing");
    switch (d->type) {
    case INF_TEMPORAL_ANOMALY:
    case INF_TEMPORAL_NEXT_STEP:
    case INF_TEMPORAL_MULTI_STEP:
    case INF_NONTEMPORAL_MULTI_STEP: break;
    default:
        return ERR(NUPIC_ERR_UNSUPPORTED,
                   MP ".inferenceType: '%s' is not supported (TemporalAnomaly, "
                      "TemporalNextStep, TemporalMultiStep, "
                      "NontemporalMultiStep)",
                   inference_names[d->type]);
    }
    if (d->sensor_params == NULL)
        return ERR(NUPIC_ERR_PARAM, MP ".sensorParams: missing");
    if (d->type == INF_TEMPORAL_ANOMALY && !d->tm_enable)
        return ERR(NUPIC_ERR_PARAM,
                   MP ".tmEnable: TemporalAnomaly needs the temporal memory");
    if (d->type != INF_TEMPORAL_ANOMALY && !d->cl_enable)
        return ERR(NUPIC_ERR_PARAM, MP ".clEnable: %s needs the classifier",
                   inference_names[d->type]);
    if (d->sp_enable && d->sp_params == NULL)
        return ERR(NUPIC_ERR_PARAM, MP ".spParams: missing");
    if (d->tm_enable && d->tm_params == NULL)
        return ERR(NUPIC_ERR_PARAM, MP ".tmParams: missing");
    if (d->cl_enable && d->cl_params == NULL)
        return ERR(NUPIC_ERR_PARAM, MP ".clParams: missing");
    /* Each section with its region type's own table. */
    nupic_multi_enc *e1, *e2;
    st = sensor_encoders_from_params(d->sensor_params, &e1, &e2,
                                     MP ".sensorParams", err);
    if (st != NUPIC_OK) return st;
    nupic_multi_enc_free(e1);
    nupic_multi_enc_free(e2);
    if (d->sp_enable) {
        sp_region_config c;
        sp_region_config_default(&c);
        st = sp_region_config_parse(d->sp_params, &c, MP ".spParams", err);
        if (st != NUPIC_OK) return st;
    }
    if (d->tm_enable) {
        tm_region_config c;
        tm_region_config_default(&c);
        st = tm_region_config_parse(d->tm_params, &c, MP ".tmParams", err);
        if (st != NUPIC_OK) return st;
    }
    if (d->cl_enable) {
        classifier_region_config c;
        classifier_region_config_default(&c);
        st = classifier_region_config_parse(d->cl_params, &c, MP ".clParams",
                                            err);
        if (st != NUPIC_OK) return st;
    }
    return NUPIC_OK;
}

static nupic_status parse_doc(const char *json, size_t len, model_doc *d,
                              nupic_error *err) {
    memset(d, 0, sizeof *d);
    json_error_t je;
    d->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (d->root == NULL)
        return ERR(NUPIC_ERR_FORMAT, "params: line %d, column %d: %s", je.line,
                   je.column, je.text);
    nupic_status st = check_object(d->root, "params", err);
    if (st != NUPIC_OK) return st;
    if (json_object_get(d->root, "modelConfig")) {
        const char *key;
        json_t *v;
        json_object_foreach(d->root, key, v) {
            if (strcmp(key, "modelConfig") == 0)
                d->model_config = v;
            else if (strcmp(key, "inferenceArgs") == 0)
                d->inference_args = v;
            else if (strcmp(key, "likelihoodParams") == 0)
                d->likelihood = v;
            else
                return ERR(NUPIC_ERR_PARAM, "%s: unknown parameter", key);
        }
    } else {
        d->model_config = d->root;
    }
    st = check_object(d->model_config, "modelConfig", err);
    if (st != NUPIC_OK) return st;
    const char *key;
    json_t *v, *mp = NULL;
    json_object_foreach(d->model_config, key, v) {
        if (strcmp(key, "model") == 0) {
            if (!json_is_string(v) ||
                (strcmp(json_string_value(v), "HTMPrediction") != 0 &&
                 strcmp(json_string_value(v), "CLA") != 0))
                return ERR(NUPIC_ERR_UNSUPPORTED,
                           "modelConfig.model: expected \"HTMPrediction\"");
        } else if (strcmp(key, "version") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) != 1)
                return ERR(NUPIC_ERR_UNSUPPORTED,
                           "modelConfig.version: expected 1");
        } else if (strcmp(key, "modelParams") == 0) {
            mp = v;
        } else if (strcmp(key, "aggregationInfo") == 0) {
            st = check_aggregation(v, err);
            if (st != NUPIC_OK) return st;
        } else if (strcmp(key, "predictAheadTime") == 0) {
            if (!json_is_null(v))
                return ERR(NUPIC_ERR_UNSUPPORTED,
                           "modelConfig.predictAheadTime: expected null");
        } else {
            return ERR(NUPIC_ERR_PARAM, "modelConfig.%s: unknown parameter",
                       key);
        }
    }
    if (mp == NULL)
        return ERR(NUPIC_ERR_PARAM, "modelConfig.modelParams: missing");
    st = parse_model_params(d, mp, err);
    if (st != NUPIC_OK) return st;
    if (d->inference_args && !json_is_null(d->inference_args)) {
        st = check_object(d->inference_args, "inferenceArgs", err);
        if (st != NUPIC_OK) return st;
        json_object_foreach(d->inference_args, key, v) {
            if (strcmp(key, "predictedField") == 0) {
                if (json_is_null(v)) continue;
                if (!json_is_string(v))
                    return ERR(NUPIC_ERR_PARAM,
                               "inferenceArgs.predictedField: expected a "
                               "field name");
                d->predicted_field = json_string_value(v);
            } else if (strcmp(key, "predictionSteps") != 0 &&
                       strcmp(key, "inputPredictedField") != 0) {
                return ERR(NUPIC_ERR_PARAM,
                           "inferenceArgs.%s: unknown parameter", key);
            }
        }
    }
    nupic_likelihood_params lp;
    nupic_likelihood_params_default(&lp);
    return likelihood_region_config_parse(d->likelihood, &lp,
                                          "likelihoodParams", err);
}

/* ------------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------------ */

static nupic_status add_region(nupic_model *m, const char *name,
                               const char *type, const json_t *params,
                               uint32_t phase, nupic_error *err) {
    char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
    if (params && text == NULL)
        return ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    nupic_status st =
        nupic_network_add_region(m->net, name, type, text, phase, err);
    free(text);
    return st;
}

/* The regions by name, checked against their types. */
static nupic_status find_regions(nupic_model *m, nupic_error *err) {
    static const struct {
        const char *name, *type;
        size_t offset;
    } want[] = {
        {"sensor", REGION_SENSOR, offsetof(nupic_model, sensor)},
        {"SP", REGION_SP, offsetof(nupic_model, sp)},
        {"TM", REGION_TM, offsetof(nupic_model, tm)},
        {"Classifier", REGION_CLASSIFIER, offsetof(nupic_model, cl)},
        {"AnomalyLikelihood", REGION_LIKELIHOOD, offsetof(nupic_model, lk)},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        nupic_region *r = nupic_network_region(m->net, want[i].name);
        if (r && strcmp(nupic_region_get_type(r)->name, want[i].type) != 0)
            return ERR(
                NUPIC_ERR_FORMAT, "model: region '%s' is a %s, expected a %s",
                want[i].name, nupic_region_get_type(r)->name, want[i].type);
        *(nupic_region **)(void *)((char *)m + want[i].offset) = r;
    }
    if (m->sensor == NULL)
        return ERR(NUPIC_ERR_FORMAT, "model: the network has no 'sensor'");
    if (is_anomaly(m->inference_type) && (m->tm == NULL || m->lk == NULL))
        return ERR(NUPIC_ERR_FORMAT,
                   "model: an anomaly model needs regions 'TM' and "
                   "'AnomalyLikelihood'");
    if (!is_anomaly(m->inference_type) && m->cl == NULL)
        return ERR(NUPIC_ERR_FORMAT,
                   "model: a prediction model needs region 'Classifier'");
    return NUPIC_OK;
}

static nupic_status set_predicted_field(nupic_model *m, const char *name,
                                        nupic_error *err) {
    m->predicted_field = UINT32_MAX;
    if (name == NULL) {
        if (!is_anomaly(m->inference_type))
            return ERR(NUPIC_ERR_PARAM,
                       "inferenceArgs.predictedField: %s needs a predicted "
                       "field",
                       inference_names[m->inference_type]);
        return NUPIC_OK;
    }
    void *s = nupic_region_impl(m->sensor);
    uint32_t f;
    if (!sensor_find_field(s, name, &f))
        return ERR(NUPIC_ERR_PARAM,
                   "inferenceArgs.predictedField: no encoder reads a field "
                   "'%s'",
                   name);
    nupic_status st = sensor_set_predicted_field(s, f, err);
    if (st != NUPIC_OK) return st;
    free(m->predicted_field_name);
    m->predicted_field_name = dup_str(name);
    if (m->predicted_field_name == NULL)
        return ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    m->predicted_field = f;
    return NUPIC_OK;
}

static nupic_status build(nupic_model *m, const model_doc *d,
                          nupic_error *err) {
    nupic_status st = nupic_network_new(&m->net, err);
    if (st != NUPIC_OK) return st;
    st = add_region(m, "sensor", REGION_SENSOR, d->sensor_params, 0, err);
    const char *feed = "sensor", *feed_out = "dataOut";
    if (st == NUPIC_OK && d->sp_enable) {
        st = add_region(m, "SP", REGION_SP, d->sp_params, 1, err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, feed, feed_out, "SP", "bottomUpIn",
                                    0, err);
        feed = "SP";
        feed_out = "bottomUpOut";
    }
    if (st == NUPIC_OK && d->tm_enable) {
        json_t *p = json_deep_copy(d->tm_params);
        if (p == NULL ||
            json_object_set_new(p, "anomalyMode",
                                json_boolean(is_anomaly(d->type))) != 0) {
            json_decref(p);
            return ERR(NUPIC_ERR_NOMEM, "model: out of memory");
        }
        st = add_region(m, "TM", REGION_TM, p, 2, err);
        json_decref(p);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, feed, feed_out, "TM", "bottomUpIn",
                                    0, err);
        feed = "TM";
        feed_out = "activeCells";
    }
    if (st == NUPIC_OK && d->cl_enable) {
        st = add_region(m, "Classifier", REGION_CLASSIFIER, d->cl_params, 3,
                        err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, feed, feed_out, "Classifier",
                                    "bottomUpIn", 0, err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, "sensor", "bucketIdxOut",
                                    "Classifier", "bucketIdxIn", 0, err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, "sensor", "actValueOut",
                                    "Classifier", "actValueIn", 0, err);
    }
    if (st == NUPIC_OK && is_anomaly(d->type)) {
        st = add_region(m, "AnomalyLikelihood", REGION_LIKELIHOOD,
                        d->likelihood, 4, err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, "TM", "anomalyScore",
                                    "AnomalyLikelihood", "rawAnomalyScore", 0,
                                    err);
        if (st == NUPIC_OK)
            st = nupic_network_link(m->net, "sensor", "actValueOut",
                                    "AnomalyLikelihood", "metricValue", 0, err);
    }
    if (st == NUPIC_OK) st = nupic_network_initialize(m->net, err);
    if (st == NUPIC_OK) st = find_regions(m, err);
    if (st == NUPIC_OK) st = set_predicted_field(m, d->predicted_field, err);
    return st;
}

nupic_status nupic_model_new_from_json(const char *json, size_t len,
                                       nupic_model **out, nupic_error *err) {
    if (out == NULL || json == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_new_from_json: NULL argument");
    *out = NULL;
    model_doc d;
    nupic_status st = parse_doc(json, len, &d, err);
    nupic_model *m = NULL;
    if (st == NUPIC_OK) {
        m = calloc(1, sizeof *m);
        if (m == NULL) st = ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    }
    if (st == NUPIC_OK) {
        m->inference_type = d.type;
        m->learning = m->inference = true;
        /* As the schema keeps it (Float32), so that a round trip is
         * exact. */
        m->min_likelihood_threshold = (float)d.min_likelihood_threshold;
        m->max_predictions_per_step = d.max_predictions_per_step;
        m->params_json = json_dumps(d.root, JSON_COMPACT | JSON_SORT_KEYS);
        m->inference_args =
            d.inference_args
                ? json_dumps(d.inference_args,
                             JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                : dup_str("{}");
        if (m->params_json == NULL || m->inference_args == NULL)
            st = ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    }
    if (st == NUPIC_OK) st = build(m, &d, err);
    json_decref(d.root);
    if (st != NUPIC_OK) {
        nupic_model_free(m);
        return st;
    }
    *out = m;
    return NUPIC_OK;
}

nupic_status nupic_model_new_from_file(const char *path, nupic_model **out,
                                       nupic_error *err) {
    if (out == NULL || path == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_new_from_file: NULL argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return ERR(NUPIC_ERR_IO, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap > ((size_t)64 << 20)) {
                free(buf);
                fclose(f);
                return ERR(NUPIC_ERR_TOO_LARGE, "%s: larger than 64 MiB", path);
            }
            cap = cap ? cap * 2 : 4096;
            char *b = realloc(buf, cap);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return ERR(NUPIC_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = b;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return ERR(NUPIC_ERR_IO, "%s: read error", path);
    }
    nupic_error local = {NUPIC_OK, ""};
    nupic_status st = nupic_model_new_from_json(buf, len, out, &local);
    free(buf);
    if (st != NUPIC_OK) return ERR(st, "%s: %s", path, local.message);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * The anomaly preset
 * ------------------------------------------------------------------------ */

nupic_status nupic_anomaly_preset_json(const nupic_anomaly_preset *p,
                                       char **json, nupic_error *err) {
    if (p == NULL || json == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_anomaly_preset_json: NULL argument");
    *json = NULL;
    double lo = p->min_val, hi = p->max_val;
    double min_res = p->min_resolution == 0 ? 0.001 : p->min_resolution;
    if (!isfinite(lo) || !isfinite(hi) || hi < lo)
        return ERR(NUPIC_ERR_PARAM,
                   "anomaly preset: min %.17g and max %.17g are not a range",
                   lo, hi);
    if (!isfinite(min_res) || min_res <= 0)
        return ERR(NUPIC_ERR_PARAM,
                   "anomaly preset: minResolution %.17g is not positive",
                   min_res);
    const char *imp = p->tm_implementation ? p->tm_implementation : "cpp";
    bool cpp = strcmp(imp, "cpp") == 0;
    if (!cpp && strcmp(imp, "tm_cpp") != 0)
        return ERR(NUPIC_ERR_PARAM,
                   "anomaly preset: tmImplementation '%s' (\"cpp\" or "
                   "\"tm_cpp\")",
                   imp);
    /* getScalarMetricWithTimeOfDayAnomalyParams. */
    if (lo == hi) hi = lo + 1;
    double resolution = (hi - lo) / 130.0;
    if (resolution < min_res) resolution = min_res;

    /* NuPIC's best_single_metric_anomaly_params_{cpp,tm_cpp}.json, with
     * NuPIC 1.0's names (boostStrength, tmEnable, tmParams). */
    static const char tm_cpp_params[] =
        "{\"activationThreshold\": 20, \"cellsPerColumn\": 32,"
        " \"columnCount\": 2048, \"globalDecay\": 0.0,"
        " \"initialPerm\": 0.24, \"inputWidth\": 2048, \"maxAge\": 0,"
        " \"maxSegmentsPerCell\": 128, \"maxSynapsesPerSegment\": 128,"
        " \"minThreshold\": 13, \"newSynapseCount\": 31,"
        " \"outputType\": \"normal\", \"permanenceDec\": 0.008,"
        " \"permanenceInc\": 0.04, \"predictedSegmentDecrement\": 0.001,"
        " \"seed\": 1960, \"temporalImp\": \"tm_cpp\", \"verbosity\": 0}";
    static const char cpp_params[] =
        "{\"activationThreshold\": 13, \"cellsPerColumn\": 32,"
        " \"columnCount\": 2048, \"globalDecay\": 0.0,"
        " \"initialPerm\": 0.21, \"inputWidth\": 2048, \"maxAge\": 0,"
        " \"maxSegmentsPerCell\": 128, \"maxSynapsesPerSegment\": 32,"
        " \"minThreshold\": 10, \"newSynapseCount\": 20,"
        " \"outputType\": \"normal\", \"pamLength\": 3,"
        " \"permanenceDec\": 0.1, \"permanenceInc\": 0.1,"
        " \"seed\": 1960, \"temporalImp\": \"cpp\", \"verbosity\": 0}";
    static const char tmpl[] =
        "{\"inferenceArgs\": {\"predictionSteps\": [1],"
        " \"predictedField\": \"c1\", \"inputPredictedField\": \"auto\"},"
        " \"modelConfig\": {\"aggregationInfo\": {\"seconds\": 0,"
        " \"fields\": [], \"months\": 0, \"days\": 0, \"years\": 0,"
        " \"hours\": 0, \"microseconds\": 0, \"weeks\": 0, \"minutes\": 0,"
        " \"milliseconds\": 0}, \"model\": \"HTMPrediction\", \"version\": 1,"
        " \"predictAheadTime\": null,"
        " \"modelParams\": {\"inferenceType\": \"TemporalAnomaly\","
        " \"sensorParams\": {\"encoders\": {"
        " \"c0_timeOfDay\": {\"type\": \"DateEncoder\","
        " \"timeOfDay\": [21, 9.49], \"fieldname\": \"c0\", \"name\": \"c0\"},"
        " \"c0_dayOfWeek\": null, \"c0_weekend\": null,"
        " \"c1\": {\"name\": \"c1\", \"fieldname\": \"c1\","
        " \"resolution\": %.17g, \"seed\": 42,"
        " \"type\": \"RandomDistributedScalarEncoder\"}},"
        " \"sensorAutoReset\": null, \"verbosity\": 0},"
        " \"spEnable\": true, \"spParams\": {\"spatialImp\": \"cpp\","
        " \"potentialPct\": 0.8, \"columnCount\": 2048,"
        " \"globalInhibition\": 1, \"inputWidth\": 0, \"boostStrength\": 0.0,"
        " \"numActiveColumnsPerInhArea\": 40, \"seed\": 1956,"
        " \"spVerbosity\": 0, \"synPermActiveInc\": 0.003,"
        " \"synPermConnected\": 0.2, \"synPermInactiveDec\": 0.0005},"
        " \"trainSPNetOnlyIfRequested\": false,"
        " \"tmEnable\": true, \"tmParams\": %s,"
        " \"clEnable\": false, \"clParams\": {\"alpha\": 0.035828933612157998,"
        " \"regionName\": \"SDRClassifierRegion\", \"steps\": \"1\","
        " \"verbosity\": 0},"
        " \"anomalyParams\": {\"anomalyCacheRecords\": null,"
        " \"autoDetectThreshold\": null, \"autoDetectWaitRecords\": 5030}}}}";
    char text[sizeof tmpl + sizeof tm_cpp_params + sizeof cpp_params + 64];
    snprintf(text, sizeof text, tmpl, resolution,
             cpp ? cpp_params : tm_cpp_params);
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (doc == NULL)
        return ERR(NUPIC_ERR_NOMEM, "anomaly preset: out of memory");
    *json = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    if (*json == NULL)
        return ERR(NUPIC_ERR_NOMEM, "anomaly preset: out of memory");
    return NUPIC_OK;
}

nupic_status nupic_model_new_anomaly_preset(const nupic_anomaly_preset *p,
                                            nupic_model **out,
                                            nupic_error *err) {
    if (out == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_new_anomaly_preset: NULL out");
    *out = NULL;
    char *json;
    nupic_status st = nupic_anomaly_preset_json(p, &json, err);
    if (st != NUPIC_OK) return st;
    st = nupic_model_new_from_json(json, strlen(json), out, err);
    free(json);
    return st;
}

/* ------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------ */

uint32_t nupic_model_num_fields(const nupic_model *m) {
    return sensor_num_fields(nupic_region_impl(m->sensor));
}
const char *nupic_model_field_name(const nupic_model *m, uint32_t i) {
    return sensor_field_name(nupic_region_impl(m->sensor), i);
}
nupic_value_kind nupic_model_field_kind(const nupic_model *m, uint32_t i) {
    return sensor_field_kind(nupic_region_impl(m->sensor), i);
}
bool nupic_model_predicted_field(const nupic_model *m, uint32_t *i) {
    if (m->predicted_field == UINT32_MAX) return false;
    if (i) *i = m->predicted_field;
    return true;
}

static void apply_modes(nupic_model *m) {
    if (m->sp)
        sp_region_set_modes(nupic_region_impl(m->sp), m->learning,
                            m->inference);
    if (m->tm)
        tm_region_set_modes(nupic_region_impl(m->tm), m->learning,
                            m->inference);
    if (m->cl)
        classifier_region_set_modes(nupic_region_impl(m->cl), m->learning,
                                    m->inference);
}

/* HTMPredictionModel's best prediction of a step: the probabilities of
 * buckets with equal actual values summed, the first largest sum wins. */
static void best_prediction(const double *values, const double *probs, size_t n,
                            double *best_value, double *best_prob) {
    double bv = NAN, bp = -1;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        /* The running sum of value values[i] up to bucket i. */
        for (size_t j = 0; j <= i; j++)
            if (values[j] == values[i]) sum += probs[j];
        if (bp < 0 || sum > bp) {
            bp = sum;
            bv = values[i];
        }
    }
    *best_value = bv;
    *best_prob = bp < 0 ? 0 : bp;
}

nupic_status nupic_model_run(nupic_model *m, const nupic_value *values,
                             nupic_model_result *out, nupic_error *err) {
    if (m == NULL || values == NULL || out == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_run: NULL argument");
    memset(out, 0, sizeof *out);
    /* BacktrackingTMCPP computes nothing with both off; refuse before any
     * region changes. */
    if (m->tm && !m->learning && !m->inference &&
        tm_region_is_backtracking(nupic_region_impl(m->tm)))
        return ERR(NUPIC_ERR_ARG,
                   "model: the backtracking TM needs learning or inference "
                   "on");
    nupic_status st =
        sensor_set_record(nupic_region_impl(m->sensor), values, err);
    if (st != NUPIC_OK) return st;
    apply_modes(m);
    st = nupic_network_run(m->net, 1, err);
    if (st != NUPIC_OK) return st;
    out->record = m->records++;
    if (is_anomaly(m->inference_type)) {
        out->has_anomaly = true;
        out->raw_anomaly =
            ((const float *)nupic_region_output(m->tm, "anomalyScore")
                 ->data)[0];
        out->likelihood =
            ((const double *)nupic_region_output(m->lk, "anomalyLikelihood")
                 ->data)[0];
        out->log_likelihood =
            ((const double *)nupic_region_output(m->lk, "logLikelihood")
                 ->data)[0];
    }
    if (m->cl && m->inference &&
        classifier_region_inferred(nupic_region_impl(m->cl))) {
        const nupic_classifier *c =
            classifier_region_classifier(nupic_region_impl(m->cl));
        nupic_classifier_params p;
        nupic_classifier_get_params(c, &p);
        size_t nv;
        const double *vals = nupic_classifier_actual_values(c, &nv);
        for (uint32_t k = 0; k < p.num_steps && k < NUPIC_MODEL_MAX_STEPS;
             k++) {
            size_t np;
            const double *probs =
                nupic_classifier_probabilities(c, p.steps[k], &np);
            out->steps[out->n_steps] = p.steps[k];
            if (probs && vals && np == nv && np > 0) {
                best_prediction(vals, probs, np, &out->best_value[out->n_steps],
                                &out->best_probability[out->n_steps]);
            } else {
                out->best_value[out->n_steps] = NAN;
                out->best_probability[out->n_steps] = 0;
            }
            out->n_steps++;
        }
    }
    return NUPIC_OK;
}

void nupic_model_enable_learning(nupic_model *m, bool on) {
    m->learning = on;
}
void nupic_model_enable_inference(nupic_model *m, bool on) {
    m->inference = on;
}
bool nupic_model_learning(const nupic_model *m) {
    return m->learning;
}
bool nupic_model_inference(const nupic_model *m) {
    return m->inference;
}
uint64_t nupic_model_records(const nupic_model *m) {
    return m->records;
}
const nupic_network *nupic_model_network(const nupic_model *m) {
    return m->net;
}

nupic_status nupic_model_reset(nupic_model *m, nupic_error *err) {
    if (m == NULL) return ERR(NUPIC_ERR_ARG, "nupic_model_reset: NULL model");
    if (m->tm == NULL) return NUPIC_OK;
    return nupic_network_execute(m->net, "TM", "reset", err);
}

bool nupic_model_equal(const nupic_model *a, const nupic_model *b, char *diff,
                       size_t diff_size) {
#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff) snprintf(diff, diff_size, __VA_ARGS__);                      \
        return false;                                                          \
    } while (0)
    if (a->inference_type != b->inference_type) DIFF("model: inference type");
    if (a->learning != b->learning || a->inference != b->inference)
        DIFF("model: learning/inference switches");
    if (a->records != b->records)
        DIFF("model: %llu records run, %llu", (unsigned long long)a->records,
             (unsigned long long)b->records);
    if (a->predicted_field != b->predicted_field)
        DIFF("model: predicted field");
    if (a->min_likelihood_threshold != b->min_likelihood_threshold ||
        a->max_predictions_per_step != b->max_predictions_per_step)
        DIFF("model: prediction thresholds");
    if (strcmp(a->params_json, b->params_json) != 0)
        DIFF("model: params documents");
    if (strcmp(a->inference_args, b->inference_args) != 0)
        DIFF("model: inference arguments");
    return nupic_network_equal(a->net, b->net, diff, diff_size);
#undef DIFF
}

/* ------------------------------------------------------------------------
 * HTMPredictionModelProto
 * ------------------------------------------------------------------------ */

static nupic_status model_write(const nupic_model *m,
                                HTMPredictionModelProto_B b, nupic_error *err) {
    ModelProto_B base = HTMPredictionModelProto_init_modelBase(b);
    ModelProto_set_inferenceType(base, (InferenceType)m->inference_type);
    ModelProto_set_numPredictions(base, 0);
    ModelProto_set_learningEnabled(base, m->learning);
    ModelProto_set_inferenceEnabled(base, m->inference);
    ModelProto_set_inferenceArgs(base, m->inference_args,
                                 strlen(m->inference_args));
    HTMPredictionModelProto_set_numRunCalls(
        b, m->records > UINT32_MAX ? UINT32_MAX : (uint32_t)m->records);
    HTMPredictionModelProto_set_records(b, m->records);
    HTMPredictionModelProto_set_minLikelihoodThreshold(
        b, (float)m->min_likelihood_threshold);
    HTMPredictionModelProto_set_maxPredictionsPerStep(
        b, m->max_predictions_per_step);
    HTMPredictionModelProto_set_spLearningEnabled(b, m->learning);
    HTMPredictionModelProto_set_tpLearningEnabled(b, m->learning);
    HTMPredictionModelProto_predictedFieldIdx_B idx =
        HTMPredictionModelProto_init_predictedFieldIdx(b);
    HTMPredictionModelProto_predictedFieldName_B name =
        HTMPredictionModelProto_init_predictedFieldName(b);
    if (m->predicted_field != UINT32_MAX) {
        HTMPredictionModelProto_predictedFieldIdx_set_value(idx,
                                                            m->predicted_field);
        HTMPredictionModelProto_predictedFieldName_set_value(
            name, m->predicted_field_name, strlen(m->predicted_field_name));
    } else {
        HTMPredictionModelProto_predictedFieldIdx_set_none(idx);
        HTMPredictionModelProto_predictedFieldName_set_none(name);
    }
    HTMPredictionModelProto_numFields_set_value(
        HTMPredictionModelProto_init_numFields(b), nupic_model_num_fields(m));
    HTMPredictionModelProto_set_params(b, m->params_json,
                                       strlen(m->params_json));
    return nupic_network_write(m->net, HTMPredictionModelProto_init_network(b),
                               err);
}

/* A NUL-free text field as a new string. */
static nupic_status text_dup(ncp_text t, const char *where, char **out,
                             nupic_error *err) {
    if (t.len > 0 && memchr(t.str, '\0', t.len))
        return ERR(NUPIC_ERR_FORMAT, "%s: holds a NUL", where);
    *out = malloc(t.len + 1);
    if (*out == NULL) return ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    if (t.len) memcpy(*out, t.str, t.len);
    (*out)[t.len] = '\0';
    return NUPIC_OK;
}

static nupic_status read_model(HTMPredictionModelProto_R r, nupic_model **out,
                               nupic_error *err) {
    *out = NULL;
    nupic_model *m = calloc(1, sizeof *m);
    if (m == NULL) return ERR(NUPIC_ERR_NOMEM, "model: out of memory");
    ModelProto_R base = HTMPredictionModelProto_get_modelBase(r);
    unsigned t = (unsigned)ModelProto_get_inferenceType(base);
    nupic_status st = NUPIC_OK;
    if (t >= INF_COUNT_)
        st = ERR(NUPIC_ERR_FORMAT,
                 "HTMPredictionModelProto.modelBase.inferenceType: %u", t);
    if (st == NUPIC_OK) {
        m->inference_type = (inference_type)t;
        m->learning = ModelProto_get_learningEnabled(base);
        m->inference = ModelProto_get_inferenceEnabled(base);
        m->min_likelihood_threshold =
            HTMPredictionModelProto_get_minLikelihoodThreshold(r);
        m->max_predictions_per_step =
            HTMPredictionModelProto_get_maxPredictionsPerStep(r);
        m->records = HTMPredictionModelProto_get_records(r);
        if (m->records == 0)
            m->records = HTMPredictionModelProto_get_numRunCalls(r);
        st = text_dup(ModelProto_get_inferenceArgs(base),
                      "HTMPredictionModelProto.modelBase.inferenceArgs",
                      &m->inference_args, err);
    }
    if (st == NUPIC_OK)
        st = text_dup(HTMPredictionModelProto_get_params(r),
                      "HTMPredictionModelProto.params", &m->params_json, err);
    if (st == NUPIC_OK)
        st = nupic_network_read(HTMPredictionModelProto_get_network(r), NULL, 0,
                                &m->net, err);
    if (st == NUPIC_OK) st = find_regions(m, err);
    if (st == NUPIC_OK) {
        HTMPredictionModelProto_predictedFieldName_R pf =
            HTMPredictionModelProto_get_predictedFieldName(r);
        if (HTMPredictionModelProto_predictedFieldName_which(pf) ==
            HTMPredictionModelProto_predictedFieldName_which_value) {
            char *name = NULL;
            st = text_dup(
                HTMPredictionModelProto_predictedFieldName_get_value(pf),
                "HTMPredictionModelProto.predictedFieldName", &name, err);
            if (st == NUPIC_OK) st = set_predicted_field(m, name, err);
            free(name);
        } else {
            st = set_predicted_field(m, NULL, err);
        }
    }
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    if (st != NUPIC_OK) {
        nupic_model_free(m);
        return st;
    }
    *out = m;
    return NUPIC_OK;
}

/* Whatever a message gets wrong is a format error. */
static nupic_status model_read(HTMPredictionModelProto_R r, nupic_model **out,
                               nupic_error *err) {
    nupic_error local = {NUPIC_OK, ""};
    nupic_status st = read_model(r, out, &local);
    if (st == NUPIC_OK) return st;
    if (st == NUPIC_ERR_ARG || st == NUPIC_ERR_PARAM)
        return ERR(NUPIC_ERR_FORMAT, "HTMPredictionModelProto: %s",
                   local.message);
    return ERR(st, "%s", local.message);
}

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return model_write(obj, HTMPredictionModelProto_new_root(b), err);
}

static nupic_status read_msg(nupic_status st, ncp_msg *m, nupic_model **out,
                             nupic_error *err) {
    if (st == NUPIC_OK)
        st = model_read(HTMPredictionModelProto_read_root(m), out, err);
    ncp_msg_free(m);
    return st;
}

/* A first segment that holds the anomaly preset's model after a year of
 * hourly records (about 13 MiB), so that it is written in one piece. */
#define MODEL_WORDS (UINT64_C(2) << 20)

nupic_status nupic_model_write_to_file(const nupic_model *m, FILE *f,
                                       const nupic_save_options *o,
                                       nupic_error *err) {
    if (m == NULL || f == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_write_to_file: NULL argument");
    return persist_to_file(m, writer, MODEL_WORDS, f, o, err);
}

nupic_status nupic_model_read_from_file(FILE *f, const nupic_load_options *o,
                                        nupic_model **out, nupic_error *err) {
    if (f == NULL || out == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_read_from_file: NULL argument");
    ncp_msg *msg = NULL;
    *out = NULL;
    nupic_status st = persist_open_file(f, o, &msg, err);
    return read_msg(st, msg, out, err);
}

nupic_status nupic_model_write_to_mem(const nupic_model *m,
                                      const nupic_save_options *o, void **buf,
                                      size_t *len, nupic_error *err) {
    if (m == NULL || buf == NULL || len == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_write_to_mem: NULL argument");
    return persist_to_mem(m, writer, MODEL_WORDS, buf, len, o, err);
}

nupic_status nupic_model_read_from_mem(const void *buf, size_t len,
                                       const nupic_load_options *o,
                                       nupic_model **out, nupic_error *err) {
    if (buf == NULL || out == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_model_read_from_mem: NULL argument");
    ncp_msg *msg = NULL;
    *out = NULL;
    nupic_status st = persist_open_mem(buf, len, o, &msg, err);
    return read_msg(st, msg, out, err);
}

/* dir/model.data, in buf. */
static nupic_status data_path(const char *dir, char *buf, size_t size,
                              nupic_error *err) {
    if (dir == NULL || dir[0] == '\0')
        return ERR(NUPIC_ERR_ARG, "model checkpoint: an empty directory name");
    size_t n = strlen(dir);
    bool slash = dir[n - 1] == '/';
    int k = snprintf(buf, size, "%s%smodel.data", dir, slash ? "" : "/");
    if (k < 0 || (size_t)k >= size)
        return ERR(NUPIC_ERR_ARG, "model checkpoint: directory name too long");
    return NUPIC_OK;
}

/* Creates dir and its missing parents. */
static nupic_status make_dirs(const char *dir, nupic_error *err) {
    char path[4096];
    size_t n = strlen(dir);
    if (n >= sizeof path)
        return ERR(NUPIC_ERR_ARG, "model checkpoint: directory name too long");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return ERR(NUPIC_ERR_IO, "%s: cannot create the directory: %s",
                       path, strerror(errno));
        path[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ERR(NUPIC_ERR_IO, "%s: not a directory", dir);
    return NUPIC_OK;
}

nupic_status nupic_model_save(const nupic_model *m, const char *dir,
                              nupic_error *err) {
    if (m == NULL) return ERR(NUPIC_ERR_ARG, "nupic_model_save: NULL model");
    char path[4096];
    nupic_status st = data_path(dir, path, sizeof path, err);
    if (st == NUPIC_OK) st = make_dirs(dir, err);
    if (st == NUPIC_OK)
        st = persist_to_path(m, writer, MODEL_WORDS, path, NULL, err);
    return st;
}

nupic_status nupic_model_load(const char *dir, nupic_model **out,
                              nupic_error *err) {
    if (out == NULL) return ERR(NUPIC_ERR_ARG, "nupic_model_load: NULL out");
    *out = NULL;
    char path[4096];
    nupic_status st = data_path(dir, path, sizeof path, err);
    if (st != NUPIC_OK) return st;
    ncp_msg *msg = NULL;
    nupic_error local = {NUPIC_OK, ""};
    st = persist_open_path(path, NULL, &msg, &local);
    st = read_msg(st, msg, out, &local);
    if (st != NUPIC_OK) {
        /* Name the file unless the message does already. */
        if (strstr(local.message, path)) return ERR(st, "%s", local.message);
        return ERR(st, "%s: %s", path, local.message);
    }
    return NUPIC_OK;
}
