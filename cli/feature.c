// SPDX-License-Identifier: GPL-2.0
/*
 * bee feature: what the running kernel offers for BPF, as bpftool's
 * `feature probe` shows it (so `bee feature probe | grep program_type`
 * reads the same), with the names taken from the kernel's own BTF and the
 * facts bpftool leaves out (kprobes, trampolines, tcx, ring buffers, LSM).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "internal.h"

/* The config options that matter to BPF: bpftool's list, then what bee's
 * users also need to know (kprobes, trampolines, LSM, tcx, netkit). */
static const char *const config_opts[] = {
	"CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT",
	"CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES",
	"CONFIG_CGROUPS", "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID",
	"CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS",
	"CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS",
	"CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET",
	"CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF",
	"CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID",
	"CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER",
	"CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPFILTER", "CONFIG_BPFILTER_UMH",
	"CONFIG_TEST_BPF", "CONFIG_HZ",
	/* bee's additions */
	"CONFIG_KPROBES", "CONFIG_UPROBES", "CONFIG_FUNCTION_TRACER",
	"CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "CONFIG_FPROBE", "CONFIG_BPF_LSM",
	"CONFIG_LSM", "CONFIG_SECURITY_LOCKDOWN_LSM", "CONFIG_NET_XGRESS", "CONFIG_NETKIT",
	"CONFIG_NETFILTER_BPF_LINK", "CONFIG_BPF_PRELOAD", "CONFIG_BPF_UNPRIV_DEFAULT_OFF",
	NULL,
};

struct sysctl {
	const char *path, *key;
};

static const struct sysctl sysctls[] = {
	{ "/proc/sys/kernel/unprivileged_bpf_disabled", "unprivileged_bpf_disabled" },
	{ "/proc/sys/net/core/bpf_jit_enable", "bpf_jit_enable" },
	{ "/proc/sys/net/core/bpf_jit_harden", "bpf_jit_harden" },
	{ "/proc/sys/net/core/bpf_jit_kallsyms", "bpf_jit_kallsyms" },
	{ "/proc/sys/net/core/bpf_jit_limit", "bpf_jit_limit" },
};

static const char *const misc_text[BEE_MISC__CNT] = {
	[BEE_MISC_LARGE_INSN_LIMIT] = "Large program size limit",
	[BEE_MISC_BOUNDED_LOOPS] = "Bounded loop support",
	[BEE_MISC_ISA_V2] = "ISA extension v2",
	[BEE_MISC_ISA_V3] = "ISA extension v3",
	[BEE_MISC_ISA_V4] = "ISA extension v4",
};

static long long read_sysctl(const char *path, bool *ok)
{
	char *text = NULL;
	long long v = 0;

	*ok = bee_read_file(path, &text, NULL) == 0;
	if (*ok)
		v = strtoll(text, NULL, 10);
	free(text);
	return v;
}

static void sysctl_text(const char *key, long long v)
{
	if (!strcmp(key, "unprivileged_bpf_disabled")) {
		if (v == 0)
			printf("bpf() syscall for unprivileged users is enabled\n");
		else if (v == 1)
			printf("bpf() syscall restricted to privileged users (without recovery)\n");
		else if (v == 2)
			printf("bpf() syscall restricted to privileged users (admin can change)\n");
		else
			printf("bpf() syscall restriction has unknown value %lld\n", v);
	} else if (!strcmp(key, "bpf_jit_enable")) {
		if (v == 0)
			printf("JIT compiler is disabled\n");
		else if (v == 1)
			printf("JIT compiler is enabled\n");
		else if (v == 2)
			printf("JIT compiler is enabled with debugging traces in kernel logs\n");
		else
			printf("JIT-compiler status has unknown value %lld\n", v);
	} else if (!strcmp(key, "bpf_jit_harden")) {
		if (v == 0)
			printf("JIT compiler hardening is disabled\n");
		else if (v == 1)
			printf("JIT compiler hardening is enabled for unprivileged users\n");
		else if (v == 2)
			printf("JIT compiler hardening is enabled for all users\n");
		else
			printf("JIT hardening status has unknown value %lld\n", v);
	} else if (!strcmp(key, "bpf_jit_kallsyms")) {
		if (v == 0)
			printf("JIT compiler kallsyms exports are disabled\n");
		else if (v == 1)
			printf("JIT compiler kallsyms exports are enabled for root\n");
		else
			printf("JIT kallsyms exports status has unknown value %lld\n", v);
	} else if (!strcmp(key, "bpf_jit_limit")) {
		printf("Global memory limit for JIT compiler for unprivileged users is %lld bytes\n",
		       v);
	}
}

