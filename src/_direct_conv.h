/* Direct convolution kernels for stride-1 convolutions (used by _conv.pyx).
 *
 * The idea ("full-width positions"): copy one sample of the input, zero-padded, into a
 * buffer xs of shape (C, P0, P1, P2).  Number the output positions by where their window
 * starts in that buffer, p = g0*P1*P2 + g1*P2 + g2, and let p run over *every* value from
 * 0 to P-1, including the positions g1 >= G1 or g2 >= G2 that wrap into the next row or
 * plane.  Then for each row k = (c, k0, k1, k2) of the filters the values the window reads
 * are a contiguous slice of xs:
 *
 *     out[f, p] = sum_k  W[f, k] * xs[koff[k] + p],   koff[k] = c*P0*P1*P2 + k0*d0*P1*P2 + k1*d1*P2 + k2*d2
 *
 * - a matrix product whose right-hand matrix is never built (no im2col): its rows are
 * read straight out of xs with unaligned vector loads.  The positions that wrap are
 * computed and thrown away (dc_compact copies the valid ones out); for a 3x3 kernel on a
 * 26x26 image that is 8 % more work, against the im2col matrix (9 times the input) that
 * BLAS would otherwise read, pack and read again.
 *
 * dc_fwd_*  out (Fp, Pv) for Fp filters in blocks of MR: each tile keeps MR x NV vectors
 *           of sums in registers and reads, per k, NV vectors of xs and MR weights (packed
 *           as wp[block][k][i] so that they are consecutive).
 * dc_dw_*   the weight gradient: dW[f, k] = sum_p gf[f, p] * xs[koff[k] + p], where gf is
 *           the output gradient spread to full-width positions with zeros at the wrapped
 *           ones; tiles of WF filters x WK rows, sums over p kept as vectors (one per
 *           (f, k)) in dwv and added over the samples; the caller adds the lanes up.
 *
 * The input gradient of a stride-1 convolution is itself such a convolution (of the
 * output gradient padded by d*(K-1) - p, with the filters transposed and flipped), so it
 * uses dc_fwd too.
 *
 * The vector code is written with GCC's vector extensions, once per instruction set - for
 * AVX-512 (64-byte vectors, 32 registers: tiles of 8 x 3 and 4 x 6 vectors) and for AVX2
 * with FMA (32-byte vectors, 16 registers: 4 x 3 and 4 x 3) - each compiled for its
 * target by a function attribute (the rest of the module keeps the default one).  The
 * caller asks dc_isa() at run time which one this CPU has and uses im2col + BLAS where it
 * has neither.  The kernels do no checking: _conv.pyx validates every size and allocates
 * every buffer with the slack the loads need (up to koff[K-1] + Pv elements of xs).
 */
#include <fenv.h>
#include <string.h>

#define DC_NONE 0
#define DC_AVX2 1
#define DC_AVX512 2
#define DC_AVX512_NARROW 3   /* (not a CPU: the AVX-512 forward kernel for 4 filters a tile) */

#if defined(__GNUC__) && defined(__x86_64__)
#define DC_TARGET_AVX512 __attribute__((target("avx512f,fma")))
#define DC_TARGET_AVX2 __attribute__((target("avx2,fma")))
static int dc_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return DC_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return DC_AVX2;
    return DC_NONE;
}
#else
#define DC_TARGET_AVX512
#define DC_TARGET_AVX2
static int dc_isa(void) { return DC_NONE; }
#endif

/* Floating-point errors: the kernels compute positions that are thrown away, and never
 * run through NumPy's ufunc machinery, which reports overflow and invalid operations as
 * warnings (or errors, under np.errstate).  The caller clears the flags, runs a pass, and
 * if one of the flags NumPy would report was raised, runs the pass again through BLAS -
 * which reports it as MyGrad's convolution does (or finds nothing, if it came from a
 * thrown-away position). */
static void dc_clear_flags(void) { feclearexcept(FE_ALL_EXCEPT); }
static int dc_raised(int divide, int over, int under, int invalid) {
    int mask = (divide ? FE_DIVBYZERO : 0) | (over ? FE_OVERFLOW : 0)
             | (under ? FE_UNDERFLOW : 0) | (invalid ? FE_INVALID : 0);
    return mask != 0 && fetestexcept(mask) != 0;
}

