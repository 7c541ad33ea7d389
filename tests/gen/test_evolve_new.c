/*
 * tests/gen/test_evolve_new.c - schema evolution seen from the newer code:
 * code generated for tests/data/gen/evolve_new.capnp reads messages written
 * with the older schema evolve_old.capnp, where every field the older
 * schema lacks reads as its default (primitives, text, structs and lists
 * with default values, groups, a named union), and writes messages - with
 * union members the older schema does not know - that the older schema
 * decodes.  The older side is test_evolve_old.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "gen_tool.h"

#include <stdlib.h>
#include <string.h>

#include "evolve_new.capnp.h"

static const char OLD_TEXT[] =
    "(id = 3, name = \"old\", count = 5, "
    "items = [(id = 1, name = \"i1\"), (id = 2)], level = high, "
    "child = (id = 4))";

/* Every field evolve_old.capnp lacks holds its default in r. */
static void check_new_defaults(Record_R r) {
    assert_true(Record_get_score(r) == 0.5f);
    assert_true(Record_get_flag(r));
    assert_false(Record_has_note(r));
    gt_assert_text(Record_get_note(r), "none");
    assert_false(Record_has_extra(r));
    Extra_R extra = Record_get_extra(r);
    gt_assert_text(Extra_get_note(extra), "default extra");
    assert_true(Extra_get_weight(extra) == 2.5);
    assert_false(Record_has_nums(r));
    int32_t nums[3];
    assert_int_equal(Record_copy_nums(r, nums, 0, 3), 2);
    assert_int_equal(nums[0], 1);
    assert_int_equal(nums[1], 2);
    assert_true(Record_get_big(r) == -42);
    Record_opts_R opts = Record_get_opts(r);
    assert_int_equal(Record_opts_get_retries(opts), 3);
    assert_false(Record_opts_get_verbose(opts));
    Record_mode_R mode = Record_get_mode(r);
    assert_int_equal(Record_mode_which(mode), Record_mode_which_fast);
    assert_int_equal(Record_mode_get_slow(mode), 100);
    /* Union members the older schema lacks are inactive. */
    assert_false(Record_has_label(r));
    gt_assert_text(Record_get_label(r), "");
    assert_true(Record_get_ratio(r) == 0.25);
    Record_span_R span = Record_get_span(r);
    assert_int_equal(Record_span_get_from(span), -1);
    assert_int_equal(Record_span_get_to(span), 1);
}

static void read_older_message(void **state) {
    (void)state;
    ts_buf keep;
    ncp_msg *m =
        gt_encode(gt_schema("evolve_old.capnp"), "Record", OLD_TEXT, &keep);
    Record_R r = Record_read_root(m);
    assert_int_equal(Record_get_id(r), 3);
    gt_assert_text(Record_get_name(r), "old");
    assert_int_equal(Record_which(r), Record_which_count);
    assert_int_equal(Record_get_count(r), 5);
    assert_int_equal(Record_get_level(r), Level_high);
    check_new_defaults(r);
    Item_RList items = Record_get_items(r);
    assert_int_equal(Item_RList_len(items), 2);
    for (uint32_t i = 0; i < 2; i++) {
        Item_R it = Item_RList_get(items, i);
        assert_int_equal(Item_get_id(it), i + 1);
        assert_true(Item_get_price(it) == 9.5f);
        assert_false(Item_has_tags(it));
        ncp_list tl = Item_get_tags(it);
        assert_int_equal(ncp_list_len(&tl), 0);
    }
    gt_assert_text(Item_get_name(Item_RList_get(items, 0)), "i1");
    Record_R child = Record_get_child(r);
    assert_int_equal(Record_get_id(child), 4);
    assert_int_equal(Record_which(child), Record_which_none);
    check_new_defaults(child);
    gt_done(m);
    ts_buf_free(&keep);

    /* An empty old message: the whole struct is defaults. */
    m = gt_encode(gt_schema("evolve_old.capnp"), "Record", "()", &keep);
    r = Record_read_root(m);
    assert_int_equal(Record_which(r), Record_which_none);
    check_new_defaults(r);
    gt_done(m);
    ts_buf_free(&keep);
}

static void write_for_older_reader(void **state) {
    (void)state;
    ncp_builder *b = gt_builder();
    Record_B r = Record_new_root(b);
    Record_set_id(r, 9);
    Record_set_name(r, GT_TEXT("new"));
    Record_set_label(r, GT_TEXT("unknown to the old schema"));
    Item_BList items = Record_init_items(r, 1);
    Item_B it = Item_BList_get(items, 0);
    Item_set_id(it, 1);
    Item_set_price(it, 2.0f);
    ncp_blist tags = Item_init_tags(it, 1);
    ncp_bptr_set_text(ncp_blist_ptr(&tags, 0), GT_TEXT("tag"));
    Record_set_level(r, Level_extreme);
    Record_B child = Record_init_child(r);
    Record_set_id(child, 10);
    Record_set_count(child, 12);
    Record_span_B span = Record_init_span(child);
    assert_int_equal(Record_whichb(child), Record_which_span);
    assert_int_equal(Record_span_getb_from(span), -1);
    Record_span_set_to(span, 99);
    Record_set_score(r, 1.0f);
    Record_set_note(r, GT_TEXT("n"));
    Extra_set_weight(Record_init_extra(r), 3.0);
    const int32_t nums[] = {4};
    Record_set_nums(r, nums, 1);
    Record_opts_set_verbose(Record_init_opts(r), true);
    Record_mode_set_slow(Record_init_mode(r), 1);
    /* The older schema prints what it knows; the union members it does not
     * know are left out. */
    gt_assert_decodes_to(b, gt_schema("evolve_old.capnp"), "Record",
                         "(id = 9, name = \"new\", items = [(id = 1)], "
                         "level = (2), child = (id = 10, level = low))");
    /* The newer schema sees everything. */
    gt_assert_decodes_to(
        b, gt_schema("evolve_new.capnp"), "Record",
        "(id = 9, name = \"new\", items = [(id = 1, price = 2, "
        "tags = [\"tag\"])], level = extreme, child = (id = 10, level = low, "
        "span = (from = -1, to = 99), score = 0.5, flag = true, big = -42, "
        "opts = (retries = 3, verbose = false), mode = (fast = void)), "
        "label = \"unknown to the old schema\", score = 1, flag = true, "
        "note = \"n\", extra = (weight = 3), nums = [4], big = -42, "
        "opts = (retries = 3, verbose = true), mode = (slow = 1))");
    /* A member both schemas know. */
    Record_set_count(r, 77);
    gt_assert_decodes_to(b, gt_schema("evolve_old.capnp"), "Record",
                         "(id = 9, name = \"new\", count = 77, "
                         "items = [(id = 1)], level = (2), "
                         "child = (id = 10, level = low))");
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_older_message),
        cmocka_unit_test(write_for_older_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
