/* lib/map.c and `bee map` on real kernel maps with BTF: typed dumps of
 * what a program wrote, batch and per-element paths, per-CPU values,
 * typed keys and values parsed from words, type names, lookup by name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test.h"

static struct bpf_object *obj;
static struct bpf_link *tp_link;
static char setup_err[256];

static int map_fd(const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	return m ? bpf_map__fd(m) : -1;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static char *dump_str(int fd, unsigned flags, size_t *cnt, bool *batched, int *err)
{
	struct bee_map *m = bee_map__from_fd(fd, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(m);
	f = open_memstream(&buf, &len);
	*err = bee_map__dump(m, f, flags, cnt, batched);
	fclose(f);
	bee_map__close(m);
	return buf;
}

static int setup(void **state)
{
	struct bpf_map *map;
	struct bpf_program *prog;
	uint32_t pid = getpid();

	bee_tracefs();
	obj = bpf_object__open_file(t_bpath("tests/bpf/maps_typed.bpf.o"), NULL);
	if (!obj) {
		snprintf(setup_err, sizeof(setup_err), "open maps_typed.bpf.o: %s", strerror(errno));
		return 0;
	}
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		size_t sz;
		if (strlen(n) > 7 && !strcmp(n + strlen(n) - 7, ".rodata")) {
			uint32_t *v = (uint32_t *)bpf_map__initial_value(map, &sz);
			if (v && sz >= 4)
				*v = pid;
		}
	}
	if (bpf_object__load(obj)) {
		snprintf(setup_err, sizeof(setup_err), "load maps_typed.bpf.o: %s", strerror(errno));
		return 0;
	}
	prog = bpf_object__find_program_by_name(obj, "mt_count");
	tp_link = bpf_program__attach(prog);
	if (!tp_link)
		snprintf(setup_err, sizeof(setup_err), "attach sys_enter_getppid: %s",
			 strerror(errno));
	return 0;
}

static int teardown(void **state)
{
	bpf_link__destroy(tp_link);
	bpf_object__close(obj);
	return 0;
}

#define NEED_OBJ()                                                                                 \
	do {                                                                                       \
		if (setup_err[0])                                                                  \
			fail_msg("%s", setup_err);                                                 \
	} while (0)

/* A program counted this process's getppid() calls into a typed map: the
 * dump shows the pid, the count, the comm, the enum by name, bitfields. */
static void test_typed_dump_of_program_data(void **state)
{
	int fd, err;
	size_t cnt;
	bool batched;
	char want[512], *out, *cli;
	uint32_t pid = getpid(), key;
	uint64_t slots[64] = { 0 };

	NEED_OBJ();
	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	fd = map_fd("mt_calls");
	out = dump_str(fd, 0, &cnt, &batched, &err);
	t_eq("dump error", 0, err);
	t_eq("entries", 1, cnt);
	t_eq("hash dump uses batch lookups", 1, batched);
	snprintf(want, sizeof(want),
		 "key: %u  value: { count=3 comm=\"test_map\" color=MT_BLUE flags=5 level=9 }\n", pid);
	t_streq("typed text dump", want, out);
	free(out);
	out = dump_str(fd, BEE_DUMP_JSON, &cnt, &batched, &err);
	snprintf(want, sizeof(want),
		 "[{\"key\":%u,\"value\":{\"count\":3,\"comm\":\"test_map\",\"color\":\"MT_BLUE\","
		 "\"flags\":5,\"level\":9}}]", pid);
	t_streq("typed JSON dump", want, out);
	free(out);
	/* bee_map_dump_fd, the entry point bee run uses */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		t_eq("bee_map_dump_fd", 0, bee_map_dump_fd(fd, NULL, f, true));
		fclose(f);
		t_streq("bee_map_dump_fd JSON", want, buf);
		free(buf);
	}
	/* the command shows the same, by id and by name */
	t_eq("bee map dump id", 0, t_sh(&cli, "%s map dump id %u", t_bpath("bee"), map_id(fd)));
	snprintf(want, sizeof(want),
		 "key: %u  value: { count=3 comm=\"test_map\" color=MT_BLUE flags=5 level=9 }\n"
		 "Found 1 element\n", pid);
	t_streq("bee map dump id", want, cli);
	free(cli);
	t_eq("bee map lookup typed key", 0,
	     t_sh(&cli, "%s map lookup id %u key %u", t_bpath("bee"), map_id(fd), pid));
	snprintf(want, sizeof(want),
		 "key: %u  value: { count=3 comm=\"test_map\" color=MT_BLUE flags=5 level=9 }\n", pid);
	t_streq("bee map lookup", want, cli);
	free(cli);
	/* the histogram the program filled: log2 of 1, 2, 3 */
	fd = map_fd("mt_hist");
	for (key = 0; key < 4; key++)
		bpf_map_lookup_elem(fd, &key, &slots[key]);
	t_eq("hist slot 0", 1, slots[0]);
	t_eq("hist slot 1", 2, slots[1]);
	{
		struct bee_map *m = bee_map__from_fd(fd, NULL);
		t_eq("histogram kind", BEE_HIST_LOG2, bee_map__hist_kind(m));
		bee_map__close(m);
		m = bee_map__from_fd(map_fd("mt_calls"), NULL);
		t_eq("not a histogram", BEE_HIST_NONE, bee_map__hist_kind(m));
		bee_map__close(m);
	}
}