/* tile sizes per instruction set - MR, NV (forward), WF, WK (weight gradient) - and the
   table the caller reads them from (with the vector size in bytes) */
#define DC_AVX2_TILES 4, 3, 4, 3      /* 12 sums + 3 + 1 and 12 + 4 + 1 of 16 registers */
#define DC_AVX512_TILES 8, 3, 4, 6    /* 24 sums + 3 + 1 and 24 + 4 + 1 of 32 registers */
#define DC_AVX512_NARROW_TILES 4, 6, 4, 6   /* 24 + 6 + 1: for fewer filters (less padding) */
static const int DC_TILES[4][5] = {{0, 0, 0, 0, 0}, {DC_AVX2_TILES, 32}, {DC_AVX512_TILES, 64},
                                   {DC_AVX512_NARROW_TILES, 64}};

/* unaligned vector load / store, through a vector type of the element's alignment that
   may alias it (a memcpy would take the sums' address: GCC then kept them in memory) */
#define DC_LD(U, v, ptr) ((v) = *(const U*)(ptr))
#define DC_ST(U, ptr, v) (*(U*)(ptr) = (v))

#define DC_KERNELS_(T, SUF, VB, L, MR, NV, WF, WK, TARGET)                                    \
typedef T dc_vec_##SUF __attribute__((vector_size(VB)));                                      \
typedef T dc_uvec_##SUF __attribute__((vector_size(VB), aligned(sizeof(T)), may_alias));      \
                                                                                              \
