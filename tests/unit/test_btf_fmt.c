/* BTF-typed values: printing (text and JSON), parsing, type lookup, over BTF
 * built here with libbpf's btf__add_* API, so every kind and corner is
 * known exactly. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "test.h"

/* Types shared by the tests, built once. */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct btf *B;
static int t_u8, t_s8, t_u16, t_s16, t_u32, t_s32, t_u64, t_s64, t_bool, t_char, t_schar,
	t_uchar, t_u128, t_s128, t_float, t_double, t_ldouble, t_ptr, t_voidptr;
static int t_td_u32, t_td_u8, t_enum, t_senum, t_enum64, t_flags, t_enumbf;
static int t_arr3, t_comm, t_mac, t_cqual, t_inner, t_event, t_union, t_anon_s, t_bits, t_oldbits;
static int t_chain, t_empty, t_arr2d, t_const_char_arr, t_s64_bf;

static char *fmt_buf;

/* Print through the public API into a string; returns the error. */
static int fmt(int id, const void *data, size_t size, unsigned flags)
{
	size_t len = 0;
	FILE *f;
	int err;

	free(fmt_buf);
	fmt_buf = NULL;
	f = open_memstream(&fmt_buf, &len);
	err = bee_btf_fprint(f, B, id, data, size, flags);
	fclose(f);
	return err;
}

