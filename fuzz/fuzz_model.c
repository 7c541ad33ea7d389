/*
 * fuzz/fuzz_model.c - fuzz target for reading an OPF model
 * (HTMPredictionModelProto: the model's switches, its network and every
 * region's state).
 *
 * The input is read with nupic_model_read_from_mem with packing detected.
 * The invariants checked (docs/security.md, section 11):
 *
 *  M1  a failed read returns no model and a status of NUPIC_ERR_FORMAT,
 *      NUPIC_ERR_TOO_LARGE or NUPIC_ERR_UNSUPPORTED recorded with a
 *      non-empty, NUL-terminated message; nothing leaks (LeakSanitizer);
 *  M2  a model that reads writes back, reads again into an equal model
 *      (nupic_model_equal), and that one writes the same bytes;
 *  M3  a model that reads runs a record of valid values of its fields'
 *      kinds, succeeding or failing with NUPIC_ERR_ARG (a value its
 *      encoders refuse), and still writes.
 *
 * Inputs whose spatial pooler or temporal memory would take more than a
 * few hundred MB are skipped (docs/security.md on memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/model.h>

#include "fuzz_util.h"

#include "nupic/frameworks/opf/HTMPredictionModelProto.capnp.h"
#include "nupic/regions/SPRegion.capnp.h"
#include "nupic/regions/tm_region.capnp.h"

#define BUDGET_SP_BITS ((uint64_t)1 << 24) /* columns x inputs */
#define BUDGET_CELLS   ((uint64_t)1 << 20)

static bool text_is(ncp_text t, const char *s) {
    return t.len == strlen(s) && memcmp(t.str, s, t.len) == 0;
}

static bool within_budget(const uint8_t *data, size_t size) {
    ncp_read_options o = {0};
    o.packing = NCP_PACKING_AUTO;
    o.traversal_limit_per_message_word = 4;
    o.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
    ncp_msg *m = NULL;
    if (ncp_msg_from_buffer(data, size, &o, &m, NULL) != NCP_OK) return true;
    NetworkProto_R net = HTMPredictionModelProto_get_network(
        HTMPredictionModelProto_read_root(m));
    Map_Text_RegionProto_Entry_RList e =
        Map_Text_RegionProto_get_entries(NetworkProto_get_regions(net));
    bool ok = true;
    uint32_t n = Map_Text_RegionProto_Entry_RList_len(e);
    for (uint32_t i = 0; i < n && i < 64 && ok; i++) {
        RegionProto_R r = Map_Text_RegionProto_Entry_get_value(
            Map_Text_RegionProto_Entry_RList_get(e, i));
        ncp_text type = RegionProto_get_nodeType(r);
        if (text_is(type, "py.SPRegion")) {
            SpatialPoolerProto_R sp = SPRegionProto_get_spatialPooler(
                SPRegionProto_read(RegionProto_get_regionImpl(r)));
            uint64_t bits = (uint64_t)SpatialPoolerProto_get_numColumns(sp) *
                            SpatialPoolerProto_get_numInputs(sp);
            ok = bits <= BUDGET_SP_BITS;
        } else if (text_is(type, "py.TMRegion")) {
            TemporalMemoryProto_R tm = TMRegionProto_get_temporalMemory(
                TMRegionProto_read(RegionProto_get_regionImpl(r)));
            ncp_list dims = TemporalMemoryProto_get_columnDimensions(tm);
            uint64_t cells = TemporalMemoryProto_get_cellsPerColumn(tm);
            for (uint32_t d = 0;
                 d < ncp_list_len(&dims) && d < 8 && cells <= BUDGET_CELLS; d++)
                cells *= ncp_list_u32(&dims, d);
            ok = cells <= BUDGET_CELLS;
        }
    }
    ncp_msg_free(m);
    return ok;
}

static void write_mem(const nupic_model *m, void **buf, size_t *len) {
    nupic_error err = {0};
    nupic_status st = nupic_model_write_to_mem(m, NULL, buf, len, &err);
    FZ_CHECK(st == NUPIC_OK, "a model that reads does not write: %s",
             err.message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!within_budget(data, size)) return 0;
    nupic_model *m = (nupic_model *)&size; /* must be replaced */
    nupic_error err = {0};
    nupic_status st = nupic_model_read_from_mem(data, size, NULL, &m, &err);
    if (st != NUPIC_OK) {
        fz_check_failed_read(st, m, &err, NUPIC_ERR_UNSUPPORTED, "model");
        return 0;
    }
    /* M2 */
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    write_mem(m, &a, &alen);
    nupic_model *r = NULL;
    st = nupic_model_read_from_mem(a, alen, NULL, &r, &err);
    FZ_CHECK(st == NUPIC_OK, "a model's own bytes do not read: %s",
             err.message);
    char diff[256] = "";
    FZ_CHECK(nupic_model_equal(m, r, diff, sizeof diff),
             "not equal after a round trip: %s", diff);
    write_mem(r, &b, &blen);
    FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
             "written again, the bytes differ");
    free(a);
    free(b);
    nupic_model_free(r);
    /* M3 */
    uint32_t nf = nupic_model_num_fields(m);
    nupic_value *v = calloc(nf ? nf : 1, sizeof *v);
    FZ_CHECK(v != NULL, "out of memory");
    for (uint32_t i = 0; i < nf; i++) {
        v[i].kind = nupic_model_field_kind(m, i);
        if (v[i].kind == NUPIC_VALUE_NUMBER) v[i].u.number = 1.0;
        if (v[i].kind == NUPIC_VALUE_DATETIME)
            v[i].u.datetime = (nupic_datetime){2010, 7, 2, 13, 0, 0, 0};
        if (v[i].kind == NUPIC_VALUE_CATEGORY) v[i].u.category = "a";
    }
    nupic_model_result res;
    memset(&err, 0, sizeof err);
    st = nupic_model_run(m, v, &res, &err);
    FZ_CHECK(st == NUPIC_OK || st == NUPIC_ERR_ARG || st == NUPIC_ERR_TOO_LARGE,
             "run: %s: %s", nupic_status_name(st), err.message);
    write_mem(m, &a, &alen);
    free(a);
    free(v);
    nupic_model_free(m);
    return 0;
}
