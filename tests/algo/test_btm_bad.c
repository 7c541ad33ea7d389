/*
 * tests/algo/test_btm_bad.c - hostile Cells4Proto messages: every
 * inconsistency the reader checks gives NUPIC_ERR_FORMAT with a message
 * naming the field, allocates nothing that leaks (ASan), and never
 * crashes; bad parameters and bad compute arguments are refused.
 *
 * Each case builds a valid small state, writes it as Cells4Proto, breaks
 * one field through the generated builder, and reads it back.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/btm.h>
#include <nupic/ncp.h>

static nupic_btm *small_btm(void) {
    nupic_btm_params p;
    nupic_btm_params_default(&p);
    p.number_of_cols = 16;
    p.cells_per_column = 4;
    p.activation_threshold = 2;
    p.min_threshold = 1;
    p.new_synapse_count = 3;
    nupic_btm *t = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_btm_new(&p, &t, &err) != NUPIC_OK) fail_msg("%s", err.message);
    static const uint32_t seq[4][3] = {
        {1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {1, 5, 9}};
    for (int k = 0; k < 12; k++)
        if (nupic_btm_compute(t, seq[k % 4], 3, true, true, &err) != NUPIC_OK)
            fail_msg("%s", err.message);
    return t;
}

typedef void (*breaker)(Cells4Proto_B b);

/* Writes t, lets brk break the message, reads it: must fail naming what. */
static void expect_bad(breaker brk, const char *what) {
    nupic_btm *t = small_btm();
    ncp_builder *bld = NULL;
    assert_int_equal(ncp_builder_new(NULL, &bld), NCP_OK);
    Cells4Proto_B b = Cells4Proto_new_root(bld);
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_btm_write(t, b, &err), NUPIC_OK);
    brk(b);
    ts_buf buf = ts_write_mem(bld, 0);
    ncp_builder_free(bld);
    nupic_btm *back = (nupic_btm *)(void *)&err;
    nupic_status st =
        nupic_btm_read_from_mem(buf.data, buf.len, NULL, &back, &err);
    if (st != NUPIC_ERR_FORMAT)
        fail_msg("%s: status %s (%s)", what, nupic_status_name(st),
                 err.message);
    assert_null(back);
    if (strstr(err.message, what) == NULL)
        fail_msg("expected a message naming %s, got: %s", what, err.message);
    ts_buf_free(&buf);
    nupic_btm_free(t);
}