#define CHECK_FMT(id, val, flags, want)                                                            \
	do {                                                                                       \
		int _e = fmt(id, &(val), sizeof(val), flags);                                      \
		t_eq("print " #val " error", 0, _e);                                               \
		t_streq("print " #val, want, fmt_buf);                                             \
	} while (0)

static int setup(void **state)
{
	int id;

	B = btf__new_empty();
	if (!B)
		return -1;
	t_u8 = btf__add_int(B, "unsigned char", 1, 0);
	t_s8 = btf__add_int(B, "s8", 1, BTF_INT_SIGNED);
	t_u16 = btf__add_int(B, "short unsigned int", 2, 0);
	t_s16 = btf__add_int(B, "short int", 2, BTF_INT_SIGNED);
	t_u32 = btf__add_int(B, "unsigned int", 4, 0);
	t_s32 = btf__add_int(B, "int", 4, BTF_INT_SIGNED);
	t_u64 = btf__add_int(B, "long long unsigned int", 8, 0);
	t_s64 = btf__add_int(B, "long int", 8, BTF_INT_SIGNED);
	t_bool = btf__add_int(B, "_Bool", 1, BTF_INT_BOOL);
	t_char = btf__add_int(B, "char", 1, BTF_INT_SIGNED);
	t_schar = btf__add_int(B, "signed char", 1, BTF_INT_SIGNED);
	t_uchar = t_u8;
	t_u128 = btf__add_int(B, "unsigned __int128", 16, 0);
	t_s128 = btf__add_int(B, "__int128", 16, BTF_INT_SIGNED);
	t_float = btf__add_float(B, "float", 4);
	t_double = btf__add_float(B, "double", 8);
	t_ldouble = btf__add_float(B, "long double", 16);
	t_ptr = btf__add_ptr(B, t_u32);
	t_voidptr = btf__add_ptr(B, 0);
	t_td_u32 = btf__add_typedef(B, "u32", t_u32);
	t_td_u8 = btf__add_typedef(B, "__u8", t_u8);

	t_enum = btf__add_enum(B, "color", 4);
	btf__add_enum_value(B, "RED", 0);
	btf__add_enum_value(B, "GREEN", 1);
	btf__add_enum_value(B, "BLUE", 7);
	t_senum = btf__add_enum(B, "sgn", 4);
	btf__add_enum_value(B, "NEG", -5);
	btf__add_enum_value(B, "POS", 5);
	t_enum64 = btf__add_enum64(B, "big", 8, false);
	btf__add_enum64_value(B, "HUGE", 0xfedcba9876543210ULL);
	btf__add_enum64_value(B, "SMALL", 2);
	t_flags = btf__add_enum(B, "flags", 4);
	btf__add_enum_value(B, "F_READ", 1);
	btf__add_enum_value(B, "F_WRITE", 2);
	btf__add_enum_value(B, "F_EXEC", 4);
	t_enumbf = btf__add_enum(B, "small", 1);
	btf__add_enum_value(B, "S_A", 0);
	btf__add_enum_value(B, "S_B", 3);

	t_arr3 = btf__add_array(B, t_u32, t_u32, 3);
	t_comm = btf__add_array(B, t_u32, t_char, 16);
	t_mac = btf__add_array(B, t_u32, t_td_u8, 6);
	id = btf__add_const(B, t_char);
	t_const_char_arr = btf__add_array(B, t_u32, id, 4);
	t_cqual = btf__add_volatile(B, t_td_u32);
	t_cqual = btf__add_const(B, t_cqual);
	t_cqual = btf__add_restrict(B, t_cqual);
	t_chain = btf__add_typedef(B, "pid_t2", t_cqual);

	/* struct inner { u32 a; } */
	t_inner = btf__add_struct(B, "inner", 4);
	btf__add_field(B, "a", t_td_u32, 0, 0);
	/* struct event { u32 pid; char comm[16]; u32 args[3]; struct inner inner; } */
	t_event = btf__add_struct(B, "event", 4 + 16 + 12 + 4);
	btf__add_field(B, "pid", t_u32, 0, 0);
	btf__add_field(B, "comm", t_comm, 32, 0);
	btf__add_field(B, "args", t_arr3, 160, 0);
	btf__add_field(B, "inner", t_inner, 256, 0);
	btf__add_typedef(B, "event_t", t_event);

	/* union num { u32 u; int i; float f; } */
	t_union = btf__add_union(B, "num", 4);
	btf__add_field(B, "u", t_u32, 0, 0);
	btf__add_field(B, "i", t_s32, 0, 0);

	/* struct with anonymous union: struct { u16 kind; union { u16 x; s16 y; }; u32 z; } */
	id = btf__add_union(B, NULL, 2);
	btf__add_field(B, "x", t_u16, 0, 0);
	btf__add_field(B, "y", t_s16, 0, 0);
	t_anon_s = btf__add_struct(B, "tagged", 8);
	btf__add_field(B, "kind", t_u16, 0, 0);
	btf__add_field(B, NULL, id, 16, 0);
	btf__add_field(B, "z", t_u32, 32, 0);

	/* bitfields (kflag struct): u32 a:3, s32 b:5, u32 c:24, enum small e:2, u64 big:40, bool f:1 */
	t_bits = btf__add_struct(B, "bits", 16);
	btf__add_field(B, "a", t_u32, 0, 3);
	btf__add_field(B, "b", t_s32, 3, 5);
	btf__add_field(B, "c", t_u32, 8, 24);
	btf__add_field(B, "e", t_enumbf, 32, 2);
	btf__add_field(B, "big", t_u64, 34, 40);
	btf__add_field(B, "f", t_bool, 74, 1);

	t_s64_bf = btf__add_struct(B, "sbits", 8);
	btf__add_field(B, "neg", t_s64, 4, 60);

	/* old-style bitfield: the int type itself carries offset and bits; the
	 * struct has no kflag. Built from raw BTF below (btf__add_int cannot). */
	t_oldbits = -1;

	t_empty = btf__add_struct(B, "empty", 0);
	id = btf__add_array(B, t_u32, t_u16, 3);
	t_arr2d = btf__add_array(B, t_u32, id, 2);
	return 0;
}

static int teardown(void **state)
{
	btf__free(B);
	free(fmt_buf);
	return 0;
}

static void test_ints(void **state)
{
	uint8_t u8 = 255;
	int8_t s8 = -128;
	uint16_t u16 = 65535;
	int16_t s16 = -32768;
	uint32_t u32 = 4294967295u;
	int32_t s32 = -2147483647 - 1;
	uint64_t u64 = 18446744073709551615ull;
	int64_t s64 = INT64_MIN;
	unsigned __int128 u128 = ((unsigned __int128)1 << 127) + 5;
	__int128 s128 = -((__int128)1 << 100);
	uint32_t zero = 0;

	CHECK_FMT(t_u8, u8, 0, "255");
	CHECK_FMT(t_s8, s8, 0, "-128");
	CHECK_FMT(t_u16, u16, 0, "65535");
	CHECK_FMT(t_s16, s16, 0, "-32768");
	CHECK_FMT(t_u32, u32, 0, "4294967295");
	CHECK_FMT(t_s32, s32, 0, "-2147483648");
	CHECK_FMT(t_u64, u64, 0, "18446744073709551615");
	CHECK_FMT(t_s64, s64, BEE_FMT_JSON, "-9223372036854775808");
	CHECK_FMT(t_u128, u128, 0, "170141183460469231731687303715884105733");
	CHECK_FMT(t_s128, s128, 0, "-1267650600228229401496703205376");
	CHECK_FMT(t_u32, zero, 0, "0");
	/* typedef and qualifier chains resolve to the int */
	CHECK_FMT(t_td_u32, u32, 0, "4294967295");
	CHECK_FMT(t_chain, zero, BEE_FMT_JSON, "0");
}

static void test_bool_char(void **state)
{
	uint8_t t = 1, f = 0, odd = 2;
	char a = 'a', nl = '\n', q = '\'', hi = (char)0xe9;
	signed char sc = 'Z';

	CHECK_FMT(t_bool, t, 0, "true");
	CHECK_FMT(t_bool, f, BEE_FMT_JSON, "false");
	CHECK_FMT(t_bool, odd, 0, "true");
	CHECK_FMT(t_char, a, 0, "'a'");
	CHECK_FMT(t_char, nl, 0, "'\\x0a'");
	CHECK_FMT(t_char, q, 0, "'\\''");
	CHECK_FMT(t_char, hi, 0, "'\\xe9'");
	CHECK_FMT(t_char, a, BEE_FMT_JSON, "97");
	CHECK_FMT(t_schar, sc, 0, "90");
	/* u8 through a typedef is a number, not a character */
	uint8_t b = 65;
	CHECK_FMT(t_td_u8, b, 0, "65");
}

static void test_enums(void **state)
{
	uint32_t blue = 7, unknown = 3, rw = 3, rwx_and_more = 9;
	int32_t neg = -5, negx = -6;
	uint64_t huge = 0xfedcba9876543210ULL, other = 3;

	CHECK_FMT(t_enum, blue, 0, "BLUE");
	CHECK_FMT(t_enum, blue, BEE_FMT_JSON, "\"BLUE\"");
	CHECK_FMT(t_enum, unknown, 0, "3");
	CHECK_FMT(t_senum, neg, 0, "NEG");
	CHECK_FMT(t_senum, negx, BEE_FMT_JSON, "-6");
	CHECK_FMT(t_enum64, huge, 0, "HUGE");
	CHECK_FMT(t_enum64, other, 0, "3");
	CHECK_FMT(t_flags, rw, 0, "F_READ|F_WRITE");
	CHECK_FMT(t_flags, rw, BEE_FMT_JSON, "\"F_READ|F_WRITE\"");
	/* bit 8 has no name: printed as a number */
	CHECK_FMT(t_flags, rwx_and_more, 0, "9");
}

static void test_ptr_float(void **state)
{
	uint64_t p = 0xffff888012345678ULL, null = 0;
	float f = 1.5f;
	double d = -0.1, inf = INFINITY, nan_ = NAN;
	long double ld = 2.5L;
	char tmp[32];

	CHECK_FMT(t_ptr, p, 0, "0xffff888012345678");
	CHECK_FMT(t_voidptr, null, 0, "0x0");
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)p);
	CHECK_FMT(t_ptr, p, BEE_FMT_JSON, tmp);
	CHECK_FMT(t_float, f, 0, "1.5");
	CHECK_FMT(t_double, d, 0, "-0.10000000000000001");
	CHECK_FMT(t_double, inf, 0, "inf");
	CHECK_FMT(t_double, inf, BEE_FMT_JSON, "\"inf\"");
	CHECK_FMT(t_double, nan_, BEE_FMT_JSON, "\"nan\"");
	CHECK_FMT(t_ldouble, ld, 0, "2.5");
}