/* A hash with struct keys: the batch path and the get_next_key path
 * print the same entries; every entry is there. */
static void test_batch_and_iteration_agree(void **state)
{
	struct {
		uint32_t pid;
		uint16_t port, pad;
	} k = {};
	int64_t v;
	int fd = map_fd("mt_skey"), err;
	size_t cnt1, cnt2;
	bool b1, b2;
	char *o1, *o2, *j;

	NEED_OBJ();
	for (uint32_t i = 0; i < 1500; i++) {
		k.pid = i;
		k.port = i * 3 % 65536;
		v = -(int64_t)i;
		assert_int_equal(0, bpf_map_update_elem(fd, &k, &v, BPF_ANY));
	}
	o1 = dump_str(fd, 0, &cnt1, &b1, &err);
	t_eq("batch dump", 0, err);
	o2 = dump_str(fd, BEE_DUMP_NO_BATCH, &cnt2, &b2, &err);
	t_eq("iteration dump", 0, err);
	t_eq("batch path taken", 1, b1);
	t_eq("iteration path taken", 0, b2);
	t_eq("batch count", 1500, cnt1);
	t_eq("iteration count", 1500, cnt2);
	t_streq("batch and iteration print the same", o1, o2);
	t_contains("a struct key", o1, "key: { pid=7 port=21 pad=0 }  value: -7\n");
	t_contains("the last entry", o1, "key: { pid=1499 port=4497 pad=0 }  value: -1499\n");
	j = dump_str(fd, BEE_DUMP_JSON, &cnt1, &b1, &err);
	t_contains("JSON struct key", j, "{\"key\":{\"pid\":7,\"port\":21,\"pad\":0},\"value\":-7}");
	free(j);
	/* hex when asked: bpftool's layout of the same bytes */
	j = dump_str(fd, BEE_DUMP_HEX, &cnt1, &b1, &err);
	t_contains("hex layout", j, "key: 07 00 00 00 15 00 00 00  value: f9 ff ff ff ff ff ff ff\n");
	free(j);
	free(o1);
	free(o2);
}