static void upper(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < n; i++)
		dst[i] = toupper((unsigned char)src[i]);
	dst[i] = 0;
}

struct probe_args {
	bool full, macros, json, fresh;
	const char *prefix;
};

static void print_config(const struct probe_args *a, struct bee_json *j, const char *config,
			 const char *source)
{
	struct utsname u;
	char val[512];

	if (a->macros) {
		/* bpftool's macros carry only the numeric config items */
		printf("/*** Misc kernel config items ***/\n");
		if (config && bee_kernel_config_get(config, "CONFIG_HZ", val, sizeof(val)))
			printf("#define %sCONFIG_HZ %s\n", a->prefix, val);
		printf("\n");
		return;
	}
	if (a->json) {
		bee_json_key(j, "kernel_config_source");
		if (source)
			bee_json_string(j, source);
		else
			bee_json_null(j);
		for (int i = 0; config_opts[i]; i++) {
			bee_json_key(j, config_opts[i]);
			if (config && bee_kernel_config_get(config, config_opts[i], val, sizeof(val)))
				bee_json_string(j, val);
			else
				bee_json_null(j);
		}
		return;
	}
	if (!config) {
		uname(&u);
		printf("No kernel configuration found (tried /proc/config.gz and "
		       "/boot/config-%s)\n",
		       u.release);
		return;
	}
	printf("Kernel configuration read from %s\n", source);
	for (int i = 0; config_opts[i]; i++) {
		if (bee_kernel_config_get(config, config_opts[i], val, sizeof(val)))
			printf("%s is set to %s\n", config_opts[i], val);
		else
			printf("%s is not set\n", config_opts[i]);
	}
}

static void section(const struct probe_args *a, struct bee_json *j, const char *text,
		    const char *macro_title, const char *json_key)
{
	if (a->json) {
		bee_json_key(j, json_key);
		bee_json_obj_start(j);
	} else if (a->macros) {
		printf("/*** %s ***/\n", macro_title);
	} else {
		printf("%s\n", text);
	}
}

static void section_end(const struct probe_args *a, struct bee_json *j)
{
	if (a->json)
		bee_json_obj_end(j);
	else
		printf("\n");
}

/* One "type" line: "eBPF program_type xdp is available". */
static void type_line(const struct probe_args *a, struct bee_json *j, const char *what,
		      const char *name, int ok, const char *why)
{
	char key[160], up[128];

	if (a->json) {
		/* bpftool's keys: have_xdp_prog_type, have_hash_map_type */
		snprintf(key, sizeof(key), "have_%s_%s", name,
			 !strcmp(what, "program_type") ? "prog_type" : what);
		bee_json_kbool(j, key, ok == 1);
	} else if (a->macros) {
		upper(up, sizeof(up), name);
		upper(key, sizeof(key), !strcmp(what, "program_type") ? "prog_type" : what);
		printf("#define %s%sHAVE_%s_%s\n", ok == 1 ? "" : "NO_", a->prefix, up, key);
	} else if (ok == 1) {
		printf("eBPF %s %s is available\n", what, name);
	} else {
		printf("eBPF %s %s is NOT available (%s)\n", what, name, why && *why ? why : "?");
	}
}

