/* bpf() call decoding (lib/attr.c) against the running kernel's BTF, which
 * any user can read: command names, field offsets, union arms chosen by
 * command and attach type, flags, truncation at the attr size, JSON. No
 * bpf() call is made and no fd is resolved (pid 0). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "test.h"

static char *out;

static int dec(int cmd, const void *attr, size_t size, const char *str, bool json)
{
	BEE_OPTS(bee_attr_opts, o, .str = str, .json = json);
	size_t len = 0;
	FILE *f;
	int err;

	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	err = bee_attr_fprint(f, cmd, attr, size, &o);
	fclose(f);
	return err;
}

static int setup(void **state)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return -1;
	return 0;
}

static void test_cmd_names(void **state)
{
	t_streq("name of 5", "BPF_PROG_LOAD", bee_bpf_cmd_name(BPF_PROG_LOAD));
	t_streq("name of 0", "BPF_MAP_CREATE", bee_bpf_cmd_name(BPF_MAP_CREATE));
	t_eq("value of prog_load", BPF_PROG_LOAD, bee_bpf_cmd_value("prog_load"));
	t_eq("value of BPF_OBJ_GET_INFO_BY_FD", BPF_OBJ_GET_INFO_BY_FD,
	     bee_bpf_cmd_value("BPF_OBJ_GET_INFO_BY_FD"));
	t_eq("value of an unknown command", -ENOENT, bee_bpf_cmd_value("no_such_cmd"));
	if (bee_bpf_cmd_name(1000) != NULL)
		fail_msg("command 1000: want no name, got %s", bee_bpf_cmd_name(1000));
	t_streq("errno name", "EINVAL", bee_errno_name(-EINVAL));
	t_streq("errno name", "ENOENT", bee_errno_name(ENOENT));
}

/* Offsets from kernel BTF equal the uapi header's for fields both know. */
static void test_field_offsets(void **state)
{
	uint32_t off, sz, offs[8];
	int n;

	t_eq("license of PROG_LOAD", 0, bee_attr_field(BPF_PROG_LOAD, "license", &off, &sz));
	t_eq("license offset", offsetof(union bpf_attr, license), off);
	t_eq("license size", 8, sz);
	t_eq("insn_cnt of PROG_LOAD", 0, bee_attr_field(BPF_PROG_LOAD, "insn_cnt", &off, NULL));
	t_eq("insn_cnt offset", offsetof(union bpf_attr, insn_cnt), off);
	t_eq("attach_type of LINK_CREATE", 0,
	     bee_attr_field(BPF_LINK_CREATE, "attach_type", &off, &sz));
	t_eq("link_create.attach_type offset", offsetof(union bpf_attr, link_create.attach_type),
	     off);
	t_eq("pathname of OBJ_PIN", 0, bee_attr_field(BPF_OBJ_PIN, "pathname", &off, NULL));
	t_eq("pathname offset", offsetof(union bpf_attr, pathname), off);
	t_eq("no such field", -ENOENT, bee_attr_field(BPF_MAP_CREATE, "license", &off, NULL));
	t_streq("string field of PROG_LOAD", "license", bee_attr_str_field(BPF_PROG_LOAD));
	t_streq("member of LINK_CREATE", "link_create", bee_attr_member(BPF_LINK_CREATE));

	n = bee_attr_fd_offsets(BPF_MAP_CREATE, offs, 8);
	if (n < 2)
		fail_msg("fd fields of MAP_CREATE: want at least 2, got %d", n);
	t_eq("first fd field of MAP_CREATE (inner_map_fd)", offsetof(union bpf_attr, inner_map_fd),
	     offs[0]);
	t_eq("second fd field of MAP_CREATE (btf_fd)", offsetof(union bpf_attr, btf_fd), offs[1]);
	n = bee_attr_fd_offsets(BPF_MAP_LOOKUP_ELEM, offs, 8);
	t_eq("fd fields of MAP_LOOKUP_ELEM", 1, n);
	t_eq("map_fd offset", offsetof(union bpf_attr, map_fd), offs[0]);
}

/* Only the fields the caller's size covers are printed. */
static void test_truncated(void **state)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	a.map_flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE;
	t_eq("decode", 0, dec(BPF_MAP_CREATE, &a, 16, NULL, false));
	t_streq("MAP_CREATE cut at 16 bytes",
		"{map_type=BPF_MAP_TYPE_ARRAY, key_size=4, value_size=8, max_entries=1}", out);
	t_eq("decode", 0, dec(BPF_MAP_CREATE, &a, 20, NULL, false));
	t_streq("MAP_CREATE with flags",
		"{map_type=BPF_MAP_TYPE_ARRAY, key_size=4, value_size=8, max_entries=1, "
		"map_flags=BPF_F_RDONLY_PROG|BPF_F_MMAPABLE}",
		out);
}

/* Union arms: next_key for GET_NEXT_KEY, prog_id for PROG_GET_FD_BY_ID. */
static void test_union_arms(void **state)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = 3;
	a.key = 0x1000;
	a.next_key = 0x2000;
	t_eq("decode", 0, dec(BPF_MAP_GET_NEXT_KEY, &a, 24, NULL, false));
	t_streq("GET_NEXT_KEY", "{map_fd=3, key=0x1000, next_key=0x2000}", out);
	t_eq("decode", 0, dec(BPF_MAP_LOOKUP_ELEM, &a, 24, NULL, false));
	t_streq("LOOKUP_ELEM", "{map_fd=3, key=0x1000, value=0x2000}", out);

	memset(&a, 0, sizeof(a));
	a.prog_id = 42;
	t_eq("decode", 0, dec(BPF_PROG_GET_FD_BY_ID, &a, 12, NULL, false));
	t_streq("PROG_GET_FD_BY_ID", "{prog_id=42, next_id=0, open_flags=0}", out);
	t_eq("decode", 0, dec(BPF_MAP_GET_NEXT_ID, &a, 8, NULL, false));
	t_streq("MAP_GET_NEXT_ID", "{start_id=42, next_id=0}", out);
}

