// SPDX-License-Identifier: GPL-2.0
/*
 * bee run: compile if needed, load, attach every program, stream decoded
 * events and trace_pipe lines, print the maps at exit, detach. The ready
 * tools run through the same code (cli_run) with their embedded objects.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_fmt.h"
#include "cli.h"
#include "internal.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct event_map {
	struct run_state *rs;
	const char *name;
	int type_id;       /* BTF type of a record, 0 = unknown */
	size_t type_sz;
	bool perf;         /* perf records are padded to 8 bytes */
	bool guessed;      /* type found by size; re-checked per size */
};

struct run_state {
	const struct run_opts *o;
	struct bee_obj *obj;
	const struct btf *btf;
	FILE *out;
	struct bee_buf buf;
	struct event_map maps[16];
	int map_cnt;
	long events;
	bool header_done;
	int trace_fd;
	char *trace_buf;
	size_t trace_len;
	bool json;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A struct of the object's own BTF whose size fits a record of @size. */
static int guess_type(const struct btf *btf, size_t size, bool perf, size_t *type_sz)
{
	int n = btf__type_cnt(btf), found = 0, cnt = 0;

	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_struct(t) || !t->name_off || !t->size)
			continue;
		if (t->size == size || (perf && t->size < size && size - t->size < 8)) {
			if (found && btf__type_by_id(btf, found)->size == t->size &&
			    !strcmp(btf__name_by_offset(btf, t->name_off),
				    btf__name_by_offset(btf, btf__type_by_id(btf, found)->name_off)))
				continue;
			found = id;
			cnt++;
		}
	}
	if (cnt != 1)
		return 0;
	*type_sz = btf__type_by_id(btf, found)->size;
	return found;
}

static void print_header(struct run_state *rs)
{
	if (rs->header_done)
		return;
	rs->header_done = true;
	if (rs->o->header && !rs->json)
		fprintf(rs->out, "%s\n", rs->o->header);
}

static int on_event(void *ctx, int cpu, const void *data, size_t size)
{
	struct event_map *m = ctx;
	struct run_state *rs = m->rs;
	struct bee_buf *b = &rs->buf;
	int err = -1;

	if (rs->o->max_events && rs->events >= rs->o->max_events)
		return 0; /* the rest of a batch after the limit */
	print_header(rs);
	rs->events++;
	if (rs->o->print_event && rs->o->print_event(rs->o->print_ctx, m->name, data, size, rs->out))
		goto done;
	if (!m->type_id && rs->btf) {
		m->type_id = guess_type(rs->btf, size, m->perf, &m->type_sz);
		m->guessed = m->type_id > 0;
	}
	b->len = 0;
	if (rs->json) {
		bee_buf_puts(b, "{\"type\":\"event\",\"map\":");
		bee_buf_json_strn(b, m->name, strlen(m->name));
		bee_buf_puts(b, ",\"data\":");
	} else if (rs->map_cnt > 1) {
		bee_buf_puts(b, m->name);
		bee_buf_puts(b, ": ");
	}
	if (m->type_id && size >= m->type_sz) {
		size_t start = b->len;
		err = bee_btf_fmt(b, rs->btf, m->type_id, data, m->type_sz, rs->json ? BEE_FMT_JSON : 0);
		/* text: "pid=1 comm="x"" reads better than "{ pid=1 comm="x" }" */
		if (!err && !rs->json && b->len - start >= 4 && !memcmp(b->p + start, "{ ", 2) &&
		    !memcmp(b->p + b->len - 2, " }", 2)) {
			memmove(b->p + start, b->p + start + 2, b->len - start - 4);
			b->len -= 4;
		}
	}
	if (err) {
		/* unknown type: never drop a record, show its bytes */
		if (rs->json) {
			bee_buf_puts(b, "{\"size\":");
			bee_buf_u64(b, size);
			bee_buf_puts(b, ",\"hex\":\"");
			bee_buf_hexbytes(b, data, size);
			bee_buf_puts(b, "\"}");
		} else {
			bee_buf_puts(b, "[");
			bee_buf_u64(b, size);
			bee_buf_puts(b, " bytes] ");
			bee_buf_hexbytes(b, data, size);
		}
	}
	if (rs->json)
		bee_buf_putc(b, '}');
	bee_buf_putc(b, '\n');
	fwrite(b->p, 1, b->len, rs->out);
done:
	if (rs->o->max_events && rs->events >= rs->o->max_events)
		stop_signal = -1;
	return 0;
}