static void print_helpers(const struct probe_args *a, struct bee_json *j,
			  const struct bee_features *f)
{
	unsigned pc = bee_kind_cnt(BEE_KIND_PROG_TYPE), hc = bee_kind_cnt(BEE_KIND_HELPER);
	char key[160];

	if (a->json) {
		bee_json_key(j, "helpers");
		bee_json_obj_start(j);
	} else if (a->macros) {
		printf("/*** eBPF helper functions ***/\n"
		       "/*\n"
		       " * Use %sHAVE_PROG_TYPE_HELPER(prog_type_name, helper_name)\n"
		       " * to determine if <helper_name> is available for <prog_type_name>,\n"
		       " * e.g.\n"
		       " *\t#if %sHAVE_PROG_TYPE_HELPER(xdp, bpf_redirect)\n"
		       " *\t\t// do stuff with this helper\n"
		       " *\t#elif\n"
		       " *\t\t// use a workaround\n"
		       " *\t#endif\n"
		       " */\n"
		       "#define %sHAVE_PROG_TYPE_HELPER(prog_type, helper)\t\\\n"
		       "\t%sBPF__PROG_TYPE_ ## prog_type ## __HELPER_ ## helper\n",
		       a->prefix, a->prefix, a->prefix, a->prefix);
	} else {
		printf("Scanning eBPF helper functions...\n");
	}
	for (unsigned t = 1; t < pc; t++) {
		const char *tn = bee_kind_name(BEE_KIND_PROG_TYPE, t);

		if (!tn)
			continue;
		if (a->json) {
			snprintf(key, sizeof(key), "%s_available_helpers", tn);
			bee_json_key(j, key);
			bee_json_arr_start(j);
		} else if (!a->macros) {
			printf("eBPF helpers supported for program type %s:", tn);
			if (bee_features__prog_type(f, t, NULL) != 1)
				printf(" (program type not available)");
			else if (bee_features__helper(f, t, 1) < 0)
				printf(" (not probed: this type loads only with an attach "
				       "target)");
			printf("\n");
		}
		for (unsigned h = 1; h < hc; h++) {
			const char *hn = bee_kind_name(BEE_KIND_HELPER, h);
			int ok = bee_features__helper(f, t, h);

			if (!hn)
				continue;
			/* skipped (the helpers that write to the kernel log,
			 * without 'full'): no line, as bpftool */
			if (ok < 0 && bee_features__helper(f, t, 1) >= 0)
				continue;
			if (a->macros)
				printf("#define %sBPF__PROG_TYPE_%s__HELPER_%s %d\n", a->prefix, tn, hn,
				       ok == 1);
			else if (ok != 1)
				continue;
			else if (a->json)
				bee_json_string(j, hn);
			else
				printf("\t- %s\n", hn);
		}
		if (a->json)
			bee_json_arr_end(j);
	}
	section_end(a, j);
}

static void print_facts(const struct probe_args *a, struct bee_json *j, const struct bee_fact *fa,
			int n)
{
	char up[64];

	if (a->json) {
		bee_json_key(j, "bee_features");
		bee_json_obj_start(j);
		for (int i = 0; i < n; i++) {
			bee_json_key(j, fa[i].name);
			bee_json_obj_start(j);
			bee_json_kbool(j, "available", fa[i].available);
			bee_json_kstr(j, "detail", fa[i].detail);
			bee_json_obj_end(j);
		}
		bee_json_obj_end(j);
		return;
	}
	if (a->macros) {
		printf("/*** Features that matter to bee ***/\n");
		for (int i = 0; i < n; i++) {
			upper(up, sizeof(up), fa[i].name);
			printf("#define %s%sHAVE_%s\n", fa[i].available ? "" : "NO_", a->prefix, up);
		}
		return;
	}
	printf("Scanning features that matter to bee...\n");
	for (int i = 0; i < n; i++)
		printf("%s is %savailable: %s\n", fa[i].name, fa[i].available ? "" : "NOT ",
		       fa[i].detail);
}

/* bee's own facts and the kernel config, read while the probes run */
struct side_work {
	struct bee_fact facts[16];
	int nfacts;
	char *config;
	const char *source;
};

static void *side_fn(void *arg)
{
	struct side_work *w = arg;

	w->nfacts = bee_probe_facts(w->facts, ARRAY_SIZE(w->facts));
	bee_kernel_config(&w->config, &w->source);
	return NULL;
}