/* An LPM trie: struct keys with a byte array inside. */
static void test_lpm_trie(void **state)
{
	struct {
		uint32_t prefixlen;
		uint8_t addr[4];
	} k;
	uint32_t v;
	int fd = map_fd("mt_lpm"), err;
	size_t cnt;
	bool batched;
	char *o;

	NEED_OBJ();
	for (int i = 0; i < 3; i++) {
		k.prefixlen = 8 + 8 * i;
		memcpy(k.addr, (uint8_t[]){ 10, (uint8_t)i, 0, 0 }, 4);
		v = 100 + i;
		assert_int_equal(0, bpf_map_update_elem(fd, &k, &v, BPF_ANY));
	}
	o = dump_str(fd, 0, &cnt, &batched, &err);
	t_eq("lpm dump", 0, err);
	t_eq("lpm entries", 3, cnt);
	t_contains("lpm /8", o, "key: { prefixlen=8 addr=[10 0 0 0] }  value: 100\n");
	t_contains("lpm /16", o, "key: { prefixlen=16 addr=[10 1 0 0] }  value: 101\n");
	t_contains("lpm /24", o, "key: { prefixlen=24 addr=[10 2 0 0] }  value: 102\n");
	free(o);
}

/* A device map has no batch lookup (the kernel answers ENOTSUPP): the
 * dump walks it with get_next_key, and shows the same as the batch path
 * would for the same bytes. */
static void test_devmap_iterates(void **state)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "mt_devh", 4, 4, 8, NULL), err;
	uint32_t k, ifindex = 1; /* lo */
	size_t cnt;
	bool batched;
	char *o;

	if (fd < 0)
		t_skip("devmap_hash: %s", strerror(errno));
	for (k = 10; k < 13; k++)
		assert_int_equal(0, bpf_map_update_elem(fd, &k, &ifindex, BPF_ANY));
	o = dump_str(fd, 0, &cnt, &batched, &err);
	t_eq("devmap dump", 0, err);
	t_eq("devmap entries", 3, cnt);
	t_eq("devmap: per-element path", 0, batched);
	t_contains("devmap key 10", o, "key: 0a 00 00 00  value: 01 00 00 00\n");
	t_contains("devmap key 12", o, "key: 0c 00 00 00  value: 01 00 00 00\n");
	free(o);
	close(fd);
}

/* Per-CPU values: one line per possible CPU, with the value each CPU has. */
static void test_percpu(void **state)
{
	int fd = map_fd("mt_pcpu"), err, ncpu = libbpf_num_possible_cpus();
	uint64_t *vals = calloc(ncpu, 8);
	uint32_t key = 1;
	size_t cnt;
	bool batched;
	char *o, want[8192] = "", line[128];
	struct bee_map *m;

	NEED_OBJ();
	for (int c = 0; c < ncpu; c++)
		vals[c] = 10 + c;
	assert_int_equal(0, bpf_map_update_elem(fd, &key, vals, BPF_ANY));
	o = dump_str(fd, 0, &cnt, &batched, &err);
	t_eq("percpu dump", 0, err);
	t_eq("percpu array: all 4 slots", 4, cnt);
	for (uint32_t k = 0; k < 4; k++) {
		snprintf(line, sizeof(line), "key: %u\n", k);
		strcat(want, line);
		for (int c = 0; c < ncpu; c++) {
			snprintf(line, sizeof(line), "value (CPU %02d): %d\n", c, k == 1 ? 10 + c : 0);
			strcat(want, line);
		}
	}
	t_streq("percpu text", want, o);
	free(o);
	o = dump_str(fd, BEE_DUMP_JSON, &cnt, &batched, &err);
	t_contains("percpu JSON", o, "{\"key\":1,\"values\":[{\"cpu\":0,\"value\":10},{\"cpu\":1,\"value\":11}");
	free(o);
	/* one value typed for a per-CPU map goes to every CPU */
	m = bee_map__from_fd(fd, NULL);
	t_eq("percpu buffer size", ncpu * 8, bee_map__value_buf_sz(m));
	memset(vals, 0xff, ncpu * 8);
	t_eq("parse percpu value", 0, bee_map__parse_value(m, 1, (char *[]){ "42" }, vals));
	for (int c = 0; c < ncpu; c++)
		t_eq("value on each CPU", 42, vals[c]);
	bee_map__close(m);
	free(vals);

	/* per-CPU hash with a struct value, through the command */
	fd = map_fd("mt_pchash");
	t_eq("bee map update percpu hash", 0,
	     t_sh(NULL, "%s map update id %u key 5 value '{\"pid\": 9, \"port\": 80}'",
		  t_bpath("bee"), map_id(fd)));
	{
		struct {
			uint32_t pid;
			uint16_t port, pad;
		} *pv = calloc(ncpu, 8);
		uint32_t k5 = 5;
		assert_int_equal(0, bpf_map_lookup_elem(fd, &k5, pv));
		for (int c = 0; c < ncpu; c++) {
			t_eq("pid on each CPU", 9, pv[c].pid);
			t_eq("port on each CPU", 80, pv[c].port);
		}
		free(pv);
	}
}

