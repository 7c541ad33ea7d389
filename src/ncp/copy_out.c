/*
 * src/ncp/copy_out.c - copying large messages out to a caller's buffer.
 *
 * A plain copy reads every destination cache line before it overwrites it
 * (the line must be owned to be written), so it moves each byte three
 * times: source in, destination in, destination out.  Non-temporal
 * ("streaming") stores write whole lines without reading them and without
 * keeping them in the caches.  For messages far larger than the caches,
 * whose bytes would be evicted before anyone read them again, that is the
 * faster copy; for small ones the cached copy is, since its destination
 * stays at hand.  ncp_builder_write_mem streams messages of at least
 * NCP__STREAM_MIN_BYTES.
 *
 * The loops: SSE2 (every x86-64 CPU) and AVX-512F, chosen at first use;
 * elsewhere memcpy.
 */
#include <pthread.h>

#include "internal.h"

#if defined(NCP_HAVE_STREAM_COPY)
#include <emmintrin.h>

void ncp__copy_out_sse2(uint8_t *dst, const uint8_t *src, size_t n) {
    /* Up to the first 64-byte line of the destination, as usual; then
     * whole lines; then the tail. */
    size_t head = (size_t)(-(uintptr_t)dst & 63u);
    if (head > n) head = n;
    memcpy(dst, src, head);
    size_t i = head;
    for (; n - i >= 64; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
        __m128i b =
            _mm_loadu_si128((const __m128i *)(const void *)(src + i + 16));
        __m128i c =
            _mm_loadu_si128((const __m128i *)(const void *)(src + i + 32));
        __m128i d =
            _mm_loadu_si128((const __m128i *)(const void *)(src + i + 48));
        _mm_stream_si128((__m128i *)(void *)(dst + i), a);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 16), b);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 32), c);
        _mm_stream_si128((__m128i *)(void *)(dst + i + 48), d);
    }
    /* Streaming stores are weakly ordered: fence them before anything
     * that follows (another thread may be told the buffer is ready). */
    _mm_sfence();
    memcpy(dst + i, src + i, n - i);
}

#if defined(NCP_HAVE_AVX512_COPY)
static bool avx512_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}
#endif

static ncp__copy_out_fn copy_out = ncp__copy_out_sse2;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void) {
#if defined(NCP_HAVE_AVX512_COPY)
    if (avx512_usable()) copy_out = ncp__copy_out_avx512;
#endif
}
#endif /* NCP_HAVE_STREAM_COPY */

static void copy_plain(uint8_t *dst, const uint8_t *src, size_t n) {
    memcpy(dst, src, n);
}

void ncp__copy_out(uint8_t *dst, const uint8_t *src, size_t n) {
#if defined(NCP_HAVE_STREAM_COPY)
    pthread_once(&init_once, init);
    copy_out(dst, src, n);
#else
    copy_plain(dst, src, n);
#endif
}

size_t ncp__copy_out_impls(const char **names, ncp__copy_out_fn *fns,
                           size_t cap) {
    size_t n = 0;
    if (n < cap) {
        names[n] = "memcpy";
        fns[n] = copy_plain;
    }
    n++;
#if defined(NCP_HAVE_STREAM_COPY)
    if (n < cap) {
        names[n] = "sse2";
        fns[n] = ncp__copy_out_sse2;
    }
    n++;
#if defined(NCP_HAVE_AVX512_COPY)
    if (avx512_usable()) {
        if (n < cap) {
            names[n] = "avx512";
            fns[n] = ncp__copy_out_avx512;
        }
        n++;
    }
#endif
#endif
    return n;
}