static void test_arrays_strings(void **state)
{
	uint32_t arr[3] = { 1, 2, 3 };
	char comm[16] = "bash";
	char full[16];
	char esc[16] = "a\"b\\c\n\x01\xff";
	uint8_t mac[6] = { 0, 0x1b, 0x21, 0xa, 0xb, 0xff };
	uint16_t a2[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
	char cc[4] = "xyz";

	CHECK_FMT(t_arr3, arr, 0, "[1 2 3]");
	CHECK_FMT(t_arr3, arr, BEE_FMT_JSON, "[1,2,3]");
	CHECK_FMT(t_comm, comm, 0, "\"bash\"");
	CHECK_FMT(t_comm, comm, BEE_FMT_JSON, "\"bash\"");
	/* unterminated: all 16 bytes, nothing past the array */
	memset(full, 'x', sizeof(full));
	CHECK_FMT(t_comm, full, 0, "\"xxxxxxxxxxxxxxxx\"");
	CHECK_FMT(t_comm, esc, 0, "\"a\\\"b\\\\c\\n\\x01\\xff\"");
	CHECK_FMT(t_comm, esc, BEE_FMT_JSON, "\"a\\\"b\\\\c\\n\\u0001\\u00ff\"");
	CHECK_FMT(t_comm, comm, BEE_FMT_RAW_CHARS, "['b' 'a' 's' 'h' '\\x00' '\\x00' '\\x00' '\\x00' "
						   "'\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00']");
	CHECK_FMT(t_mac, mac, 0, "[0 27 33 10 11 255]");
	CHECK_FMT(t_arr2d, a2, 0, "[[1 2 3] [4 5 6]]");
	CHECK_FMT(t_arr2d, a2, BEE_FMT_JSON, "[[1,2,3],[4,5,6]]");
	CHECK_FMT(t_const_char_arr, cc, 0, "\"xyz\"");
}

struct event {
	uint32_t pid;
	char comm[16];
	uint32_t args[3];
	uint32_t a;
};

static void test_structs(void **state)
{
	struct event ev = { 1234, "bash", { 1, 2, 3 }, 1 };
	struct {
		uint16_t kind;
		uint16_t x;
		uint32_t z;
	} tg = { 2, 0xffff, 9 };
	uint32_t u = 0xffffffff;
	char none[1] = { 0 };

	CHECK_FMT(t_event, ev, 0, "{ pid=1234 comm=\"bash\" args=[1 2 3] inner={ a=1 } }");
	CHECK_FMT(t_event, ev, BEE_FMT_JSON,
		  "{\"pid\":1234,\"comm\":\"bash\",\"args\":[1,2,3],\"inner\":{\"a\":1}}");
	t_eq("find typedef event_t", 0, fmt(bee_btf_find_type(B, "event_t"), &ev, sizeof(ev), 0));
	t_streq("print via typedef", "{ pid=1234 comm=\"bash\" args=[1 2 3] inner={ a=1 } }", fmt_buf);
	/* anonymous union members print inline, as C names them */
	CHECK_FMT(t_anon_s, tg, 0, "{ kind=2 x=65535 y=-1 z=9 }");
	CHECK_FMT(t_union, u, 0, "{ u=4294967295 i=-1 }");
	t_eq("empty struct", 0, fmt(t_empty, none, 0, 0));
	t_streq("empty struct", "{}", fmt_buf);
	t_eq("empty struct json", 0, fmt(t_empty, none, 0, BEE_FMT_JSON));
	t_streq("empty struct json", "{}", fmt_buf);
}

/* A .bss-style data section: its variables by name, at their offsets. */
static void test_datasec(void **state)
{
	struct btf *d = btf__new_empty();
	int i32, c8, arr, v1, v2, sec;
	struct {
		int32_t a;
		char name[8];
	} val = { -4, "hi" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(d);
	i32 = btf__add_int(d, "int", 4, BTF_INT_SIGNED);
	c8 = btf__add_int(d, "char", 1, BTF_INT_SIGNED);
	arr = btf__add_array(d, i32, c8, 8);
	v1 = btf__add_var(d, "counter", BTF_VAR_GLOBAL_ALLOCATED, i32);
	v2 = btf__add_var(d, "label", BTF_VAR_GLOBAL_ALLOCATED, arr);
	sec = btf__add_datasec(d, ".bss", 12);
	assert_int_equal(0, btf__add_datasec_var_info(d, v1, 0, 4));
	assert_int_equal(0, btf__add_datasec_var_info(d, v2, 4, 8));
	f = open_memstream(&buf, &len);
	t_eq("print datasec", 0, bee_btf_fprint(f, d, sec, &val, sizeof(val), 0));
	fclose(f);
	t_streq("datasec text", "{ counter=-4 label=\"hi\" }", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	t_eq("print datasec json", 0, bee_btf_fprint(f, d, sec, &val, sizeof(val), BEE_FMT_JSON));
	fclose(f);
	t_streq("datasec JSON", "{\"counter\":-4,\"label\":\"hi\"}", buf);
	free(buf);
	/* a variable alone prints as its type */
	buf = NULL;
	f = open_memstream(&buf, &len);
	t_eq("print var", 0, bee_btf_fprint(f, d, v1, &val, 4, 0));
	fclose(f);
	t_streq("var", "-4", buf);
	free(buf);
	t_eq("datasec too short", -EINVAL, bee_btf_fprint(stdout, d, sec, &val, 11, 0));
	btf__free(d);
}

static void test_bitfields(void **state)
{
	unsigned char v[16] = { 0 };
	unsigned char s[8];
	int64_t neg = -3;
	uint64_t raw;

	/* a=5 (3 bits), b=-3 (5 bits), c=0xabcdef, e=S_B (3), big=0xfedcba9876 (40 bits), f=1 */
	unsigned __int128 x = 5 | (unsigned __int128)((-3) & 0x1f) << 3 |
			      (unsigned __int128)0xabcdef << 8 | (unsigned __int128)3 << 32 |
			      (unsigned __int128)0xfedcba9876ULL << 34 | (unsigned __int128)1 << 74;
	memcpy(v, &x, 16);
	CHECK_FMT(t_bits, v, 0, "{ a=5 b=-3 c=11259375 e=S_B big=1094624909430 f=true }");
	CHECK_FMT(t_bits, v, BEE_FMT_JSON,
		  "{\"a\":5,\"b\":-3,\"c\":11259375,\"e\":\"S_B\",\"big\":1094624909430,\"f\":true}");
	/* a signed 60-bit field at bit 4 */
	raw = ((uint64_t)neg << 4) | 0xf;
	memcpy(s, &raw, 8);
	CHECK_FMT(t_s64_bf, s, 0, "{ neg=-3 }");
}

/* Old-style bitfields (struct without kflag, int type with bit offset and
 * size) cannot be made with btf__add_*, so write the raw BTF. */
static void test_old_bitfields(void **state)
{
	struct {
		struct btf_header h;
		struct btf_type i3; /* int "x" 4 bytes, offset 2 bits 3 */
		uint32_t i3_info;
		struct btf_type s; /* struct "o" size 4, 1 member */
		struct btf_member m;
		char str[8];
	} raw = {
		.h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(struct btf_header),
		       .type_off = 0, .type_len = offsetof(__typeof__(raw), str) - sizeof(struct btf_header),
		       .str_off = offsetof(__typeof__(raw), str) - sizeof(struct btf_header), .str_len = 8 },
		.i3 = { .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 },
		.i3_info = 2 << 16 | 3, /* BTF_INT_OFFSET 2, BTF_INT_BITS 3 */
		.s = { .name_off = 3, .info = BTF_KIND_STRUCT << 24 | 1, .size = 4 },
		.m = { .name_off = 5, .type = 1, .offset = 8 },
		.str = "\0x\0o\0fl",
	};
	struct btf *ob = btf__new(&raw, sizeof(raw));
	uint32_t val = 0x7 << 10 | 0x3 << 13;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(ob);
	f = open_memstream(&buf, &len);
	t_eq("old bitfield print", 0, bee_btf_fprint(f, ob, 2, &val, 4, 0));
	fclose(f);
	/* member at bit 8, int's own offset 2: bits 10..12 */
	t_streq("old bitfield", "{ fl=7 }", buf);
	free(buf);
	btf__free(ob);
}

static void test_hostile(void **state)
{
	struct event ev = { 1 };
	struct btf *h;
	int id, prev, err;
	char big[64] = { 0 };

	/* a value shorter than its type: an error, and nothing printed */
	err = fmt(t_event, &ev, sizeof(ev) - 1, 0);
	t_eq("short value", -EINVAL, err);
	t_streq("short value prints nothing", "", fmt_buf);
	t_contains("short value message", bee_last_error(), "needs 36 bytes, got 35");
	t_eq("zero size", -EINVAL, fmt(t_u32, &ev, 0, 0));
	t_eq("NULL data", -EINVAL, bee_btf_fprint(stdout, B, t_u32, NULL, 4, 0));

	h = btf__new_empty();
	assert_non_null(h);
	/* 100 nested structs of one u32: deeper than bee follows */
	id = btf__add_int(h, "int", 4, BTF_INT_SIGNED);
	prev = id;
	for (int i = 0; i < 100; i++) {
		int s = btf__add_struct(h, NULL, 4);
		btf__add_field(h, "n", prev, 0, 0);
		prev = s;
	}
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		t_eq("deep nesting", -ELOOP, bee_btf_fprint(f, h, prev, big, 4, 0));
		fclose(f);
		t_streq("deep nesting prints nothing", "", buf);
		free(buf);
		/* 60 levels are fine */
		f = open_memstream(&buf, &len);
		t_eq("60 levels", 0, bee_btf_fprint(f, h, id + 60, big, 4, 0));
		fclose(f);
		t_eq("60 levels output length", 60 * 6 + 1, strlen(buf));
		free(buf);
	}
	/* a typedef that refers to itself */
	id = btf__type_cnt(h);
	t_eq("self typedef id", id, btf__add_typedef(h, "loop", id));
	t_eq("typedef cycle", 1, bee_btf_fprint(stdout, h, id, big, 4, 0) < 0);
	/* a member placed past the end of its struct */
	id = btf__add_struct(h, "liar", 4);
	btf__add_field(h, "far", 1, 8 * 40, 0);
	err = bee_btf_fprint(stdout, h, id, big, 8, 0);
	t_eq("member outside the value", -EINVAL, err);
	/* an array that claims 2^31 elements */
	id = btf__add_array(h, 1, 1, 0x80000000u);
	t_eq("huge array", 1, bee_btf_fprint(stdout, h, id, big, sizeof(big), 0) < 0);
	/* a type id that does not exist */
	t_eq("missing type", 1, bee_btf_fprint(stdout, h, 99999, big, 4, 0) < 0);
	/* a function type has no value */
	t_eq("func proto", -EINVAL, bee_btf_fprint(stdout, h, btf__add_func_proto(h, 1), big, 4, 0));
	/* parse rejects the same things */
	{
		char deep[1024] = "";
		for (int i = 0; i < 100; i++)
			strcat(deep, "{n=");
		strcat(deep, "1");
		for (int i = 0; i < 100; i++)
			strcat(deep, "}");
		t_eq("parse deep", -EINVAL, bee_btf_parse(h, prev, deep, big, 4));
		t_contains("parse deep message", bee_last_error(), "nested deeper than 64 levels");
	}
	btf__free(h);
}

/* ---- parsing ---- */

static void test_parse_ints(void **state)
{
	uint8_t u8 = 0x55;
	int8_t s8;
	uint16_t u16;
	int32_t s32;
	uint32_t u32;
	uint64_t u64;
	int64_t s64;
	unsigned __int128 u128;

	t_eq("u8 255", 0, bee_btf_parse(B, t_u8, "255", &u8, 1));
	t_eq("u8 value", 255, u8);
	t_eq("u8 256", -EINVAL, bee_btf_parse(B, t_u8, "256", &u8, 1));
	t_eq("u8 untouched on error", 255, u8);
	t_contains("u8 256 message", bee_last_error(), "256 does not fit in unsigned 8 bits");
	t_eq("u8 -1", -EINVAL, bee_btf_parse(B, t_u8, "-1", &u8, 1));
	t_eq("s8 -128", 0, bee_btf_parse(B, t_s8, "-128", &s8, 1));
	t_eq("s8 value", -128, s8);
	t_eq("s8 -129", -EINVAL, bee_btf_parse(B, t_s8, "-129", &s8, 1));
	t_eq("s8 128", -EINVAL, bee_btf_parse(B, t_s8, "128", &s8, 1));
	t_eq("s8 0xff pattern", 0, bee_btf_parse(B, t_s8, "0xff", &s8, 1));
	t_eq("s8 0xff value", -1, s8);
	t_eq("u16 hex", 0, bee_btf_parse(B, t_u16, " 0xc1c2 ", &u16, 2));
	t_eq("u16 value", 0xc1c2, u16);
	t_eq("u16 octal", 0, bee_btf_parse(B, t_u16, "0755", &u16, 2));
	t_eq("u16 octal value", 0755, u16);
	t_eq("u16 binary", 0, bee_btf_parse(B, t_u16, "0b101", &u16, 2));
	t_eq("u16 binary value", 5, u16);
	t_eq("s32 min", 0, bee_btf_parse(B, t_s32, "-2147483648", &s32, 4));
	t_eq("s32 min value", INT32_MIN, s32);
	t_eq("u32 via typedef chain", 0, bee_btf_parse(B, t_chain, "4294967295", &u32, 4));
	t_eq("u32 value", 4294967295u, u32);
	t_eq("u64 max", 0, bee_btf_parse(B, t_u64, "18446744073709551615", &u64, 8));
	t_eq("u64 max value", 1, u64 == UINT64_MAX);
	t_eq("u64 overflow", -EINVAL, bee_btf_parse(B, t_u64, "18446744073709551616", &u64, 8));
	t_eq("s64 min", 0, bee_btf_parse(B, t_s64, "-9223372036854775808", &s64, 8));
	t_eq("s64 min value", 1, s64 == INT64_MIN);
	t_eq("u128", 0, bee_btf_parse(B, t_u128, "170141183460469231731687303715884105733", &u128, 16));
	t_eq("u128 value", 1, u128 == ((unsigned __int128)1 << 127) + 5);
	t_eq("not a number", -EINVAL, bee_btf_parse(B, t_u32, "12ab", &u32, 4));
	t_contains("not a number message", bee_last_error(), "'12ab' is not an integer");
	t_eq("empty", -EINVAL, bee_btf_parse(B, t_u32, "", &u32, 4));
	t_eq("trailing garbage", -EINVAL, bee_btf_parse(B, t_u32, "1 2", &u32, 4));
	t_eq("out too small", -EINVAL, bee_btf_parse(B, t_u32, "1", &u32, 3));
	/* out larger than the type: the rest is zeroed */
	u64 = UINT64_MAX;
	t_eq("u32 into 8 bytes", 0, bee_btf_parse(B, t_u32, "7", &u64, 8));
	t_eq("u32 into 8 bytes value", 7, u64);
}

static void test_parse_scalars(void **state)
{
	uint8_t b, c;
	uint32_t e;
	int32_t se;
	uint64_t e64, p;
	float f;
	double d;

	t_eq("bool true", 0, bee_btf_parse(B, t_bool, "true", &b, 1));
	t_eq("bool true value", 1, b);
	t_eq("bool false", 0, bee_btf_parse(B, t_bool, "false", &b, 1));
	t_eq("bool false value", 0, b);
	t_eq("bool 1", 0, bee_btf_parse(B, t_bool, "1", &b, 1));
	t_eq("bool 1 value", 1, b);
	t_eq("bool 2", -EINVAL, bee_btf_parse(B, t_bool, "2", &b, 1));
	t_eq("bool yes", -EINVAL, bee_btf_parse(B, t_bool, "yes", &b, 1));
	t_eq("char 'a'", 0, bee_btf_parse(B, t_char, "'a'", &c, 1));
	t_eq("char value", 'a', c);
	t_eq("char ' '", 0, bee_btf_parse(B, t_char, "' '", &c, 1));
	t_eq("char space value", ' ', c);
	t_eq("char '\\n'", 0, bee_btf_parse(B, t_char, "'\\n'", &c, 1));
	t_eq("char nl value", '\n', c);
	t_eq("char '\\x41'", 0, bee_btf_parse(B, t_char, "'\\x41'", &c, 1));
	t_eq("char x41 value", 'A', c);
	t_eq("char 65", 0, bee_btf_parse(B, t_char, "66", &c, 1));
	t_eq("char 66 value", 'B', c);
	t_eq("enum name", 0, bee_btf_parse(B, t_enum, "BLUE", &e, 4));
	t_eq("enum name value", 7, e);
	t_eq("enum quoted", 0, bee_btf_parse(B, t_enum, "\"GREEN\"", &e, 4));
	t_eq("enum quoted value", 1, e);
	t_eq("enum number", 0, bee_btf_parse(B, t_enum, "3", &e, 4));
	t_eq("enum number value", 3, e);
	t_eq("enum unknown", -EINVAL, bee_btf_parse(B, t_enum, "PURPLE", &e, 4));
	t_contains("enum unknown message", bee_last_error(), "'PURPLE' is not a value of enum color");
	t_eq("signed enum", 0, bee_btf_parse(B, t_senum, "NEG", &se, 4));
	t_eq("signed enum value", -5, se);
	t_eq("enum64", 0, bee_btf_parse(B, t_enum64, "HUGE", &e64, 8));
	t_eq("enum64 value", 1, e64 == 0xfedcba9876543210ULL);
	t_eq("flags", 0, bee_btf_parse(B, t_flags, "F_READ|F_EXEC", &e, 4));
	t_eq("flags value", 5, e);
	t_eq("ptr", 0, bee_btf_parse(B, t_ptr, "0xffff888012345678", &p, 8));
	t_eq("ptr value", 1, p == 0xffff888012345678ULL);
	t_eq("float", 0, bee_btf_parse(B, t_float, "1.5", &f, 4));
	t_eq("float value", 1, f == 1.5f);
	t_eq("double", 0, bee_btf_parse(B, t_double, "-0.10000000000000001", &d, 8));
	t_eq("double value", 1, d == -0.1);
	t_eq("double inf", 0, bee_btf_parse(B, t_double, "\"inf\"", &d, 8));
	t_eq("double inf value", 1, isinf(d) && d > 0);
	t_eq("double nan", 0, bee_btf_parse(B, t_double, "nan", &d, 8));
	t_eq("double nan value", 1, isnan(d));
	t_eq("double junk", -EINVAL, bee_btf_parse(B, t_double, "1.5x", &d, 8));
}

static void test_parse_strings_arrays(void **state)
{
	char comm[16];
	uint32_t arr[3];
	uint16_t a2[2][3];
	uint8_t mac[6];

	memset(comm, 'z', sizeof(comm));
	t_eq("bare string", 0, bee_btf_parse(B, t_comm, "bash shell", comm, 16));
	t_streq("bare string value", "bash shell", comm);
	t_eq("bare string zero padded", 0, comm[15]);
	t_eq("quoted string", 0, bee_btf_parse(B, t_comm, "\"a\\tb\\u00ff\\x01\"", comm, 16));
	t_streq("quoted string value", "a\tb\xff\x01", comm);
	t_eq("16 chars fit exactly", 0, bee_btf_parse(B, t_comm, "0123456789abcdef", comm, 16));
	t_eq("16 chars last", 'f', comm[15]);
	t_eq("17 chars", -EINVAL, bee_btf_parse(B, t_comm, "0123456789abcdefg", comm, 16));
	t_contains("17 chars message", bee_last_error(), "string of 17 bytes does not fit in char[16]");
	t_eq("unterminated quote", -EINVAL, bee_btf_parse(B, t_comm, "\"abc", comm, 16));
	t_contains("unterminated message", bee_last_error(), "unterminated string");
	t_eq("array json", 0, bee_btf_parse(B, t_arr3, "[1, 2, 3]", arr, sizeof(arr)));
	t_eq("array [2]", 3, arr[2]);
	t_eq("array text", 0, bee_btf_parse(B, t_arr3, "[4 5]", arr, sizeof(arr)));
	t_eq("array [0]", 4, arr[0]);
	t_eq("array missing element zero", 0, arr[2]);
	t_eq("array too many", -EINVAL, bee_btf_parse(B, t_arr3, "[1,2,3,4]", arr, sizeof(arr)));
	t_contains("too many message", bee_last_error(), "more than 3 elements");
	t_eq("array bad element", -EINVAL, bee_btf_parse(B, t_arr3, "[1,x]", arr, sizeof(arr)));
	t_contains("bad element path", bee_last_error(), "[1]: 'x' is not an integer");
	t_eq("2d", 0, bee_btf_parse(B, t_arr2d, "[[1,2,3],[4,5,6]]", a2, sizeof(a2)));
	t_eq("2d [1][2]", 6, a2[1][2]);
	t_eq("u8 array", 0, bee_btf_parse(B, t_mac, "[0, 27, 33, 10, 11, 255]", mac, 6));
	t_eq("u8 array [5]", 255, mac[5]);
	t_eq("char array as numbers", 0, bee_btf_parse(B, t_comm, "[104, 105]", comm, 16));
	t_streq("char array as numbers value", "hi", comm);
}

static void test_parse_structs(void **state)
{
	struct event ev;
	struct {
		uint16_t kind;
		uint16_t x;
		uint32_t z;
	} tg;
	unsigned char v[16], v2[16];

	memset(&ev, 0xaa, sizeof(ev));
	t_eq("json struct", 0,
	     bee_btf_parse(B, t_event,
			   "{\"pid\": 1234, \"comm\": \"bash\", \"args\": [1,2,3], \"inner\": {\"a\": 1}}",
			   &ev, sizeof(ev)));
	t_eq("pid", 1234, ev.pid);
	t_streq("comm", "bash", ev.comm);
	t_eq("args[2]", 3, ev.args[2]);
	t_eq("inner.a", 1, ev.a);
	/* the text form bee prints reads back */
	memset(&ev, 0xaa, sizeof(ev));
	t_eq("text struct", 0,
	     bee_btf_parse(B, t_event, "{ pid=7 comm=\"sh\" args=[9] inner={ a=2 } }", &ev,
			   sizeof(ev)));
	t_eq("text pid", 7, ev.pid);
	t_eq("text args[0]", 9, ev.args[0]);
	t_eq("text args[1] zero", 0, ev.args[1]);
	t_eq("text inner.a", 2, ev.a);
	/* fields not given are zero */
	t_eq("partial", 0, bee_btf_parse(B, t_event, "{\"pid\": 5}", &ev, sizeof(ev)));
	t_eq("partial comm empty", 0, ev.comm[0]);
	t_eq("partial inner zero", 0, ev.a);
	t_eq("unknown field", -EINVAL, bee_btf_parse(B, t_event, "{\"nope\": 1}", &ev, sizeof(ev)));
	t_contains("unknown field message", bee_last_error(), "struct event has no field 'nope'");
	t_eq("nested error path", -EINVAL,
	     bee_btf_parse(B, t_event, "{\"inner\": {\"a\": -1}}", &ev, sizeof(ev)));
	t_contains("nested error path message", bee_last_error(), "inner.a: -1 does not fit");
	t_eq("not an object", -EINVAL, bee_btf_parse(B, t_event, "5", &ev, sizeof(ev)));
	t_eq("anonymous member by name", 0,
	     bee_btf_parse(B, t_anon_s, "{\"kind\":1,\"y\":-2,\"z\":3}", &tg, sizeof(tg)));
	t_eq("anon y", 0xfffe, tg.x);
	t_eq("anon z", 3, tg.z);
	/* bitfields: parse what was printed, get the same bytes */
	unsigned __int128 x = 5 | (unsigned __int128)((-3) & 0x1f) << 3 |
			      (unsigned __int128)0xabcdef << 8 | (unsigned __int128)3 << 32 |
			      (unsigned __int128)0xfedcba9876ULL << 34 | (unsigned __int128)1 << 74;
	memset(v, 0, sizeof(v));
	memcpy(v, &x, 16);
	t_eq("bitfield print", 0, fmt(t_bits, v, 16, BEE_FMT_JSON));
	t_eq("bitfield parse", 0, bee_btf_parse(B, t_bits, fmt_buf, v2, 16));
	t_eq("bitfield roundtrip", 0, memcmp(v, v2, 16));
	t_eq("bitfield overflow", -EINVAL, bee_btf_parse(B, t_bits, "{a=8}", v2, 16));
	t_contains("bitfield overflow message", bee_last_error(), "a: 8 does not fit in unsigned 3 bits");
	t_eq("bitfield signed", 0, bee_btf_parse(B, t_bits, "{b=-16}", v2, 16));
	t_eq("bitfield signed bits", 0x80, v2[0]);
}

static void test_roundtrip(void **state)
{
	struct event ev = { 99, "a\"b\\\n\x7f", { 0, 4294967295u, 7 }, 42 }, back;
	char *text;

	for (int json = 0; json < 2; json++) {
		t_eq("print", 0, fmt(t_event, &ev, sizeof(ev), json ? BEE_FMT_JSON : 0));
		text = strdup(fmt_buf);
		memset(&back, 0x55, sizeof(back));
		t_eq("parse printed", 0, bee_btf_parse(B, t_event, text, &back, sizeof(back)));
		t_eq("roundtrip bytes", 0, memcmp(&ev, &back, sizeof(ev)));
		free(text);
	}
}

static void test_find_type(void **state)
{
	t_eq("struct event", t_event, bee_btf_find_type(B, "struct event"));
	t_eq("event", t_event, bee_btf_find_type(B, "event"));
	t_eq("  struct   event ", t_event, bee_btf_find_type(B, "  struct   event "));
	t_eq("u32", t_td_u32, bee_btf_find_type(B, "u32"));
	t_eq("unsigned int", t_u32, bee_btf_find_type(B, "unsigned int"));
	t_eq("unsigned", t_u32, bee_btf_find_type(B, "unsigned"));
	t_eq("int unsigned", t_u32, bee_btf_find_type(B, "int unsigned"));
	t_eq("unsigned long long", t_u64, bee_btf_find_type(B, "unsigned long long"));
	t_eq("long", t_s64, bee_btf_find_type(B, "long"));
	t_eq("unsigned short", t_u16, bee_btf_find_type(B, "unsigned short"));
	t_eq("char", t_char, bee_btf_find_type(B, "char"));
	t_eq("signed char", t_schar, bee_btf_find_type(B, "signed char"));
	t_eq("unsigned char", t_u8, bee_btf_find_type(B, "unsigned char"));
	t_eq("enum color", t_enum, bee_btf_find_type(B, "enum color"));
	t_eq("enum big (enum64)", t_enum64, bee_btf_find_type(B, "enum big"));
	t_eq("union num", t_union, bee_btf_find_type(B, "union num"));
	t_eq("float", t_float, bee_btf_find_type(B, "float"));
	t_eq("void", 0, bee_btf_find_type(B, "void"));
	t_eq("struct color", -ENOENT, bee_btf_find_type(B, "struct color"));
	t_eq("nothing", -ENOENT, bee_btf_find_type(B, "nothing"));
	t_eq("unsigned float", -ENOENT, bee_btf_find_type(B, "unsigned float"));
	t_eq("empty", -ENOENT, bee_btf_find_type(B, ""));
}

static void test_kernel_btf(void **state)
{
	const struct btf *k = bee_kernel_btf();
	struct {
		uint32_t type, key_size, value_size, max_entries;
	} attr = { 1, 4, 8, 1000 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int id;

	if (!k)
		t_skip("no kernel BTF at /sys/kernel/btf/vmlinux");
	id = bee_btf_find_type(k, "struct task_struct");
	t_eq("task_struct found", 1, id > 0);
	t_eq("u32 is a typedef", 1, bee_btf_find_type(k, "u32") > 0);
	id = bee_btf_find_type(k, "unsigned long");
	t_eq("unsigned long", 1, id > 0);
	t_streq("unsigned long is long unsigned int", "long unsigned int",
		btf__name_by_offset(k, btf__type_by_id(k, id)->name_off));
	/* a kernel enum prints by name */
	id = bee_btf_find_type(k, "enum bpf_map_type");
	assert_true(id > 0);
	f = open_memstream(&buf, &len);
	t_eq("print bpf_map_type", 0, bee_btf_fprint(f, k, id, &attr.type, 4, 0));
	fclose(f);
	t_streq("map type 1", "BPF_MAP_TYPE_HASH", buf);
	free(buf);
	buf = NULL;
	/* the anonymous BPF_MAP_CREATE struct is the first member of union bpf_attr */
	id = bee_btf_find_type(k, "union bpf_attr");
	assert_true(id > 0);
	{
		unsigned char a[256] = { 0 };
		int64_t sz = btf__resolve_size(k, id);
		assert_true(sz > 0 && sz <= (int64_t)sizeof(a));
		memcpy(a, &attr, sizeof(attr));
		f = open_memstream(&buf, &len);
		t_eq("print bpf_attr", 0, bee_btf_fprint(f, k, id, a, sz, 0));
		fclose(f);
		t_contains("anonymous members inline", buf,
			   "{ map_type=1 key_size=4 value_size=8 max_entries=1000 map_flags=0 ");
		t_contains("nested named struct", buf, " batch={ in_batch=");
		free(buf);
	}
}

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)rnd_state;
}