/* Keys and values from words: typed with BTF, bytes otherwise, and the
 * exact message when they do not fit. */
static void test_parse_words(void **state)
{
	struct bee_map *m;
	uint32_t key;
	struct {
		uint64_t count;
		char comm[16];
		uint32_t color;
		uint32_t bits;
	} val;
	char names[16];

	NEED_OBJ();
	m = bee_map__from_fd(map_fd("mt_calls"), NULL);
	assert_non_null(m);
	t_eq("has BTF key type", 1, bee_map__key_type(m) > 0);
	t_eq("typed key", 0, bee_map__parse_key(m, 1, (char *[]){ "1234" }, &key));
	t_eq("typed key value", 1234, key);
	t_eq("bytes key", 0, bee_map__parse_key(m, 4, (char *[]){ "0x01", "2", "0", "0" }, &key));
	t_eq("bytes key value", 0x201, key);
	t_eq("hex key", 0, bee_map__parse_key(m, 5, (char *[]){ "hex", "ff", "0", "0", "0" }, &key));
	t_eq("hex key value", 255, key);
	t_eq("3 bytes", -EINVAL, bee_map__parse_key(m, 3, (char *[]){ "1", "2", "3" }, &key));
	t_streq("3 bytes message", "key must be 4 bytes, got 3", bee_last_error());
	t_eq("not a number", -EINVAL, bee_map__parse_key(m, 1, (char *[]){ "abc" }, &key));
	t_streq("not a number message", "key: 'abc' is not an integer", bee_last_error());
	t_eq("struct value", 0,
	     bee_map__parse_value(m, 1,
				  (char *[]){ "{\"count\": 5, \"comm\": \"x y\", \"color\": \"MT_GREEN\", "
					      "\"level\": 31}" },
				  &val));
	t_eq("count", 5, val.count);
	t_streq("comm", "x y", val.comm);
	t_eq("color", 2, val.color);
	t_eq("level bits", 31 << 3, val.bits);
	t_eq("bad enum", -EINVAL,
	     bee_map__parse_value(m, 1, (char *[]){ "{\"color\": \"MT_PINK\"}" }, &val));
	t_streq("bad enum message", "value: color: 'MT_PINK' is not a value of enum mt_color",
		bee_last_error());
	bee_map__close(m);

	/* char[16] values: the words joined, as typed */
	m = bee_map__from_fd(map_fd("mt_names"), NULL);
	t_eq("string value", 0, bee_map__parse_value(m, 2, (char *[]){ "hello", "world" }, names));
	t_streq("string value", "hello world", names);
	t_eq("string too long", -EINVAL,
	     bee_map__parse_value(m, 1, (char *[]){ "0123456789abcdefg" }, names));
	t_streq("too long message", "value: string of 17 bytes does not fit in char[16]",
		bee_last_error());
	bee_map__close(m);
}

