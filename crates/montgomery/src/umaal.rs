//! The UMAAL kernel: the same CIOS Montgomery multiplication as [`crate::portable`], in Thumb-2
//! assembly for cores with UMAAL (`RdHi:RdLo = Rn * Rm + RdHi + RdLo`): ARMv7E-M (Cortex-M4,
//! M7) and ARMv8-M Mainline with the DSP extension (Cortex-M33).
//!
//! One pass over `b` (outer loop, one word `b[i]` at a time); in it one pass over `a` and `m`
//! together, four words a turn, with two carry chains: `t[j] + a[j] b[i] + c1` and
//! `(that) + m[j] q + c2` are one UMAAL each, so a word of `a` and one of `m` cost two UMAAL,
//! and a word of `t` is loaded and stored once (four at a time, LDM/STM). `q = (t[0] + a[0]
//! b[i]) n0 mod 2^32` makes the low word vanish; the accumulator slides one word up per row
//! instead of being shifted down (2 N words, the result in the upper N), which is the division
//! by 2^32 and keeps every load and store in place. The final conditional subtraction is in
//! the assembly too (two passes: the borrow of `t - m`, then `t - (m & mask)`), about a fifth
//! of the instructions of the portable `reduce_once`. `N` must be a multiple of 4 here.
//!
//! This module is the only `unsafe` code of the crate: one `global_asm!` function and the call
//! of it in [`mont_mul`], whose comment lists what the function relies on.
#![allow(unsafe_code)]

// Arguments (AAPCS): r0 = t (2 N words, the first N zero on entry; the result, fully
// reduced, in the last N on return), r1 = a, r2 = b, r3 = m, [sp] = n0, [sp + 4] = N (a
// multiple of 4, >= 4). Returns nothing. Reads a, b and m, writes only t and its own stack
// frame (68 bytes); no branch or address depends on the values, only on N. The final
// subtraction is two passes over the result and m: the borrow of t - m, then t - (m & mask),
// the mask from that borrow and the top word.
//
// The accumulator slides instead of shifting: row i (the word b[i]) adds a b[i] + q m to
// t[i .. i + N], whose word i becomes 0 and is left behind, and writes t[i + N]; after N rows
// the result is t[N .. 2 N] and its top word. So each word of t is loaded and stored in place,
// four at a time (LDM/STM), and the inner loop takes four words of a and m a turn.
//
// Registers in the loops: r0 t (running), r1 a (running), r3 m (running), r4 b[i], r5 q,
// r6 carry of the a-chain, r7 carry of the m-chain, r8-r11 four words of t, r2/r12 two words
// of a then of m, lr the end of a. Frame: [sp] t[i] (the row's start), [sp+4] a, [sp+8] m,
// [sp+12] n0, [sp+16] the end of a, [sp+20] b (running), [sp+24] outer counter, [sp+28] top
// word of t.
#[cfg(montgomery_v8m)]
core::arch::global_asm!(".cpu cortex-m33");