/* Every type printed from random bytes succeeds; random text parses or is
 * refused with -EINVAL, never touching @out when refused. */
static void test_random_inputs(void **state)
{
	static const char *const toks[] = { "{", "}", "[", "]", "\"", ":", "=", ",", " ", "0x",
					    "-", "1", "9", "a", "pid", "comm", "args", "inner",
					    "\\", "\\x4", "\\u00", "'", "BLUE", "true", "|",
					    "F_READ", "nan", "18446744073709551616" };
	unsigned char data[256], out[256], snap[256];
	int cnt = btf__type_cnt(B), printed = 0, parsed = 0;

	for (int iter = 0; iter < 20000; iter++) {
		int id = 1 + rnd() % (cnt - 1);
		const struct btf_type *t = btf__type_by_id(B, id);
		int64_t sz = btf__resolve_size(B, id);
		char text[128] = "";
		int err;

		if (sz < 0 || sz > (int64_t)sizeof(data) || btf_is_func_proto(t) || btf_is_fwd(t))
			continue;
		for (int i = 0; i < (int)sizeof(data); i++)
			data[i] = rnd();
		if (!btf_is_ptr(t) || sz == 8) {
			err = fmt(id, data, sz, rnd() & 1 ? BEE_FMT_JSON : 0);
			if (err)
				fail_msg("print type [%d] from random bytes: %d (%s)", id, err,
					 bee_last_error());
			printed++;
		}
		for (int n = rnd() % 12; n > 0; n--)
			strncat(text, toks[rnd() % ARRAY_LEN(toks)], sizeof(text) - strlen(text) - 1);
		memset(out, 0xa5, sizeof(out));
		memcpy(snap, out, sizeof(out));
		err = bee_btf_parse(B, id, text, out, sz);
		if (err && err != -EINVAL)
			fail_msg("parse '%s' as [%d]: %d", text, id, err);
		if (err && memcmp(out, snap, sizeof(out)))
			fail_msg("parse '%s' as [%d] failed but wrote to out", text, id);
		parsed += !err;
	}
	/* the loop did real work both ways */
	t_eq("printed many", 1, printed > 5000);
	t_eq("some random texts parse", 1, parsed > 100);
}