/* "  bash-1234  [001] d..31  1234.5678: bpf_trace_printk: hello" */
static int on_trace_line(void *ctx, const char *line)
{
	struct run_state *rs = ctx;

	print_header(rs);
	if (rs->json) {
		char comm[64] = "", msg_buf[16] = "";
		int pid = 0, cpu = -1;
		double ts = 0;
		const char *msg = strstr(line, ": bpf_trace_printk: ");
		const char *p = line;

		(void)msg_buf;
		while (*p == ' ')
			p++;
		/* comm may contain '-' and spaces: the pid follows the last '-' before '[' */
		const char *br = strstr(p, " [");
		if (br) {
			const char *dash = br;
			while (dash > p && *dash != '-')
				dash--;
			snprintf(comm, sizeof(comm), "%.*s", (int)(dash - p), p);
			pid = atoi(dash + 1);
			cpu = atoi(br + 2);
			const char *tsp = strchr(br, ']');
			if (tsp) {
				tsp++;
				while (*tsp == ' ')
					tsp++;
				while (*tsp && *tsp != ' ')
					tsp++; /* flags */
				ts = strtod(tsp, NULL);
			}
		}
		fputs("{\"type\":\"trace\",\"comm\":", rs->out);
		bee_json_str(rs->out, comm);
		fprintf(rs->out, ",\"pid\":%d,\"cpu\":%d,\"ts\":%.6f,\"msg\":", pid, cpu, ts);
		bee_json_str(rs->out, msg ? msg + 20 : line);
		fputs("}\n", rs->out);
	} else {
		fprintf(rs->out, "%s\n", line);
	}
	return 0;
}

/* Does any program call bpf_trace_printk / bpf_trace_vprintk? Only then is
 * trace_pipe read: it is shared by the whole system. */
static bool uses_trace_printk(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const struct bpf_insn *in = bpf_program__insns(prog);
		size_t n = bpf_program__insn_cnt(prog);
		for (size_t i = 0; i < n; i++)
			if (in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == 0 &&
			    (in[i].imm == BPF_FUNC_trace_printk || in[i].imm == 177 /* trace_vprintk */))
				return true;
	}
	return false;
}

static int resolve_event_types(struct run_state *rs)
{
	struct bpf_object *bo = bee_obj__bpf_object(rs->obj);
	const struct btf *btf = rs->btf;

	for (int i = 0; i < rs->map_cnt; i++) {
		struct event_map *m = &rs->maps[i];
		char var[300];
		int id;

		/* BEE_EVENT(map, type) in the program */
		snprintf(var, sizeof(var), "__bee_event__%s", m->name);
		if (btf && (id = btf__find_by_name_kind(btf, var, BTF_KIND_VAR)) > 0) {
			const struct btf_type *t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
			if (btf_is_ptr(t)) {
				m->type_id = t->type;
				m->type_sz = btf__resolve_size(btf, t->type);
			}
		}
	}
	for (int i = 0; i < rs->o->event_cnt; i++) {
		const char *spec = rs->o->events[i], *eq = strchr(spec, '=');
		int j;

		if (!eq)
			return cli_usage("--event %s: want MAP=TYPE, e.g. events='struct event'", spec);
		for (j = 0; j < rs->map_cnt; j++)
			if (strlen(rs->maps[j].name) == (size_t)(eq - spec) &&
			    !strncmp(rs->maps[j].name, spec, eq - spec))
				break;
		if (j == rs->map_cnt)
			return cli_err("--event %s: %s has no ring buffer or perf buffer map '%.*s'",
				       spec, bee_obj__name(rs->obj), (int)(eq - spec), spec);
		int id = btf ? bee_btf_find_type(btf, eq + 1) : -ENOENT;
		if (id <= 0)
			return cli_err("--event %s: no type '%s' in %s's BTF", spec, eq + 1,
				       bee_obj__name(rs->obj));
		rs->maps[j].type_id = id;
		rs->maps[j].type_sz = btf__resolve_size(btf, id);
	}
	(void)bo;
	return 0;
}