static int do_probe(int argc, char **argv)
{
	struct probe_args a = { .prefix = "", .json = json_output };
	struct side_work side = {};
	struct bee_fact *facts = side.facts;
	struct bee_features *f;
	struct bee_json j;
	const char *source;
	char *config;
	char prefix[128];
	pthread_t th;
	bool threaded;
	int nfacts;

	for (int i = 1; i < argc; i++) {
		static const char *const words[] = { "kernel", "full", "fresh", "macros", "prefix",
						     NULL };

		switch (cli_match(argv[i], words, "feature probe")) {
		case 0: /* the running kernel is the only target */
			break;
		case 1:
			a.full = true;
			break;
		case 2:
			a.fresh = true;
			break;
		case 3:
			a.macros = true;
			break;
		case 4:
			if (!a.macros)
				return cli_usage("feature probe: 'prefix' needs 'macros' before it");
			if (++i >= argc)
				return cli_usage("feature probe: 'prefix' needs a value");
			snprintf(prefix, sizeof(prefix), "%s", argv[i]);
			a.prefix = prefix;
			break;
		case -2:
			return EXIT_USAGE;
		default:
			return cli_usage("feature probe: unknown argument '%s' (try 'bee feature "
					 "help')",
					 argv[i]);
		}
	}
	if (a.macros && a.json)
		return cli_usage("feature probe: 'macros' and JSON output cannot be combined");

	threaded = pthread_create(&th, NULL, side_fn, &side) == 0;
	{
		BEE_OPTS(bee_features_opts, o, .helpers = true, .full = a.full,
			 .no_cache = a.fresh);
		f = bee_features__probe(&o);
	}
	if (threaded)
		pthread_join(th, NULL);
	else
		side_fn(&side);
	config = side.config;
	source = side.source;
	nfacts = side.nfacts;
	if (!f) {
		free(config);
		return cli_err("feature probe: %s", cli_strerr(-errno));
	}

	if (a.json) {
		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_key(&j, "system_config");
		bee_json_obj_start(&j);
	} else if (!a.macros) {
		printf("Scanning system configuration...\n");
	}
	for (size_t i = 0; i < ARRAY_SIZE(sysctls) && !a.macros; i++) {
		bool ok;
		long long v = read_sysctl(sysctls[i].path, &ok);

		if (a.json) {
			bee_json_key(&j, sysctls[i].key);
			if (ok)
				bee_json_int(&j, v);
			else
				bee_json_null(&j);
		} else if (ok) {
			sysctl_text(sysctls[i].key, v);
		} else {
			printf("Unable to read %s\n", sysctls[i].path);
		}
	}
	print_config(&a, &j, config, source);
	if (a.json) {
		bee_json_obj_end(&j);
		bee_json_kbool(&j, "probes_from_cache", bee_features__from_cache(f));
	} else if (!a.macros) {
		printf("\n");
	}

	if (!a.json && !a.macros)
		printf("Type and helper probes %s\n\n",
		       bee_features__from_cache(f) ?
			       "come from this boot's cache ('fresh' probes again)" :
			       "were run now (and cached for this boot)");
	section(&a, &j, "Scanning system call availability...", "System call availability",
		"syscall_config");
	{
		/* Unprivileged, every load fails the same way: say so once,
		 * so that the verdicts below are read as this user's. */
		const char *why = "";
		bool denied = bee_features__prog_type(f, 1, &why) != 1 &&
			      strstr(why, strerror(EPERM));

		if (a.json) {
			bee_json_kbool(&j, "have_bpf_syscall", true);
			bee_json_kbool(&j, "prog_load_permitted", !denied);
		} else if (a.macros) {
			printf("#define %sHAVE_BPF_SYSCALL\n", a.prefix);
		} else {
			printf("bpf() syscall is available\n");
			if (denied)
				printf("bpf() program loads are not permitted for uid %u: the "
				       "verdicts below are this user's, not the kernel's (run as "
				       "root)\n",
				       (unsigned)geteuid());
		}
	}
	section_end(&a, &j);

	section(&a, &j, "Scanning eBPF program types...", "eBPF program types", "program_types");
	for (unsigned t = 1; t < bee_kind_cnt(BEE_KIND_PROG_TYPE); t++) {
		const char *why = NULL, *n = bee_kind_name(BEE_KIND_PROG_TYPE, t);
		int ok = bee_features__prog_type(f, t, &why);

		if (n)
			type_line(&a, &j, "program_type", n, ok, why);
	}
	section_end(&a, &j);

	section(&a, &j, "Scanning eBPF map types...", "eBPF map types", "map_types");
	for (unsigned t = 1; t < bee_kind_cnt(BEE_KIND_MAP_TYPE); t++) {
		const char *why = NULL, *n = bee_kind_name(BEE_KIND_MAP_TYPE, t);
		int ok = bee_features__map_type(f, t, &why);

		if (n)
			type_line(&a, &j, "map_type", n, ok, why);
	}
	section_end(&a, &j);

	print_helpers(&a, &j, f);

	section(&a, &j, "Scanning miscellaneous eBPF features...", "eBPF misc features", "misc");
	for (int m = 0; m < BEE_MISC__CNT; m++) {
		int ok = bee_features__misc(f, m);
		char key[64], up[64];

		if (a.json) {
			snprintf(key, sizeof(key), "have_%s", bee_misc_name(m));
			bee_json_kbool(&j, key, ok == 1);
		} else if (a.macros) {
			upper(up, sizeof(up), bee_misc_name(m));
			printf("#define %s%sHAVE_%s\n", ok == 1 ? "" : "NO_", a.prefix, up);
		} else {
			printf("%s is %savailable\n", misc_text[m], ok == 1 ? "" : "NOT ");
		}
	}
	section_end(&a, &j);

	print_facts(&a, &j, facts, nfacts);
	if (a.json) {
		bee_json_obj_end(&j);
		bee_json_end(&j);
	}
	free(config);
	bee_features__free(f);
	return EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	static const char *const words[] = { "prog_types", "map_types", "attach_types", "helpers",
					     "link_types", NULL };
	static const enum bee_kind kind_of[] = { BEE_KIND_PROG_TYPE, BEE_KIND_MAP_TYPE,
						 BEE_KIND_ATTACH_TYPE, BEE_KIND_HELPER,
						 BEE_KIND_LINK_TYPE };
	struct bee_json j;
	unsigned cnt;
	int w;

	if (argc != 2)
		return cli_usage("feature list: want one of prog_types, map_types, attach_types, "
				 "helpers, link_types");
	w = cli_match(argv[1], words, "feature list");
	if (w == -2)
		return EXIT_USAGE;
	if (w < 0)
		return cli_usage("feature list: unknown kind '%s' (want prog_types, map_types, "
				 "attach_types, helpers or link_types)",
				 argv[1]);
	cnt = bee_kind_cnt(kind_of[w]);
	if (!cnt)
		return cli_err("feature list: cannot read kernel BTF: %s", cli_strerr(-errno));
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	for (unsigned i = 0; i < cnt; i++) {
		const char *n = bee_kind_name(kind_of[w], i);

		if (!n)
			continue;
		if (json_output)
			bee_json_string(&j, n);
		else
			printf("%s\n", n);
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	return EXIT_OK;
}

static int help(void)
{
	printf("Usage: bee feature probe [kernel] [full] [fresh] [macros [prefix PREFIX]]\n"
	       "       bee feature list { prog_types | map_types | attach_types | helpers | "
	       "link_types }\n"
	       "       bee feature help\n"
	       "\n"
	       "probe: the kernel configuration that matters to BPF (from /proc/config.gz or\n"
	       "       /boot/config-$(uname -r)), the BPF sysctls, every program type and map\n"
	       "       type with availability, the helpers each program type can call, misc\n"
	       "       verifier features, and what bee needs to know: kprobes, BPF trampolines\n"
	       "       (fentry really attached), tcx, ring buffers, the BPF LSM, the JIT.\n"
	       "       Names come from the running kernel's BTF. 'full' also probes the helpers\n"
	       "       that write to the kernel log; 'macros' prints C #defines. Type and\n"
	       "       helper verdicts are cached per boot; 'fresh' probes again.\n"
	       "list:  the names the running kernel's BTF gives each kind.\n");
	return EXIT_OK;
}

static int cmd_feature(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "probe", do_probe },
		{ "list", do_list },
		{},
	};

	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("feature", cmd_feature, "probe what the kernel offers for BPF");
