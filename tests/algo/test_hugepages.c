/*
 * tests/algo/test_hugepages.c - the huge-page advice for large arrays
 * (src/algo/hugepages.h): which part of an array it covers, and what the
 * allocations give and keep; the advice is read back from the kernel's
 * flags for the mapping (VmFlags "hg" in /proc/self/smaps), and those
 * checks are skipped where the kernel has no transparent huge pages.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "test_support.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugepages.h"

#define MIB ((size_t)1 << 20)

/* 1 when the mapping holding addr is flagged for huge pages, 0 when it is
 * not, -1 when no mapping holds it. */
static int flagged_huge(const void *addr) {
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    uintptr_t a = (uintptr_t)addr;
    char line[1024];
    int found = 0, result = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char c;
        /* A mapping's first line: "lo-hi perms ..." (no field's name is
         * hex digits and a '-'). */
        if (sscanf(line, "%lx-%lx %c", &lo, &hi, &c) == 3) {
            found = a >= lo && a < hi;
            continue;
        }
        if (found && strncmp(line, "VmFlags:", 8) == 0) {
            result = strstr(line + 8, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return result;
}

static int thp_available(void) {
    return access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK) == 0;
}

/* An 8 MiB mapping at a 2 MiB boundary, from a larger one. */
static uint8_t *aligned_map(void **raw) {
    *raw = mmap(NULL, 10 * MIB, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(*raw != MAP_FAILED);
    uintptr_t p = ((uintptr_t)*raw + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1);
    return (uint8_t *)p;
}

/* Only the whole 2 MiB pages inside the array are advised. */
static void covers_the_aligned_inside(void **state) {
    (void)state;
    if (!thp_available()) skip();
    void *raw;
    uint8_t *base = aligned_map(&raw);
    algo_advise_huge(base + MIB, 4 * MIB + 123);
    memset(base, 1, 8 * MIB);
    assert_int_equal(flagged_huge(base + MIB), 0);
    assert_int_equal(flagged_huge(base + 2 * MIB), 1);
    assert_int_equal(flagged_huge(base + 4 * MIB - 1), 1);
    assert_int_equal(flagged_huge(base + 4 * MIB), 0);
    assert_int_equal(flagged_huge(base + 6 * MIB), 0);
    munmap(raw, 10 * MIB);
}

/* Below ALGO_HUGE_MIN nothing is asked, even with a whole page inside. */
static void small_arrays_are_left_alone(void **state) {
    (void)state;
    if (!thp_available()) skip();
    void *raw;
    uint8_t *base = aligned_map(&raw);
    algo_advise_huge(base, ALGO_HUGE_MIN - 1);
    assert_int_equal(flagged_huge(base), 0);
    algo_advise_huge(base, ALGO_HUGE_MIN);
    assert_int_equal(flagged_huge(base), 1);
    assert_int_equal(flagged_huge(base + ALGO_HUGE_MIN), 0);
    algo_advise_huge(NULL, 8 * MIB);
    munmap(raw, 10 * MIB);
}

/* From ALGO_HUGE_ALLOC_MIN on, whole 2 MiB pages at a 2 MiB boundary,
 * advised; below it, the size asked for. */
static void allocates_whole_huge_pages(void **state) {
    (void)state;
    static const size_t asks[] = {ALGO_HUGE_ALLOC_MIN, 2 * MIB, 3 * MIB + 1};
    static const size_t gets[] = {2 * MIB, 2 * MIB, 4 * MIB};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        size_t size = 0;
        uint8_t *p = algo_alloc_huge(asks[i], &size);
        assert_non_null(p);
        assert_int_equal(size, gets[i]);
        assert_int_equal((uintptr_t)p % (2 * MIB), 0);
        memset(p, 1, size);
        if (thp_available()) {
            assert_int_equal(flagged_huge(p), 1);
            assert_int_equal(flagged_huge(p + size - 1), 1);
        }
        free(p);
    }
    size_t size = 0;
    uint8_t *p = algo_alloc_huge(ALGO_HUGE_ALLOC_MIN - 8, &size);
    assert_non_null(p);
    assert_int_equal(size, ALGO_HUGE_ALLOC_MIN - 8);
    memset(p, 1, size);
    free(p);
}

/* Growing keeps the bytes in use: below ALGO_HUGE_GROW_MIN by realloc, to
 * the size asked for; from it on, into whole 2 MiB pages, advised. */
static void grows_into_whole_huge_pages(void **state) {
    (void)state;
    static const size_t asks[] = {64 << 10, ALGO_HUGE_GROW_MIN - 1,
                                  ALGO_HUGE_GROW_MIN, 2 * MIB + 1};
    static const size_t gets[] = {64 << 10, ALGO_HUGE_GROW_MIN - 1, 2 * MIB,
                                  4 * MIB};
    uint8_t *p = NULL;
    size_t used = 0;
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        size_t size = 0;
        uint8_t *q = algo_grow_huge(p, used, asks[i], &size);
        assert_non_null(q);
        assert_int_equal(size, gets[i]);
        for (size_t k = 0; k < used; k++)
            if (q[k] != (uint8_t)(k * 7 + 1)) fail_msg("byte %zu lost", k);
        if (size >= ALGO_HUGE_GROW_MIN) {
            assert_int_equal((uintptr_t)q % (2 * MIB), 0);
            if (thp_available()) {
                assert_int_equal(flagged_huge(q), 1);
                assert_int_equal(flagged_huge(q + size - 1), 1);
            }
        }
        /* The next step keeps what fills three quarters of this one. */
        used = asks[i] / 4 * 3;
        for (size_t k = 0; k < used; k++)
            q[k] = (uint8_t)(k * 7 + 1);
        p = q;
    }
    free(p);
    size_t size = 0;
    p = algo_grow_huge(NULL, 0, ALGO_HUGE_GROW_MIN, &size);
    assert_non_null(p);
    assert_int_equal(size, 2 * MIB);
    free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(covers_the_aligned_inside),
        cmocka_unit_test(small_arrays_are_left_alone),
        cmocka_unit_test(allocates_whole_huge_pages),
        cmocka_unit_test(grows_into_whole_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