static int setup_events(struct run_state *rs, struct bee_events *ev)
{
	struct bpf_object *bo = bee_obj__bpf_object(rs->obj);
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, bo) {
		enum bpf_map_type t = bpf_map__type(map);
		struct event_map *m;

		if (t != BPF_MAP_TYPE_RINGBUF && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (rs->map_cnt == (int)ARRAY_SIZE(rs->maps))
			break;
		m = &rs->maps[rs->map_cnt++];
		m->rs = rs;
		m->name = bpf_map__name(map);
		m->perf = t == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	}
	err = resolve_event_types(rs);
	if (err)
		return err;
	for (int i = 0; i < rs->map_cnt; i++) {
		err = bee_events__add(ev, rs->obj, rs->maps[i].name, on_event, &rs->maps[i]);
		if (err)
			return cli_err("%s", cli_strerr(err));
	}
	return 0;
}

int cli_run(const struct run_opts *o)
{
	struct run_state rs = { .o = o, .trace_fd = -1, .json = json_output };
	struct bee_events *ev = NULL;
	const char *cflags[34] = {};
	struct sigaction sa = { .sa_handler = on_signal };
	double deadline = 0;
	int ret = EXIT_FAIL, err;

	for (int i = 0; i < o->cflag_cnt && i < 32; i++)
		cflags[i] = o->cflags[i];
	BEE_OPTS(bee_obj_opts, opts, .cflags = cflags, .no_cache = o->no_cache,
		 .verifier_log_full = o->full_log, .name = o->name);

	stop_signal = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->path)
		rs.obj = bee_obj__open_file(o->path, &opts);
	else
		rs.obj = bee_obj__open_mem(o->obj_buf, o->obj_sz, o->name, &opts);
	if (!rs.obj)
		return cli_err("%s", cli_strerr(-errno));
	rs.btf = bee_obj__btf(rs.obj);
	for (int i = 0; i < o->set_cnt; i++) {
		char name[256];
		const char *eq = strchr(o->sets[i], '=');
		if (!eq) {
			ret = cli_usage("--set %s: want NAME=VALUE", o->sets[i]);
			goto out;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
		err = bee_obj__set_var(rs.obj, name, eq + 1);
		if (err) {
			cli_err("%s", cli_strerr(err));
			goto out;
		}
	}
	if (o->prepare) {
		err = o->prepare(rs.obj, o->tool_ctx);
		if (err) {
			cli_err("%s", cli_strerr(err));
			goto out;
		}
	}
	err = bee_obj__load(rs.obj);
	if (err) {
		cli_err("%s", cli_strerr(err));
		if (o->full_log && bee_obj__verifier_log(rs.obj))
			fprintf(stderr, "%s", bee_obj__verifier_log(rs.obj));
		goto out;
	}
	if (o->dev)
		bee_obj__set_target_dev(rs.obj, o->dev, o->xdp_mode);
	if (o->cgroup)
		bee_obj__set_target_cgroup(rs.obj, o->cgroup);
	if (o->pid)
		bee_obj__set_target_pid(rs.obj, o->pid);
	if (o->freq)
		bee_obj__set_perf_freq(rs.obj, o->freq);

	rs.out = stdout;
	if (o->output) {
		rs.out = fopen(o->output, "we");
		if (!rs.out) {
			rs.out = stdout;
			cli_err("cannot write '%s': %s", o->output, strerror(errno));
			goto out;
		}
		setvbuf(rs.out, NULL, _IOFBF, 1 << 20);
	} else if (!isatty(STDOUT_FILENO)) {
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	}

	/* Readers first, so that nothing produced after attaching is missed. */
	ev = bee_events__new(NULL);
	if (!ev) {
		cli_err("cannot set up event reading: %s", strerror(errno));
		goto out;
	}
	ret = setup_events(&rs, ev);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	if (!o->no_trace && uses_trace_printk(bee_obj__bpf_object(rs.obj))) {
		rs.trace_fd = bee_trace_pipe_open();
		if (rs.trace_fd < 0) {
			cli_err("%s", cli_strerr(rs.trace_fd));
			goto out;
		}
		rs.trace_buf = calloc(1, BEE_TRACE_BUF_SZ);
		/* drop what earlier runs left in the pipe */
		bee_trace_pipe_read(rs.trace_fd, rs.trace_buf, &rs.trace_len, NULL, NULL);
		rs.trace_len = 0;
	}
	err = o->attach ? o->attach(rs.obj, o->tool_ctx) : bee_obj__attach(rs.obj);
	if (err) {
		cli_err("%s", cli_strerr(err));
		goto out;
	}
	if (!o->quiet_header)
		fprintf(stderr, "bee: %s: %zu attachment%s%s%s; Ctrl-C to stop\n", bee_obj__name(rs.obj),
			bee_obj__link_cnt(rs.obj), bee_obj__link_cnt(rs.obj) == 1 ? "" : "s",
			rs.map_cnt ? ", reading events" : "", rs.trace_fd >= 0 ? ", reading trace_pipe" : "");
	if (o->duration > 0)
		deadline = now_s() + o->duration;

	/* Records can wait in a buffer without a wake-up (batched wake-ups), so
	 * poll on a timeout too: short at first and while records flow, up to
	 * 16 ms when idle. That bounds the latency of any record. */
	int idle = 0;
	while (!stop_signal) {
		struct pollfd pf[2] = { { .fd = bee_events__fd(ev), .events = POLLIN },
					{ .fd = rs.trace_fd, .events = POLLIN } };
		int timeout = idle < 4 ? 1 << idle : 16;

		if (deadline) {
			double left = deadline - now_s();
			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		if (poll(pf, rs.trace_fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR) {
			cli_err("poll: %s", strerror(errno));
			goto out;
		}
		err = bee_events__consume(ev);
		if (err < 0 && err != -EINTR) {
			cli_err("reading events: %s", strerror(-err));
			goto out;
		}
		idle = err > 0 ? 0 : idle + 1;
		if (err > 0)
			fflush(rs.out); /* a batch at a time: readers see events promptly */
		if (rs.trace_fd >= 0)
			bee_trace_pipe_read(rs.trace_fd, rs.trace_buf, &rs.trace_len, on_trace_line, &rs);
		if (o->max_events && rs.events >= o->max_events)
			break;
	}

	/* Stop producers, then drain what they left. */
	bee_obj__detach(rs.obj);
	if (!(o->max_events && rs.events >= o->max_events))
		bee_events__consume(ev);
	if (rs.trace_fd >= 0)
		bee_trace_pipe_read(rs.trace_fd, rs.trace_buf, &rs.trace_len, on_trace_line, &rs);
	if (o->at_exit)
		o->at_exit(rs.obj, rs.out, o->tool_ctx);
	else if (!o->no_maps)
		bee_obj__print_maps(rs.obj, rs.out, json_output);
	fflush(rs.out);
	if (rs.map_cnt && !o->quiet_header) {
		uint64_t lost = bee_events__lost(ev);
		fprintf(stderr, "bee: %llu event%s received, %llu lost\n",
			(unsigned long long)bee_events__received(ev),
			bee_events__received(ev) == 1 ? "" : "s", (unsigned long long)lost);
	}
	ret = EXIT_OK;
out:
	if (rs.out && rs.out != stdout)
		fclose(rs.out);
	bee_events__free(ev);
	bee_obj__close(rs.obj);
	if (rs.trace_fd >= 0)
		close(rs.trace_fd);
	free(rs.trace_buf);
	free(rs.buf.p);
	return ret;
}

static int run_help(void)
{
	printf("Usage: bee run FILE.bpf.c|FILE.o [OPTIONS]\n"
	       "\n"
	       "Compile FILE (C sources, cached), load it, attach every program by its SEC()\n"
	       "name, print events and bpf_printk() lines until Ctrl-C, SIGTERM or --duration,\n"
	       "then print the maps and detach everything.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  --duration S        stop after S seconds\n"
	       "  --set NAME=VALUE    set a const volatile global before load (repeatable)\n"
	       "  --event MAP=TYPE    decode records of MAP as TYPE, e.g. events='struct event'\n"
	       "  -F, --freq HZ       sampling frequency for SEC(\"perf_event\") (default 49)\n"
	       "  -p, --pid PID       target pid for uprobes and perf events\n"
	       "  --dev IF            device for XDP and TC programs\n"
	       "  --xdp-mode MODE     generic, driver or offload\n"
	       "  --cgroup PATH       cgroup (v2) for cgroup programs\n"
	       "  -o, --output FILE   write events to FILE\n"
	       "  -n, --max-events N  stop after N events\n"
	       "  -C, --cflags FLAG   extra clang flag (repeatable)\n"
	       "  -j, --json          JSON lines: {\"type\":\"event\"|\"trace\"|\"map\",...}\n"
	       "  --no-maps           do not print maps at exit\n"
	       "  --no-trace          do not read trace_pipe\n"
	       "  --no-cache          compile even when a cached object exists\n"
	       "  --full-log          show the verifier's whole log when loading fails\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "\n"
	       "Event types: a program declares BEE_EVENT(events, struct event) (bee/bee.bpf.h), or\n"
	       "give --event; otherwise bee uses the program's only struct of the record's size,\n"
	       "and prints unknown records as hex.\n");
	return EXIT_OK;
}

int cli_run_parse(int argc, char **argv, struct run_opts *o, bool want_file)
{
	enum { O_DURATION = 256, O_SET, O_EVENT, O_DEV, O_XDP, O_CGROUP, O_NOMAPS, O_NOTRACE,
	       O_NOCACHE, O_FULLLOG };
	static const struct option lopts[] = {
		{ "duration", required_argument, NULL, O_DURATION },
		{ "set", required_argument, NULL, O_SET },
		{ "event", required_argument, NULL, O_EVENT },
		{ "freq", required_argument, NULL, 'F' },
		{ "pid", required_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, O_DEV },
		{ "xdp-mode", required_argument, NULL, O_XDP },
		{ "cgroup", required_argument, NULL, O_CGROUP },
		{ "output", required_argument, NULL, 'o' },
		{ "max-events", required_argument, NULL, 'n' },
		{ "cflags", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "no-maps", no_argument, NULL, O_NOMAPS },
		{ "no-trace", no_argument, NULL, O_NOTRACE },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "full-log", no_argument, NULL, O_FULLLOG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static const char *sets[64], *events[16], *cflags[32];
	char *end;
	int c;

	o->sets = sets;
	o->events = events;
	o->cflags = cflags;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+F:p:o:n:C:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case O_DURATION:
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0) {
				cli_usage("--duration %s: want a number of seconds", optarg);
				return -1;
			}
			break;
		case O_SET:
			if (o->set_cnt < 64)
				sets[o->set_cnt++] = optarg;
			break;
		case O_EVENT:
			if (o->event_cnt < 16)
				events[o->event_cnt++] = optarg;
			break;
		case 'F':
			o->freq = strtoul(optarg, &end, 10);
			if (*end || !o->freq) {
				cli_usage("--freq %s: want a frequency in Hz", optarg);
				return -1;
			}
			break;
		case 'p':
			o->pid = strtol(optarg, &end, 10);
			if (*end || o->pid <= 0) {
				cli_usage("--pid %s: want a process id", optarg);
				return -1;
			}
			if (kill(o->pid, 0) && errno == ESRCH) {
				cli_err("--pid %s: no such process", optarg);
				return -1;
			}
			break;
		case O_DEV:
			o->dev = optarg;
			break;
		case O_XDP:
			o->xdp_mode = optarg;
			break;
		case O_CGROUP:
			o->cgroup = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			o->max_events = strtol(optarg, &end, 10);
			if (*end || o->max_events <= 0) {
				cli_usage("--max-events %s: want a positive count", optarg);
				return -1;
			}
			break;
		case 'C':
			if (o->cflag_cnt < 32)
				cflags[o->cflag_cnt++] = optarg;
			break;
		case 'j':
			json_output = true;
			break;
		case 'P':
			json_output = pretty_output = true;
			break;
		case O_NOMAPS:
			o->no_maps = true;
			break;
		case O_NOTRACE:
			o->no_trace = true;
			break;
		case O_NOCACHE:
			o->no_cache = true;
			break;
		case O_FULLLOG:
			o->full_log = true;
			break;
		case 'q':
			o->quiet_header = true;
			break;
		case 'h':
			return -2;
		default:
			cli_usage("%s: unknown option '%s' (see --help)", argv[0], argv[optind - 1]);
			return -1;
		}
	}
	if (want_file) {
		if (optind >= argc) {
			cli_usage("run: which file? (bee run FILE.bpf.c|FILE.o)");
			return -1;
		}
		o->path = argv[optind++];
		/* options may also follow the file */
		if (optind < argc) {
			int rest = cli_run_parse(argc - optind + 1, argv + optind - 1, o, false);
			return rest < 0 ? rest : argc;
		}
	}
	if (optind < argc) {
		cli_usage("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return -1;
	}
	return optind;
}

static int do_run(int argc, char **argv)
{
	struct run_opts o = {};
	int r;

	if (argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")))
		return run_help();
	r = cli_run_parse(argc, argv, &o, true);
	if (r == -2)
		return run_help();
	if (r < 0)
		return EXIT_USAGE;
	return cli_run(&o);
}

BEE_COMMAND("run", do_run, "compile, load, attach and stream a BPF C file or object");