/* Random damage to a real BTF blob: whatever libbpf accepts, bee prints
 * every type of without crashing or reading past the value. */
static void test_corrupted_btf(void **state)
{
	uint32_t raw_sz;
	const void *raw = btf__raw_data(B, &raw_sz);
	unsigned char *copy = malloc(raw_sz), data[64];
	int loaded = 0;

	assert_non_null(raw);
	assert_non_null(copy);
	for (int iter = 0; iter < 3000; iter++) {
		struct btf *c;

		memcpy(copy, raw, raw_sz);
		/* damage the type section, past the header */
		for (int k = 0; k < 1 + (int)(rnd() % 4); k++)
			copy[sizeof(struct btf_header) + rnd() % (raw_sz - sizeof(struct btf_header))] = rnd();
		c = btf__new(copy, raw_sz);
		if (!c)
			continue;
		loaded++;
		for (int id = 1; id < (int)btf__type_cnt(c); id++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			int64_t sz = btf__resolve_size(c, id);

			for (size_t i = 0; i < sizeof(data); i++)
				data[i] = rnd();
			/* give only the bytes the type claims (or none) */
			bee_btf_fprint(f, c, id, data, sz > 0 && sz <= 64 ? sz : 0, rnd() & 1);
			fclose(f);
			free(buf);
			bee_btf_parse(c, id, "{a=1 b=[1 2] c=\"x\"}", data, sizeof(data));
		}
		btf__free(c);
	}
	free(copy);
	t_eq("some damaged BTF still loaded", 1, loaded > 100);
}

static void quiet(enum bee_log_level level, const char *msg, void *ctx)
{
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_bool_char),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_ptr_float),
		cmocka_unit_test(test_arrays_strings),
		cmocka_unit_test(test_structs),
		cmocka_unit_test(test_datasec),
		cmocka_unit_test(test_bitfields),
		cmocka_unit_test(test_old_bitfields),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_parse_ints),
		cmocka_unit_test(test_parse_scalars),
		cmocka_unit_test(test_parse_strings_arrays),
		cmocka_unit_test(test_parse_structs),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_find_type),
		cmocka_unit_test(test_kernel_btf),
		cmocka_unit_test(test_random_inputs),
		cmocka_unit_test(test_corrupted_btf),
	};

	bee_set_log(BEE_LOG_ERROR, quiet, NULL);
	return cmocka_run_group_tests(tests, setup, teardown);
}