/* LINK_CREATE's per-kind struct follows the attach type, read from BTF. */
static void test_link_create_tcx(void **state)
{
	long long tcx_ingress;
	uint8_t a[64];
	uint32_t v;
	uint64_t rev = 7;

	if (bee_enum_value("BPF_TCX_INGRESS", &tcx_ingress))
		t_skip("the kernel has no tcx (BPF_TCX_INGRESS)");
	memset(a, 0, sizeof(a));
	v = 9;
	memcpy(a + 0, &v, 4); /* prog_fd */
	v = 1;
	memcpy(a + 4, &v, 4); /* target_ifindex: lo */
	v = tcx_ingress;
	memcpy(a + 8, &v, 4);
	v = 1 << 3; /* BPF_F_BEFORE */
	memcpy(a + 12, &v, 4);
	memcpy(a + 24, &rev, 8); /* tcx.expected_revision */
	t_eq("decode", 0, dec(BPF_LINK_CREATE, a, 32, NULL, false));
	t_streq("LINK_CREATE tcx",
		"{prog_fd=9, target_ifindex=1<lo>, attach_type=BPF_TCX_INGRESS, flags=BPF_F_BEFORE, "
		"tcx={relative_fd=0, expected_revision=7}}",
		out);
}

static void test_prog_load_json(void **state)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insn_cnt = 2;
	a.insns = 0x1000;
	a.license = 0x2000;
	a.prog_flags = BPF_F_XDP_HAS_FRAGS | (1U << 30);
	strcpy(a.prog_name, "x\"y");
	t_eq("decode", 0, dec(BPF_PROG_LOAD, &a, offsetof(union bpf_attr, prog_ifindex), "GPL", true));
	t_streq("PROG_LOAD as JSON",
		"{\"prog_type\":\"BPF_PROG_TYPE_XDP\",\"insn_cnt\":2,\"insns\":4096,\"license\":\"GPL\","
		"\"log_level\":0,\"log_size\":0,\"log_buf\":0,\"kern_version\":0,"
		"\"prog_flags\":\"BPF_F_XDP_HAS_FRAGS|0x40000000\",\"prog_name\":\"x\\\"y\"}",
		out);
	t_eq("decode", 0, dec(BPF_PROG_LOAD, &a, 24, NULL, false));
	t_streq("PROG_LOAD without the copied string",
		"{prog_type=BPF_PROG_TYPE_XDP, insn_cnt=2, insns=0x1000, license=0x2000}", out);
}

static void test_elem_flags(void **state)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = 5;
	a.flags = BPF_EXIST | BPF_F_LOCK;
	t_eq("decode", 0, dec(BPF_MAP_UPDATE_ELEM, &a, 32, NULL, true));
	t_streq("UPDATE_ELEM flags",
		"{\"map_fd\":5,\"key\":0,\"value\":0,\"flags\":\"BPF_EXIST|BPF_F_LOCK\"}", out);
}

static int key_mem(void *ctx, const char *field, const void **data, size_t *size)
{
	static const uint8_t k[2] = { 1, 0xfe };

	if (strcmp(field, "key"))
		return -ENOENT;
	*data = k;
	*size = sizeof(k);
	return 0;
}

/* Bytes a tracer copied from behind a pointer field follow the pointer. */
static void test_pointer_bytes(void **state)
{
	union bpf_attr a;
	size_t len = 0;
	FILE *f;

	memset(&a, 0, sizeof(a));
	a.map_fd = 3;
	a.key = 0x1000;
	a.value = 0x2000;
	for (int json = 0; json < 2; json++) {
		BEE_OPTS(bee_attr_opts, o, .json = json, .mem_fn = key_mem);

		free(out);
		out = NULL;
		f = open_memstream(&out, &len);
		t_eq("decode", 0, bee_attr_fprint(f, BPF_MAP_DELETE_ELEM, &a, 24, &o));
		fclose(f);
		t_streq("DELETE_ELEM with key bytes",
			json ? "{\"map_fd\":3,\"key\":4096,\"key_bytes\":\"01fe\",\"value\":8192}"
			     : "{map_fd=3, key=0x1000[01 fe], value=0x2000}",
			out);
	}
}

/* A command the kernel's BTF has no member for bee prints as bytes. */
static void test_unknown_cmd(void **state)
{
	uint8_t a[3] = { 1, 0xab, 0 };

	t_eq("decode", 0, dec(200, a, 3, NULL, false));
	t_streq("unknown command", "{01 ab 00}", out);
	t_eq("decode", 0, dec(200, a, 2, NULL, true));
	t_streq("unknown command as JSON", "{\"raw\":[1,171]}", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_names),      cmocka_unit_test(test_field_offsets),
		cmocka_unit_test(test_truncated),      cmocka_unit_test(test_union_arms),
		cmocka_unit_test(test_link_create_tcx), cmocka_unit_test(test_prog_load_json),
		cmocka_unit_test(test_elem_flags),     cmocka_unit_test(test_unknown_cmd),
		cmocka_unit_test(test_pointer_bytes),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	free(out);
	return rc;
}
