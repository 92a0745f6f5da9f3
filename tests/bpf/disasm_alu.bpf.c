// SPDX-License-Identifier: GPL-2.0
/* Every ALU and ALU64 operation (but MOD, which clang 14 cannot assemble:
 * the hand-built tests have it), immediate and register forms, for the
 * disassembler's golden test (compared with llvm-objdump of this object).
 * Never loaded: it only has to assemble. */
#define SEC(x) __attribute__((section(x), used))

SEC("socket") int disasm_alu64(void *ctx)
{
	asm volatile("r1 += 7\n r1 += r2\n r1 -= 7\n r1 -= r2\n"
		     "r1 *= 7\n r1 *= r2\n r1 /= 7\n r1 /= r2\n"
		     "r1 |= 7\n r1 |= r2\n r1 &= 7\n r1 &= r2\n"
		     "r1 <<= 7\n r1 <<= r2\n r1 >>= 7\n r1 >>= r2\n"
		     "r1 = -r1\n"
		     "r1 ^= 7\n r1 ^= r2\n"
		     "r1 = 7\n r1 = r2\n r1 = -2147483648\n r1 = 2147483647\n"
		     "r1 s>>= 7\n r1 s>>= r2\n"
		     "r1 = be16 r1\n r1 = be32 r1\n r1 = be64 r1\n"
		     "r1 = le16 r1\n r1 = le32 r1\n r1 = le64 r1\n"
		     "r0 = 0\n exit\n" ::: "memory");
	return 0;
}

SEC("socket") int disasm_alu32(void *ctx)
{
	asm volatile("w1 += 7\n w1 += w2\n w1 -= 7\n w1 -= w2\n"
		     "w1 *= 7\n w1 *= w2\n w1 /= 7\n w1 /= w2\n"
		     "w1 |= 7\n w1 |= w2\n w1 &= 7\n w1 &= w2\n"
		     "w1 <<= 7\n w1 <<= w2\n w1 >>= 7\n w1 >>= w2\n"
		     "w1 = -w1\n"
		     "w1 ^= 7\n w1 ^= w2\n"
		     "w1 = 7\n w1 = w2\n w1 = -1\n"
		     "w1 s>>= 7\n w1 s>>= w2\n"
		     "w0 = 0\n exit\n" ::: "memory");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