core::arch::global_asm!(
    ".syntax unified",
    ".section .text.openpgp_card_montgomery_mul_umaal,\"ax\",%progbits",
    ".global openpgp_card_montgomery_mul_umaal",
    ".p2align 2",
    ".thumb",
    ".thumb_func",
    ".type openpgp_card_montgomery_mul_umaal,%function",
    "openpgp_card_montgomery_mul_umaal:",
    "    push {{r4-r11, lr}}",
    "    ldr r4, [sp, #36]",
    "    ldr r5, [sp, #40]",
    "    sub sp, sp, #32",
    "    str r0, [sp, #0]",
    "    str r1, [sp, #4]",
    "    str r3, [sp, #8]",
    "    str r4, [sp, #12]",
    "    str r2, [sp, #20]",
    "    str r5, [sp, #24]",
    "    add r6, r1, r5, lsl #2",
    "    str r6, [sp, #16]",
    "    movs r5, #0",
    "    str r5, [sp, #28]",
    ".Lmont_outer:",
    "    ldr r2, [sp, #20]",
    "    ldr r4, [r2], #4",
    "    str r2, [sp, #20]",
    "    ldr r0, [sp, #0]",
    "    ldr r1, [sp, #4]",
    "    ldr r3, [sp, #8]",
    // Word 0: q from t[i] + a[0] b[i]; adding q m[0] leaves 0 and a carry.
    "    ldr r8, [r0], #4",
    "    ldr r9, [r1], #4",
    "    movs r6, #0",
    "    umaal r8, r6, r9, r4",
    "    ldr r12, [sp, #12]",
    "    mul r5, r8, r12",
    "    ldr r10, [r3], #4",
    "    movs r7, #0",
    "    umaal r8, r7, r10, r5",
    // Words 1 to 3, so that the rest go by four.
    "    ldm r0, {{r8-r10}}",
    "    ldr r2, [r1], #4",
    "    umaal r8, r6, r2, r4",
    "    ldrd r2, r12, [r1], #8",
    "    umaal r9, r6, r2, r4",
    "    umaal r10, r6, r12, r4",
    "    ldr r2, [r3], #4",
    "    umaal r8, r7, r2, r5",
    "    ldrd r2, r12, [r3], #8",
    "    umaal r9, r7, r2, r5",
    "    umaal r10, r7, r12, r5",
    "    stm r0!, {{r8-r10}}",
    "    ldr lr, [sp, #16]",
    "    b .Lmont_test",
    // Words j to j + 3 for j = 4, 8, ..., N - 4; r0 points at t[i + j].
    ".Lmont_inner:",
    "    ldm r0, {{r8-r11}}",
    "    ldrd r2, r12, [r1], #8",
    "    umaal r8, r6, r2, r4",
    "    umaal r9, r6, r12, r4",
    "    ldrd r2, r12, [r1], #8",
    "    umaal r10, r6, r2, r4",
    "    umaal r11, r6, r12, r4",
    "    ldrd r2, r12, [r3], #8",
    "    umaal r8, r7, r2, r5",
    "    umaal r9, r7, r12, r5",
    "    ldrd r2, r12, [r3], #8",
    "    umaal r10, r7, r2, r5",
    "    umaal r11, r7, r12, r5",
    "    stm r0!, {{r8-r11}}",
    ".Lmont_test:",
    "    cmp r1, lr",
    "    bne .Lmont_inner",
    // t[i + N] = top + c1 + c2 (one UMAAL: top * 1 + c1 + c2 < 2^64), its high word the new
    // top word; the next row starts a word on.
    "    ldr r8, [sp, #28]",
    "    movs r9, #1",
    "    umaal r6, r7, r8, r9",
    "    str r6, [r0]",
    "    str r7, [sp, #28]",
    "    ldr r2, [sp, #0]",
    "    add r2, r2, #4",
    "    str r2, [sp, #0]",
    "    ldr r2, [sp, #24]",
    "    subs r2, r2, #1",
    "    str r2, [sp, #24]",
    "    bne .Lmont_outer",
    // The final subtraction, masked: top 2^(32 N) + t < 2 m, and t - m is kept exactly when
    // that does not borrow. The result starts at [sp] (t[N]); r12 = its end (r0 points at
    // t[2 N - 1]), r9 = top.
    "    add r12, r0, #4",
    "    ldr r9, [sp, #28]",
    // First pass: the borrow of t - m alone (C = 1: no borrow). TEQ leaves C as it is.
    "    ldr r0, [sp, #0]",
    "    ldr r3, [sp, #8]",
    "    cmp r0, r0",
    ".Lmont_borrow:",
    "    ldrd r4, r5, [r0], #8",
    "    ldrd r6, r7, [r3], #8",
    "    sbcs r4, r4, r6",
    "    sbcs r5, r5, r7",
    "    teq r0, r12",
    "    bne .Lmont_borrow",
    // r4 = all ones if no borrow or top = 1 (subtract), else 0.
    "    mov r4, #0",
    "    adc r4, r4, #0",
    "    orr r4, r4, r9",
    "    rsb r4, r4, #0",
    // Second pass: t -= m & r4.
    "    ldr r0, [sp, #0]",
    "    ldr r3, [sp, #8]",
    "    cmp r0, r0",
    ".Lmont_subtract:",
    "    ldrd r6, r7, [r3], #8",
    "    ldrd r10, r11, [r0]",
    "    and r6, r6, r4",
    "    and r7, r7, r4",
    "    sbcs r10, r10, r6",
    "    sbcs r11, r11, r7",
    "    strd r10, r11, [r0], #8",
    "    teq r0, r12",
    "    bne .Lmont_subtract",
    "    add sp, sp, #32",
    "    pop {{r4-r11, pc}}",
    ".size openpgp_card_montgomery_mul_umaal, . - openpgp_card_montgomery_mul_umaal",
);

extern "C" {
    fn openpgp_card_montgomery_mul_umaal(
        t: *mut u32,
        a: *const u32,
        b: *const u32,
        m: *const u32,
        n0: u32,
        n: usize,
    );
}

/// `a * b * 2^(-32 N) mod m`, fully reduced, with the same contract as
/// [`crate::portable::mont_mul`]: `b < m` and `a < 2^(32 N)` (or the other way round),
/// `n0 = -m^(-1) mod 2^32`. `N` must be even and at least 4 (checked when compiled).
pub fn mont_mul<const N: usize>(a: &[u32; N], b: &[u32; N], m: &[u32; N], n0: u32) -> [u32; N] {
    const {
        assert!(
            N >= 4 && N.is_multiple_of(4),
            "the UMAAL kernel takes N a multiple of 4, >= 4"
        )
    };
    // The sliding accumulator: 2 N words, contiguous, the first N zero.
    let mut t = [[0u32; N]; 2];
    // SAFETY: what the assembly relies on, and why it holds here:
    // - `a`, `b` and `m` are valid for reads of N words each, and `t` for reads and writes of
    //   2 N words: they are `[u32; N]` references and a local `[[u32; N]; 2]`, whose two
    //   arrays are contiguous (the types fix the lengths);
    // - `t` aliases none of the inputs (it is a fresh local; `a` and `b` may be the same
    //   array, squaring, since both are only read);
    // - the first N words of `t` are zero on entry (the accumulator starts at 0); row i reads
    //   t[i + 1 .. i + N] and writes t[i + N], so no word is read before it is written;
    // - N is a multiple of 4 and >= 4 (the const assertion above): the words 1 to 3 of a row
    //   and then its inner loop, four words a turn until the end of `a`, read exactly N words
    //   of `a`, `m` and `t` (the loop's test comes first, so N = 4 runs it no time), and the
    //   final subtraction's passes, two words a turn, stop at the end of `t`;
    // - the function follows the AAPCS: it saves and restores r4-r11 and lr, restores sp, and
    //   touches no memory but t and its own stack frame; no alignment beyond 4 bytes (LDRD,
    //   STRD, LDM and STM on ARMv7-M and ARMv8-M need only word alignment), which `u32` has.
    // The values need no precondition for memory safety: the running sum is below a + m <
    // 2^(32 N + 1) at every outer step, so the top word is 0 or 1 and nothing overflows.
    unsafe {
        openpgp_card_montgomery_mul_umaal(
            t.as_mut_ptr().cast::<u32>(),
            a.as_ptr(),
            b.as_ptr(),
            m.as_ptr(),
            n0,
            N,
        )
    };
    let [_, result] = t;
    result
}
