// SPDX-License-Identifier: GPL-2.0
/* Every jump (JMP and JMP32, immediate and register), calls, exit, and the
 * load/store classes (LD abs/ind, LDX, STX, atomic add/and/or/xor without
 * fetch) for the disassembler's golden test against llvm-objdump. */
#define SEC(x) __attribute__((section(x), used))

SEC("socket") int disasm_jmp64(void *ctx)
{
	asm volatile("goto +0\n"
		     "if r1 == 3 goto +1\n if r1 == r2 goto +1\n"
		     "if r1 > 3 goto +1\n if r1 > r2 goto +1\n"
		     "if r1 >= 3 goto +1\n if r1 >= r2 goto +1\n"
		     "if r1 < 3 goto +1\n if r1 < r2 goto +1\n"
		     "if r1 <= 3 goto +1\n if r1 <= r2 goto +1\n"
		     "if r1 != 3 goto +1\n if r1 != r2 goto +1\n"
		     "if r1 s> -3 goto +1\n if r1 s> r2 goto +1\n"
		     "if r1 s>= -3 goto +1\n if r1 s>= r2 goto +1\n"
		     "if r1 s< -3 goto +1\n if r1 s< r2 goto +1\n"
		     "if r1 s<= -3 goto -1\n if r1 s<= r2 goto -2\n"
		     "call 14\n call 1\n"
		     "r0 = 0\n exit\n" ::: "memory");
	return 0;
}

SEC("socket") int disasm_jmp32(void *ctx)
{
	asm volatile("if w1 == 3 goto +1\n if w1 == w2 goto +1\n"
		     "if w1 > 3 goto +1\n if w1 > w2 goto +1\n"
		     "if w1 >= 3 goto +1\n if w1 >= w2 goto +1\n"
		     "if w1 < 3 goto +1\n if w1 < w2 goto +1\n"
		     "if w1 <= 3 goto +1\n if w1 <= w2 goto +1\n"
		     "if w1 != 3 goto +1\n if w1 != w2 goto +1\n"
		     "if w1 s> -3 goto +1\n if w1 s> w2 goto +1\n"
		     "if w1 s>= -3 goto +1\n if w1 s>= w2 goto +1\n"
		     "if w1 s< -3 goto +1\n if w1 s< w2 goto +1\n"
		     "if w1 s<= -3 goto +1\n if w1 s<= w2 goto +1\n"
		     "w0 = 0\n exit\n" ::: "memory");
	return 0;
}

SEC("socket") int disasm_mem(void *ctx)
{
	asm volatile("r6 = r1\n"
		     "r0 = *(u8 *)skb[4]\n r0 = *(u16 *)skb[12]\n r0 = *(u32 *)skb[26]\n"
		     "r0 = *(u8 *)skb[r7]\n r0 = *(u16 *)skb[r7]\n r0 = *(u32 *)skb[r7]\n"
		     "r2 = *(u8 *)(r1 + 0)\n r2 = *(u16 *)(r1 + 2)\n"
		     "r2 = *(u32 *)(r1 + 4)\n r2 = *(u64 *)(r10 - 8)\n"
		     "*(u8 *)(r10 - 1) = r2\n *(u16 *)(r10 - 4) = r2\n"
		     "*(u32 *)(r10 - 8) = r2\n *(u64 *)(r10 - 16) = r2\n"
		     "lock *(u32 *)(r10 - 8) += w2\n lock *(u64 *)(r10 - 16) += r2\n"
		     "lock *(u64 *)(r10 - 16) &= r2\n lock *(u64 *)(r10 - 16) |= r2\n"
		     "lock *(u64 *)(r10 - 16) ^= r2\n lock *(u32 *)(r10 - 8) ^= w2\n"
		     "r1 = 0x123456789 ll\n r2 = -1 ll\n r3 = 0 ll\n"
		     "r0 = 0\n exit\n" ::: "memory");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