static void b_version(Cells4Proto_B b) {
    Cells4Proto_set_version(b, 3);
}
static void b_cols(Cells4Proto_B b) {
    Cells4Proto_set_nColumns(b, 17);
}
static void b_huge(Cells4Proto_B b) {
    Cells4Proto_set_nColumns(b, 1u << 20);
}
static void b_owns(Cells4Proto_B b) {
    Cells4Proto_set_ownsMemory(b, false);
}
static void b_pam(Cells4Proto_B b) {
    Cells4Proto_set_pamLength(b, 0);
}
static void b_thr(Cells4Proto_B b) {
    Cells4Proto_set_activationThreshold(b, 0);
}
static void b_perm(Cells4Proto_B b) {
    Cells4Proto_set_permConnected(b, ncp_f32_from_bits(0x7fc00000u));
}
static void b_pdata(Cells4Proto_B b) {
    CStateProto_B s = Cells4Proto_init_infActiveStateT(b);
    CStateProto_set_version(s, 1);
    CStateProto_set_pData(s, "\1\1", 2);
}
static void b_pdata_val(Cells4Proto_B b) {
    uint8_t d[64] = {0};
    d[5] = 7;
    CStateProto_B s = Cells4Proto_init_infPredictedStateT(b);
    CStateProto_set_version(s, 1);
    CStateProto_set_pData(s, d, 64);
}
static void b_cstate_version(Cells4Proto_B b) {
    CStateProto_B s = Cells4Proto_init_learnActiveStateT1(b);
    CStateProto_set_version(s, 9);
}
static void b_count_on(Cells4Proto_B b) {
    uint8_t d[64] = {0};
    d[4] = 1;
    CStateProto_B s = Cells4Proto_init_learnActiveStateT(b);
    CStateProto_set_version(s, 1);
    CStateProto_set_pData(s, d, 64);
    CStateProto_set_countOn(s, 2);
    uint32_t on[1] = {4};
    CStateProto_set_cellsOn(s, on, 1);
}
static void b_cells_on(Cells4Proto_B b) {
    uint8_t d[64] = {0};
    d[4] = 1;
    CStateProto_B s = Cells4Proto_init_learnPredictedStateT(b);
    CStateProto_set_version(s, 1);
    CStateProto_set_pData(s, d, 64);
    CStateProto_set_countOn(s, 1);
    uint32_t on[1] = {5};
    CStateProto_set_cellsOn(s, on, 1);
}
static void b_conf(Cells4Proto_B b) {
    float v[3] = {0, 0, 0};
    Cells4Proto_set_colConfidenceT(b, v, 3);
}
static void b_conf_neg(Cells4Proto_B b) {
    float v[64] = {0};
    v[9] = -1.0f;
    Cells4Proto_set_cellConfidenceT1(b, v, 64);
}
static void b_ncells(Cells4Proto_B b) {
    Cells4Proto_init_cells(b, 63);
}
static SegmentProto_B one_segment(Cells4Proto_B b, uint32_t nsyn) {
    CellProto_BList cells = Cells4Proto_init_cells(b, 64);
    SegmentProto_BList sl =
        CellProto_init_segments(CellProto_BList_get(cells, 17), 4);
    SegmentProto_B s = SegmentProto_BList_get(sl, 3);
    SegmentProto_init_synapses(s, nsyn);
    return s;
}
static void b_src(Cells4Proto_B b) {
    SegmentProto_B s = one_segment(b, 3);
    InSynapseProto_BList l = SegmentProto_init_synapses(s, 3);
    for (uint32_t k = 0; k < 3; k++) {
        InSynapseProto_set_srcCellIdx(InSynapseProto_BList_get(l, k),
                                      k == 2 ? 70000 : k);
        InSynapseProto_set_permanence(InSynapseProto_BList_get(l, k), 0.3f);
    }
}
static void b_src_order(Cells4Proto_B b) {
    SegmentProto_B s = one_segment(b, 2);
    InSynapseProto_BList l = SegmentProto_init_synapses(s, 2);
    InSynapseProto_set_srcCellIdx(InSynapseProto_BList_get(l, 0), 9);
    InSynapseProto_set_permanence(InSynapseProto_BList_get(l, 0), 0.3f);
    InSynapseProto_set_srcCellIdx(InSynapseProto_BList_get(l, 1), 9);
    InSynapseProto_set_permanence(InSynapseProto_BList_get(l, 1), 0.3f);
}
static void b_syn_perm(Cells4Proto_B b) {
    SegmentProto_B s = one_segment(b, 1);
    InSynapseProto_BList l = SegmentProto_init_synapses(s, 1);
    InSynapseProto_set_srcCellIdx(InSynapseProto_BList_get(l, 0), 1);
    InSynapseProto_set_permanence(InSynapseProto_BList_get(l, 0), -0.25f);
}
static void b_nconnected(Cells4Proto_B b) {
    SegmentProto_B s = one_segment(b, 1);
    InSynapseProto_BList l = SegmentProto_init_synapses(s, 1);
    InSynapseProto_set_srcCellIdx(InSynapseProto_BList_get(l, 0), 1);
    InSynapseProto_set_permanence(InSynapseProto_BList_get(l, 0), 0.9f);
    SegmentProto_set_nConnected(s, 0);
}
static void b_update_cell(Cells4Proto_B b) {
    SegmentUpdateProto_BList l = Cells4Proto_init_segmentUpdates(b, 1);
    SegmentUpdateProto_B u = SegmentUpdateProto_BList_get(l, 0);
    SegmentUpdateProto_set_cellIdx(u, 64);
}
static void b_update_seg(Cells4Proto_B b) {
    SegmentUpdateProto_BList l = Cells4Proto_init_segmentUpdates(b, 1);
    SegmentUpdateProto_B u = SegmentUpdateProto_BList_get(l, 0);
    SegmentUpdateProto_set_cellIdx(u, 0);
    SegmentUpdateProto_set_segIdx(u, 5000);
}
static void b_update_syn(Cells4Proto_B b) {
    SegmentUpdateProto_BList l = Cells4Proto_init_segmentUpdates(b, 1);
    SegmentUpdateProto_B u = SegmentUpdateProto_BList_get(l, 0);
    SegmentUpdateProto_set_cellIdx(u, 0);
    SegmentUpdateProto_set_segIdx(u, 0xffffffffu);
    uint32_t syn[2] = {5, 3};
    SegmentUpdateProto_set_synapses(u, syn, 2);
}
static void b_pattern(Cells4Proto_B b) {
    ncp_blist l = Cells4Proto_init_prevInfPatterns(b, 1);
    uint32_t cols[2] = {3, 16};
    ncp_bptr_init_list_from(ncp_blist_ptr(&l, 0), NCP_ELEM_4BYTES, 2, cols);
}