static void test_type_names(void **state)
{
	t_streq("hash", "hash", bee_map_type_name(BPF_MAP_TYPE_HASH));
	t_streq("lru_percpu_hash", "lru_percpu_hash", bee_map_type_name(BPF_MAP_TYPE_LRU_PERCPU_HASH));
	t_streq("cgroup_storage (not _deprecated)", "cgroup_storage",
		bee_map_type_name(BPF_MAP_TYPE_CGROUP_STORAGE));
	t_streq("unknown number", "type 9999", bee_map_type_name(9999));
	t_eq("by name", BPF_MAP_TYPE_PERCPU_ARRAY, bee_map_type_by_name("percpu_array"));
	t_eq("by prefix", BPF_MAP_TYPE_RINGBUF, bee_map_type_by_name("ringb"));
	t_eq("ambiguous prefix", -EEXIST, bee_map_type_by_name("percpu"));
	t_eq("unknown", -ENOENT, bee_map_type_by_name("nosuchtype"));
	/* every type the kernel names round-trips */
	for (uint32_t t = 1; t < 64; t++) {
		const char *n = bee_map_type_name(t);
		char copy[64];
		if (!strncmp(n, "type ", 5))
			continue;
		snprintf(copy, sizeof(copy), "%s", n);
		t_eq(copy, t, bee_map_type_by_name(copy));
	}
}

static void test_fd_by_name(void **state)
{
	char name[16];
	int a, b, fd;
	uint32_t ida, idb;
	char want[128];

	snprintf(name, sizeof(name), "mtamb%u", (unsigned)getpid() % 1000000);
	a = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 4, 1, NULL);
	assert_true(a >= 0);
	ida = map_id(a);
	fd = bee_map_fd_by_name(name);
	t_eq("one map by name", ida, map_id(fd));
	close(fd);
	b = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 4, 1, NULL);
	assert_true(b >= 0);
	idb = map_id(b);
	t_eq("two maps share the name", -EEXIST, bee_map_fd_by_name(name));
	snprintf(want, sizeof(want), "map name '%s' is ambiguous: maps %u, %u (use id)", name, ida, idb);
	t_streq("ambiguous message lists ids", want, bee_last_error());
	t_eq("no such name", -ENOENT, bee_map_fd_by_name("mt_no_such_map"));
	close(a);
	close(b);
}

/* A prog fd is not a map, though the kernel would fill in its info. */
static void test_not_a_map(void **state)
{
	struct bpf_program *prog;
	int before = t_fd_count();

	NEED_OBJ();
	prog = bpf_object__find_program_by_name(obj, "mt_count");
	errno = 0;
	t_eq("bee_map__from_fd(prog)", 1, bee_map__from_fd(bpf_program__fd(prog), NULL) == NULL);
	t_eq("errno", EINVAL, errno);
	t_contains("message", bee_last_error(), "is not a BPF map");
	t_eq("bee_map__from_fd(-1)", 1, bee_map__from_fd(-1, NULL) == NULL);
	t_eq("no fd left behind", before, t_fd_count());
}

static void test_no_fd_leak(void **state)
{
	int before = t_fd_count(), err;
	size_t cnt;
	bool batched;

	NEED_OBJ();
	for (int i = 0; i < 20; i++) {
		free(dump_str(map_fd("mt_calls"), 0, &cnt, &batched, &err));
		assert_int_equal(0, err);
	}
	t_eq("fds after 20 dumps", before, t_fd_count());
}

static void test_keyless_dump_refused(void **state)
{
	int err;
	size_t cnt;
	bool batched;
	char *o;

	NEED_OBJ();
	o = dump_str(map_fd("mt_queue"), 0, &cnt, &batched, &err);
	t_eq("queue dump", -EOPNOTSUPP, err);
	t_streq("queue dump message", "map 'mt_queue': a queue map has no keys to walk (use peek or pop)",
		bee_last_error());
	t_streq("nothing printed", "", o ? o : "");
	free(o);
}

/* Typed words through the command: structs as JSON or bee's text, strings,
 * enum names, queue values; checked in the kernel's map with libbpf. */
