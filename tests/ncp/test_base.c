/*
 * tests/ncp/test_base.c - status names and error records.
 */
#include "test_support.h"

#include <string.h>

static void status_names_and_texts(void **state) {
    (void)state;
    assert_string_equal(ncp_status_name(NCP_OK), "NCP_OK");
    assert_string_equal(ncp_status_name(NCP_ERR_TRUNCATED),
                        "NCP_ERR_TRUNCATED");
    assert_string_equal(ncp_status_text(NCP_ERR_NOMEM), "out of memory");
    assert_string_equal(ncp_status_text((ncp_status)999), "unknown status");
    assert_string_equal(ncp_status_name((ncp_status)-1), "NCP_UNKNOWN_STATUS");
    for (int s = 0; s < NCP_STATUS_COUNT_; s++) {
        assert_true(strlen(ncp_status_text((ncp_status)s)) > 0);
        assert_memory_equal(ncp_status_name((ncp_status)s), "NCP_", 4);
    }
}

static void first_error_wins(void **state) {
    (void)state;
    ncp_error e;
    ncp_error_clear(&e);
    assert_int_equal(e.status, NCP_OK);
    assert_int_equal(ncp_error_set(&e, NCP_ERR_IO, "first %d", 1), NCP_ERR_IO);
    assert_int_equal(ncp_error_set(&e, NCP_ERR_NOMEM, "second"), NCP_ERR_NOMEM);
    assert_int_equal(e.status, NCP_ERR_IO);
    assert_string_equal(e.message, "first 1");
    /* NULL records nothing but still returns the status. */
    assert_int_equal(ncp_error_set(NULL, NCP_ERR_ARG, "x"), NCP_ERR_ARG);
    /* A message longer than the record is truncated, not overflowed. */
    ncp_error_clear(&e);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ncp_error_set(&e, NCP_ERR_ARG, "%s", big);
    assert_int_equal(strlen(e.message), NCP_ERROR_MESSAGE_SIZE - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names_and_texts),
        cmocka_unit_test(first_error_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