static void bad_messages(void **state) {
    (void)state;
    expect_bad(b_version, "version");
    expect_bad(b_cols, "cells");
    expect_bad(b_huge, "cells");
    expect_bad(b_owns, "ownsMemory");
    expect_bad(b_pam, "pamLength");
    expect_bad(b_thr, "activationThreshold");
    expect_bad(b_perm, "connectedPerm");
    expect_bad(b_pdata, "infActiveStateT.pData");
    expect_bad(b_pdata_val, "infPredictedStateT.pData[5]");
    expect_bad(b_cstate_version, "learnActiveStateT1.version");
    expect_bad(b_count_on, "countOn");
    expect_bad(b_cells_on, "learnPredictedStateT.cellsOn[0]");
    expect_bad(b_conf, "colConfidenceT");
    expect_bad(b_conf_neg, "cellConfidenceT1[9]");
    expect_bad(b_ncells, "cells: 63");
    expect_bad(b_src, "cells[17].segments[3].synapses[2]: srcCellIdx 70000");
    expect_bad(b_src_order, "not ascending");
    expect_bad(b_syn_perm, "permanence");
    expect_bad(b_nconnected, "nConnected");
    expect_bad(b_update_cell, "segmentUpdates[0]: cellIdx 64");
    expect_bad(b_update_seg, "segIdx 5000");
    expect_bad(b_update_syn, "segmentUpdates[0]");
    expect_bad(b_pattern, "prevInfPatterns[0][1]");
}

/* Truncations and byte flips of a valid message never crash or leak. */
static void damaged_bytes(void **state) {
    (void)state;
    nupic_btm *t = small_btm();
    void *buf = NULL;
    size_t len = 0;
    nupic_save_options so = {true};
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_btm_write_to_mem(t, &so, &buf, &len, &err),
                     NUPIC_OK);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    for (size_t cut = 0; cut < len; cut += 7) {
        nupic_btm *back = NULL;
        nupic_error e = {NUPIC_OK, ""};
        nupic_status st = nupic_btm_read_from_mem(buf, cut, NULL, &back, &e);
        assert_int_not_equal(st, NUPIC_OK);
        assert_null(back);
    }
    for (size_t i = 0; i < len; i += 3) {
        memcpy(copy, buf, len);
        copy[i] ^= 0x5a;
        nupic_btm *back = NULL;
        nupic_error e = {NUPIC_OK, ""};
        if (nupic_btm_read_from_mem(copy, len, NULL, &back, &e) == NUPIC_OK) {
            uint32_t cols[2] = {0, 1};
            nupic_btm_compute(back, cols, 2, true, true, &e);
            nupic_btm_free(back);
        } else {
            assert_null(back);
            assert_true(e.message[0] != '\0');
        }
    }
    free(copy);
    free(buf);
    nupic_btm_free(t);
}

static void bad_params_and_args(void **state) {
    (void)state;
    nupic_btm_params p;
    nupic_btm *t = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_btm_params_default(&p);
    p.max_segments_per_cell = 10; /* fixed size with globalDecay 0.1 */
    p.max_synapses_per_segment = 20;
    assert_int_equal(nupic_btm_new(&p, &t, &err), NUPIC_ERR_PARAM);
    assert_non_null(strstr(err.message, "globalDecay"));
    nupic_btm_params_default(&p);
    p.number_of_cols = 1u << 17;
    p.cells_per_column = 4;
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_new(&p, &t, &err), NUPIC_ERR_PARAM);
    nupic_btm_params_default(&p);
    p.pam_length = 0;
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_new(&p, &t, &err), NUPIC_ERR_PARAM);
    assert_non_null(strstr(err.message, "pamLength"));
    assert_null(t);
    t = small_btm();
    uint32_t bad1[2] = {3, 3}, bad2[1] = {16}, ok[1] = {2};
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_compute(t, bad1, 2, true, true, &err),
                     NUPIC_ERR_ARG);
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_compute(t, bad2, 1, true, true, &err),
                     NUPIC_ERR_ARG);
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_compute(t, ok, 1, false, false, &err),
                     NUPIC_ERR_ARG);
    nupic_error_clear(&err);
    assert_int_equal(nupic_btm_compute(t, ok, 1, true, false, &err), NUPIC_OK);
    nupic_btm_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_messages),
        cmocka_unit_test(damaged_bytes),
        cmocka_unit_test(bad_params_and_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