/* out[f, p] for f < Fp (a multiple of MR), p < Pv (a multiple of NV * L) */                  \
TARGET static void dc_fwd_##SUF(const T* xs, const T* wp, const Py_ssize_t* koff,             \
                                   Py_ssize_t K, T* out, Py_ssize_t Pv, Py_ssize_t Fp) {      \
    for (Py_ssize_t fb = 0; fb < Fp; fb += MR) {                                              \
        const T* w = wp + fb * K;                                                             \
        for (Py_ssize_t p0 = 0; p0 < Pv; p0 += NV * L) {                                      \
            dc_vec_##SUF acc[MR][NV];                                                         \
            for (int i = 0; i < MR; i++)                                                      \
                for (int j = 0; j < NV; j++)                                                  \
                    acc[i][j] = (dc_vec_##SUF){0};                                            \
            for (Py_ssize_t k = 0; k < K; k++) {                                              \
                const T* src = xs + koff[k] + p0;                                             \
                dc_vec_##SUF b[NV];                                                           \
                for (int j = 0; j < NV; j++)                                                  \
                    DC_LD(dc_uvec_##SUF, b[j], src + j * L);                                  \
                for (int i = 0; i < MR; i++) {                                                \
                    T a = w[k * MR + i];                                                      \
                    for (int j = 0; j < NV; j++)                                              \
                        acc[i][j] += a * b[j];                                                \
                }                                                                             \
            }                                                                                 \
            for (int i = 0; i < MR; i++)                                                      \
                for (int j = 0; j < NV; j++)                                                  \
                    DC_ST(dc_uvec_##SUF, out + (fb + i) * Pv + p0 + j * L, acc[i][j]);        \
        }                                                                                     \
    }                                                                                         \
}                                                                                             \
                                                                                              \
/* dwv[f, k, :] += sum over the ns samples j and p < Pv (a multiple of L) of                  \
   gf[j][f, p] * xs[j][koff[k] + p], for f < Fp (a multiple of WF) and k < Kp (a multiple     \
   of WK); sample j's buffers start at xs + j * xs_step and gf + j * Fp * Pv.  (Several       \
   samples per call: each (f, k) tile's sums go to memory once per call, not per sample.) */  \
TARGET static void dc_dw_##SUF(const T* xs, Py_ssize_t xs_step, const T* gf, Py_ssize_t ns,   \
                                  const Py_ssize_t* koff, Py_ssize_t Kp, Py_ssize_t Pv,       \
                                  Py_ssize_t Fp, T* dwv) {                                    \
    for (Py_ssize_t k0 = 0; k0 < Kp; k0 += WK) {                                              \
        for (Py_ssize_t f0 = 0; f0 < Fp; f0 += WF) {                                          \
            dc_vec_##SUF acc[WF][WK];                                                         \
            for (int i = 0; i < WF; i++)                                                      \
                for (int j = 0; j < WK; j++)                                                  \
                    acc[i][j] = (dc_vec_##SUF){0};                                            \
            for (Py_ssize_t n = 0; n < ns; n++) {                                             \
                const T* xn = xs + n * xs_step;                                               \
                const T* gn = gf + (n * Fp + f0) * Pv;                                        \
                for (Py_ssize_t p = 0; p < Pv; p += L) {                                      \
                    dc_vec_##SUF g[WF];                                                       \
                    for (int i = 0; i < WF; i++)                                              \
                        DC_LD(dc_uvec_##SUF, g[i], gn + i * Pv + p);                          \
                    for (int j = 0; j < WK; j++) {                                            \
                        dc_vec_##SUF b;                                                       \
                        DC_LD(dc_uvec_##SUF, b, xn + koff[k0 + j] + p);                       \
                        for (int i = 0; i < WF; i++)                                          \
                            acc[i][j] += g[i] * b;                                            \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
            for (int i = 0; i < WF; i++)                                                      \
                for (int j = 0; j < WK; j++) {                                                \
                    T* dst = dwv + ((f0 + i) * Kp + k0 + j) * L;                              \
                    dc_vec_##SUF s;                                                           \
                    DC_LD(dc_uvec_##SUF, s, dst);                                             \
                    s += acc[i][j];                                                           \
                    DC_ST(dc_uvec_##SUF, dst, s);                                             \
                }                                                                             \
        }                                                                                     \
    }                                                                                         \
}                                                                                             \

#define DC_HELPERS(T, SUF)                                                                    \
/* xs (C, P0, P1, P2) followed by slack, all zero but for x (C, S0, S1, S2) at offset         \
   (q0, q1, q2) in each channel; n_xs is the whole length of xs */                            \
static void dc_pad_##SUF(const T* x, T* xs, Py_ssize_t n_xs, Py_ssize_t C,                    \
                         const Py_ssize_t* S, const Py_ssize_t* P, const Py_ssize_t* q) {     \
    Py_ssize_t n_x = C * S[0] * S[1] * S[2];                                                  \
    if (q[0] == 0 && q[1] == 0 && q[2] == 0) {   /* no padding: one copy, zero the slack */   \
        memcpy(xs, x, n_x * sizeof(T));                                                       \
        memset(xs + n_x, 0, (n_xs - n_x) * sizeof(T));                                        \
        return;                                                                               \
    }                                                                                         \
    memset(xs, 0, n_xs * sizeof(T));                                                          \
    for (Py_ssize_t c = 0; c < C; c++)                                                        \
        for (Py_ssize_t s0 = 0; s0 < S[0]; s0++)                                              \
            for (Py_ssize_t s1 = 0; s1 < S[1]; s1++) {                                        \
                T* dst = xs + ((c * P[0] + s0 + q[0]) * P[1] + s1 + q[1]) * P[2] + q[2];      \
                const T* src = x + ((c * S[0] + s0) * S[1] + s1) * S[2];                      \
                for (Py_ssize_t j = 0; j < S[2]; j++)                                         \
                    dst[j] = src[j];                                                          \
            }                                                                                 \
}                                                                                             \
                                                                                              \
/* out (F, G0, G1, G2) <- the valid positions of full (>= F rows of Pv) */                    \
static void dc_compact_##SUF(const T* full, Py_ssize_t Pv, T* out, Py_ssize_t F,              \
                             const Py_ssize_t* G, const Py_ssize_t* P) {                      \
    for (Py_ssize_t f = 0; f < F; f++)                                                        \
        for (Py_ssize_t g0 = 0; g0 < G[0]; g0++)                                              \
            for (Py_ssize_t g1 = 0; g1 < G[1]; g1++) {                                        \
                const T* src = full + f * Pv + (g0 * P[1] + g1) * P[2];                       \
                T* dst = out + ((f * G[0] + g0) * G[1] + g1) * G[2];                          \
                for (Py_ssize_t j = 0; j < G[2]; j++)                                         \
                    dst[j] = src[j];                                                          \
            }                                                                                 \
}                                                                                             \
                                                                                              \
/* gf (Fp, Pv) <- grad (F, G0, G1, G2) spread to full-width positions, zeros elsewhere */     \
static void dc_spread_##SUF(const T* grad, T* gf, Py_ssize_t Fp, Py_ssize_t Pv, Py_ssize_t F, \
                            const Py_ssize_t* G, const Py_ssize_t* P) {                       \
    for (Py_ssize_t f = 0; f < F; f++) {                                                      \
        T* dst = gf + f * Pv;                                                                 \
        const T* src = grad + f * G[0] * G[1] * G[2];                                         \
        Py_ssize_t p = 0;                                                                     \
        for (Py_ssize_t g0 = 0; g0 < G[0]; g0++) {                                            \
            for (Py_ssize_t g1 = 0; g1 < P[1]; g1++) {                                        \
                if (g0 * P[1] + g1 >= (G[0] - 1) * P[1] + G[1])                               \
                    break;   /* the positions after the last valid one: zeroed below */       \
                Py_ssize_t j = 0;                                                             \
                if (g1 < G[1]) {                                                              \
                    for (; j < G[2]; j++)                                                     \
                        dst[p + j] = src[j];                                                  \
                    src += G[2];                                                              \
                }                                                                             \
                for (; j < P[2] && p + j < Pv; j++)                                           \
                    dst[p + j] = 0;                                                           \
                p += P[2];                                                                    \
            }                                                                                 \
        }                                                                                     \
        if (p < Pv)                                                                           \
            memset(dst + p, 0, (Pv - p) * sizeof(T));                                         \
    }                                                                                         \
    memset(gf + F * Pv, 0, (Fp - F) * Pv * sizeof(T));                                        \
}

/* the kernels of the instruction set ``isa`` (DC_AVX2, DC_AVX512 or DC_AVX512_NARROW) */
#define DC_DISPATCH(T, SUF)                                                                   \
static void dc_fwd_##SUF(int isa, const T* xs, const T* wp, const Py_ssize_t* koff,           \
                         Py_ssize_t K, T* out, Py_ssize_t Pv, Py_ssize_t Fp) {                \
    if (isa == DC_AVX512)                                                                     \
        dc_fwd_##SUF##_avx512(xs, wp, koff, K, out, Pv, Fp);                                  \
    else if (isa == DC_AVX512_NARROW)                                                         \
        dc_fwd_##SUF##_avx512n(xs, wp, koff, K, out, Pv, Fp);                                 \
    else                                                                                      \
        dc_fwd_##SUF##_avx2(xs, wp, koff, K, out, Pv, Fp);                                    \
}                                                                                             \
static void dc_dw_##SUF(int isa, const T* xs, Py_ssize_t xs_step, const T* gf, Py_ssize_t ns, \
                        const Py_ssize_t* koff, Py_ssize_t Kp, Py_ssize_t Pv, Py_ssize_t Fp,  \
                        T* dwv) {                                                             \
    if (isa == DC_AVX512 || isa == DC_AVX512_NARROW)                                          \
        dc_dw_##SUF##_avx512(xs, xs_step, gf, ns, koff, Kp, Pv, Fp, dwv);                     \
    else                                                                                      \
        dc_dw_##SUF##_avx2(xs, xs_step, gf, ns, koff, Kp, Pv, Fp, dwv);                       \
}

#define DC_KERNELS(T, SUF, VB, L, TILES, TARGET) DC_KERNELS_(T, SUF, VB, L, TILES, TARGET)
DC_KERNELS(float, f32_avx512, 64, 16, DC_AVX512_TILES, DC_TARGET_AVX512)
DC_KERNELS(double, f64_avx512, 64, 8, DC_AVX512_TILES, DC_TARGET_AVX512)
DC_KERNELS(float, f32_avx512n, 64, 16, DC_AVX512_NARROW_TILES, DC_TARGET_AVX512)
DC_KERNELS(double, f64_avx512n, 64, 8, DC_AVX512_NARROW_TILES, DC_TARGET_AVX512)
DC_KERNELS(float, f32_avx2, 32, 8, DC_AVX2_TILES, DC_TARGET_AVX2)
DC_KERNELS(double, f64_avx2, 32, 4, DC_AVX2_TILES, DC_TARGET_AVX2)
DC_DISPATCH(float, f32)
DC_DISPATCH(double, f64)
DC_HELPERS(float, f32)
DC_HELPERS(double, f64)