static void test_cli_typed(void **state)
{
	const char *bee = t_bpath("bee");
	uint32_t key = 77, id = map_id(map_fd("mt_calls"));
	struct {
		uint64_t count;
		char comm[16];
		uint32_t color;
		uint32_t bits;
	} val;
	char names[16], *out;
	uint32_t q;

	NEED_OBJ();
	t_eq("update with JSON", 0,
	     t_sh(NULL, "%s map update id %u key 77 value '{\"count\": 5, \"comm\": \"x\", "
			"\"color\": \"MT_GREEN\"}'", bee, id));
	assert_int_equal(0, bpf_map_lookup_elem(map_fd("mt_calls"), &key, &val));
	t_eq("count written", 5, val.count);
	t_streq("comm written", "x", val.comm);
	t_eq("enum written by name", 2, val.color);
	/* bee's text form, unquoted words joined */
	t_eq("update with text form", 0,
	     t_sh(NULL, "%s map update id %u key 77 value { count=6 level=3 } exist", bee, id));
	assert_int_equal(0, bpf_map_lookup_elem(map_fd("mt_calls"), &key, &val));
	t_eq("count from text form", 6, val.count);
	t_eq("bitfield from text form", 3 << 3, val.bits);
	t_eq("JSON dump parses", 0,
	     t_sh(&out, "%s -j map lookup id %u key 77 | python3 -c 'import json,sys; "
			"d=json.load(sys.stdin); print(d[\"key\"], d[\"value\"][\"count\"], "
			"d[\"value\"][\"level\"])'", bee, id));
	t_streq("JSON lookup", "77 6 3\n", out);
	free(out);
	t_eq("bad field", 1,
	     t_sh(&out, "%s map update id %u key 77 value '{\"nope\": 1}' 2>&1", bee, id));
	t_streq("bad field message",
		"bee: map 'mt_calls': value: struct mt_val has no field 'nope'\n", out);
	free(out);
	t_eq("delete typed key", 0, t_sh(NULL, "%s map delete id %u key 77", bee, id));
	t_eq("gone", -ENOENT, bpf_map_lookup_elem(map_fd("mt_calls"), &key, &val) ? -errno : 0);

	id = map_id(map_fd("mt_names"));
	t_eq("string value", 0, t_sh(NULL, "%s map update id %u key 1 value hello world", bee, id));
	key = 1;
	assert_int_equal(0, bpf_map_lookup_elem(map_fd("mt_names"), &key, names));
	t_streq("string stored", "hello world", names);
	t_eq("string lookup", 0, t_sh(&out, "%s map lookup id %u key 1", bee, id));
	t_streq("string printed", "key: 1  value: \"hello world\"\n", out);
	free(out);

	/* libbpf creates queues and stacks without BTF: bytes only */
	id = map_id(map_fd("mt_queue"));
	t_eq("push a number to a queue without BTF", 1,
	     t_sh(&out, "%s map push id %u value 4000000000 2>&1", bee, id));
	t_streq("the word is named", "bee: map 'mt_queue': value: '4000000000' is not a byte "
		"(0..255 or 0xNN)\n", out);
	free(out);
	t_eq("push bytes", 0, t_sh(NULL, "%s map push id %u value 0 0x28 0x6b 0xee", bee, id));
	t_eq("peek", 0, t_sh(&out, "%s map peek id %u", bee, id));
	t_streq("peek shows the bytes", "value: 00 28 6b ee\n", out);
	free(out);
	assert_int_equal(0, bpf_map_lookup_and_delete_elem(map_fd("mt_queue"), NULL, &q));
	t_eq("queue held it", 4000000000u, q);
}

static void quiet(enum bee_log_level level, const char *msg, void *ctx)
{
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_dump_of_program_data),
		cmocka_unit_test(test_batch_and_iteration_agree),
		cmocka_unit_test(test_lpm_trie),
		cmocka_unit_test(test_devmap_iterates),
		cmocka_unit_test(test_percpu),
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_cli_typed),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_fd_by_name),
		cmocka_unit_test(test_not_a_map),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_keyless_dump_refused),
	};

	bee_set_log(BEE_LOG_ERROR, quiet, NULL);
	return cmocka_run_group_tests(tests, setup, teardown);
}
