/*
 * tests/gen/test_evolve_old.c - schema evolution seen from the older code:
 * code generated for tests/data/gen/evolve_old.capnp reads messages written
 * with the newer schema evolve_new.capnp (more fields, new union members,
 * a new enumerant, grown list elements) without error, and writes messages
 * that the newer schema reads with its defaults in the new fields.  The
 * newer side is test_evolve_new.c (the two versions declare the same C
 * names, so they cannot share a program).
 */
#define _POSIX_C_SOURCE 200809L

#include "gen_tool.h"

#include <stdlib.h>
#include <string.h>

#include "evolve_old.capnp.h"

/* A message in the newer version's every feature: the union holds a member
 * the old schema does not know. */
static const char NEW_TEXT[] =
    "(id = 7, name = \"rec\", label = \"new member\", "
    "items = [(id = 1, name = \"i1\", price = 1.5, tags = [\"t\"]), "
    "(id = 2, price = 3)], "
    "level = extreme, child = (id = 8, ratio = 0.75, score = 2), "
    "score = 3.5, flag = false, note = \"n\", "
    "extra = (note = \"e\", weight = 1), nums = [9], big = 5, "
    "opts = (retries = 0, verbose = true), mode = (slow = 7))";

static void read_newer_message(void **state) {
    (void)state;
    ts_buf keep;
    ncp_msg *m =
        gt_encode(gt_schema("evolve_new.capnp"), "Record", NEW_TEXT, &keep);
    Record_R r = Record_read_root(m);
    assert_int_equal(Record_get_id(r), 7);
    gt_assert_text(Record_get_name(r), "rec");
    /* An unknown union member: its tag, and the known members read as
     * their defaults. */
    assert_int_equal((int)Record_which(r), 2);
    assert_int_equal(Record_get_count(r), 0);
    /* List elements that grew. */
    Item_RList items = Record_get_items(r);
    assert_int_equal(Item_RList_len(items), 2);
    assert_int_equal(Item_get_id(Item_RList_get(items, 0)), 1);
    gt_assert_text(Item_get_name(Item_RList_get(items, 0)), "i1");
    assert_int_equal(Item_get_id(Item_RList_get(items, 1)), 2);
    assert_false(Item_has_name(Item_RList_get(items, 1)));
    /* An enumerant added later reads as its number. */
    assert_int_equal((int)Record_get_level(r), 2);
    /* The child's union holds another new member. */
    Record_R child = Record_get_child(r);
    assert_int_equal(Record_get_id(child), 8);
    assert_int_equal((int)Record_which(child), 3);
    assert_int_equal(Record_get_count(child), 0);
    assert_int_equal(Record_get_level(child), Level_low);
    gt_done(m);
    ts_buf_free(&keep);

    /* The newer group member of the union, and the old member. */
    m = gt_encode(gt_schema("evolve_new.capnp"), "Record",
                  "(span = (from = 5, to = 6))", &keep);
    r = Record_read_root(m);
    assert_int_equal((int)Record_which(r), 4);
    assert_int_equal(Record_get_count(r), 0);
    gt_done(m);
    ts_buf_free(&keep);
    m = gt_encode(gt_schema("evolve_new.capnp"), "Record",
                  "(count = 11, score = 1)", &keep);
    r = Record_read_root(m);
    assert_int_equal(Record_which(r), Record_which_count);
    assert_int_equal(Record_get_count(r), 11);
    gt_done(m);
    ts_buf_free(&keep);
}

static void write_for_newer_reader(void **state) {
    (void)state;
    ncp_builder *b = gt_builder();
    Record_B r = Record_new_root(b);
    Record_set_id(r, 3);
    Record_set_name(r, GT_TEXT("old"));
    Record_set_count(r, 5);
    Item_BList items = Record_init_items(r, 2);
    Item_set_id(Item_BList_get(items, 0), 1);
    Item_set_name(Item_BList_get(items, 0), GT_TEXT("i1"));
    Item_set_id(Item_BList_get(items, 1), 2);
    Record_set_level(r, Level_high);
    Record_set_id(Record_init_child(r), 4);
    /* The newer schema sees its defaults in the fields the old code does
     * not know (null pointer fields are not printed). */
    gt_assert_decodes_to(
        b, gt_schema("evolve_new.capnp"), "Record",
        "(id = 3, name = \"old\", count = 5, items = [(id = 1, name = \"i1\", "
        "price = 9.5), (id = 2, price = 9.5)], level = high, "
        "child = (id = 4, none = void, level = low, score = 0.5, flag = true, "
        "big = -42, opts = (retries = 3, verbose = false), "
        "mode = (fast = void)), score = 0.5, flag = true, big = -42, "
        "opts = (retries = 3, verbose = false), mode = (fast = void))");
    ncp_builder_free(b);
}

/* Copying a newer struct keeps the fields the old code does not know. */
static void copy_keeps_unknown_fields(void **state) {
    (void)state;
    ts_buf keep;
    ncp_msg *m =
        gt_encode(gt_schema("evolve_new.capnp"), "Record", NEW_TEXT, &keep);
    Record_R src = Record_read_root(m);
    ncp_builder *b = gt_builder();
    Record_B r = Record_new_root(b);
    Record_set_id(r, 1);
    ncp_bptr_copy(ncp_bstruct_ptr(&r.s, 2), ncp_struct_ptr(&src.s, 2));
    ncp_bptr_copy(ncp_bstruct_ptr(&r.s, 1), ncp_struct_ptr(&src.s, 1));
    gt_done(m);
    ts_buf_free(&keep);
    gt_assert_decodes_to(
        b, gt_schema("evolve_new.capnp"), "Record",
        "(id = 1, none = void, items = [(id = 1, name = \"i1\", price = 1.5, "
        "tags = [\"t\"]), (id = 2, price = 3)], level = low, "
        "child = (id = 8, level = low, ratio = 0.75, score = 2, flag = true, "
        "big = -42, opts = (retries = 3, verbose = false), "
        "mode = (fast = void)), score = 0.5, flag = true, big = -42, "
        "opts = (retries = 3, verbose = false), mode = (fast = void))");
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_newer_message),
        cmocka_unit_test(write_for_newer_reader),
        cmocka_unit_test(copy_keeps_unknown_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
