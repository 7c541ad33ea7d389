/*
 * src/ncp/copy_out_avx512.c - the AVX-512F loop of ncp__copy_out
 * (copy_out.c): four streamed lines per iteration.  Compiled with
 * -mavx512f and called only on CPUs that have it.
 */
#include <immintrin.h>

#include "internal.h"

void ncp__copy_out_avx512(uint8_t *dst, const uint8_t *src, size_t n) {
    size_t head = (size_t)(-(uintptr_t)dst & 63u);
    if (head > n) head = n;
    memcpy(dst, src, head);
    size_t i = head;
    for (; n - i >= 256; i += 256) {
        __m512i a = _mm512_loadu_si512(src + i);
        __m512i b = _mm512_loadu_si512(src + i + 64);
        __m512i c = _mm512_loadu_si512(src + i + 128);
        __m512i d = _mm512_loadu_si512(src + i + 192);
        _mm512_stream_si512((void *)(dst + i), a);
        _mm512_stream_si512((void *)(dst + i + 64), b);
        _mm512_stream_si512((void *)(dst + i + 128), c);
        _mm512_stream_si512((void *)(dst + i + 192), d);
    }
    for (; n - i >= 64; i += 64)
        _mm512_stream_si512((void *)(dst + i), _mm512_loadu_si512(src + i));
    _mm_sfence();
    memcpy(dst + i, src + i, n - i);
}
