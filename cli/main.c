// SPDX-License-Identifier: GPL-2.0
/* bee: the command. Finds the commands that cli/ and tools/ register. */
#include <getopt.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

bool json_output;
bool pretty_output;
bool debug_output;

extern const struct bee_cmd __start_bee_cmds[] __attribute__((weak));
extern const struct bee_cmd __stop_bee_cmds[] __attribute__((weak));

#define BEE_VERSION "0.1.0"

static void vmsg(const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	chomp(buf);
	if (json_output) {
		fputs("{\"error\":", stdout);
		bee_json_str(stdout, buf);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		fprintf(stderr, "bee: %s\n", buf);
	}
}

int cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

const char *cli_strerr(int err)
{
	const char *e = bee_last_error();

	if (e && e[0])
		return e;
	return strerror(err < 0 ? -err : err);
}

void cli_json_begin(struct bee_json *j)
{
	bee_json_init(j, stdout, pretty_output);
}

bool cli_is(const char *word, const char *kw)
{
	size_t n = strlen(word);

	return n && strncmp(word, kw, n) == 0;
}

int cli_match(const char *word, const char *const *words, const char *what)
{
	int found = -1, cnt = 0;
	char cands[512] = "";

	for (int i = 0; words[i]; i++) {
		if (strcmp(word, words[i]) == 0)
			return i;
		if (cli_is(word, words[i])) {
			found = i;
			cnt++;
			if (strlen(cands) + strlen(words[i]) + 3 < sizeof(cands)) {
				if (cands[0])
					strcat(cands, ", ");
				strcat(cands, words[i]);
			}
		}
	}
	if (cnt > 1) {
		cli_usage("%s '%s' is ambiguous: %s", what, word, cands);
		return -2;
	}
	return found;
}

int cli_dispatch(int argc, char **argv, const struct cli_sub *subs, int (*help)(void))
{
	const char *words[64];
	int n = 0, i;

	if (argc < 1)
		return help ? help() : EXIT_USAGE;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))
		return help ? (help(), EXIT_OK) : EXIT_OK;
	for (; subs[n].name && n < 63; n++)
		words[n] = subs[n].name;
	words[n] = NULL;
	i = cli_match(argv[0], words, "command");
	if (i == -2)
		return EXIT_USAGE;
	if (i < 0) {
		cli_usage("unknown command '%s' (try 'help')", argv[0]);
		return EXIT_USAGE;
	}
	return subs[i].fn(argc, argv);
}

const void *cli_embedded(const char *name, size_t *size)
{
	extern const struct {
		const char *name;
		const char *start, *end;
	} bee_embedded_objs[];

	for (int i = 0; bee_embedded_objs[i].name; i++) {
		if (strcmp(bee_embedded_objs[i].name, name) == 0) {
			*size = bee_embedded_objs[i].end - bee_embedded_objs[i].start;
			return bee_embedded_objs[i].start;
		}
	}
	return NULL;
}

static int usage(FILE *out)
{
	fprintf(out,
		"Usage: bee [OPTIONS] OBJECT { COMMAND | help }\n"
		"       bee run FILE.bpf.c|FILE.o [RUN OPTIONS]\n"
		"       bee TOOL [TOOL OPTIONS]\n"
		"\n"
		"OPTIONS := { -j|--json | -p|--pretty | -d|--debug | -h|--help | -V|--version }\n"
		"\nObjects and commands:\n");
	for (const struct bee_cmd *c = __start_bee_cmds; c < __stop_bee_cmds; c++)
		if (!c->tool)
			fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\nReady tools:\n");
	for (const struct bee_cmd *c = __start_bee_cmds; c < __stop_bee_cmds; c++)
		if (c->tool)
			fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\nEvery command takes 'help' or --help. Keywords may be shortened to a unique prefix.\n");
	return out == stdout ? EXIT_OK : EXIT_USAGE;
}

static void log_to_stderr(enum bee_log_level level, const char *msg, void *ctx)
{
	size_t n = strlen(msg);

	/* Errors reach the user through the command's one error line; the
	 * library's detail shows with -d. */
	if (level == BEE_LOG_ERROR && !debug_output)
		return;
	fprintf(stderr, "%s%s%s", level <= BEE_LOG_WARN ? "bee: " : "", msg,
		n && msg[n - 1] == '\n' ? "" : "\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },   { "pretty", no_argument, NULL, 'p' },
		{ "debug", no_argument, NULL, 'd' },  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, {},
	};
	const struct bee_cmd *cmd = NULL;
	const char *words[256];
	int c, n = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opterr = 0; /* one error line, ours */
	/* Options before OBJECT only: "+" stops at the first non-option. */
	while ((c = getopt_long(argc, argv, "+jpdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = pretty_output = true;
			break;
		case 'd':
			debug_output = true;
			break;
		case 'h':
			return usage(stdout);
		case 'V':
			printf("bee %s (libbpf %s)\n", BEE_VERSION, libbpf_version_string());
			return EXIT_OK;
		default:
			if (optopt)
				return cli_usage("unknown option '-%c' (see 'bee help')", optopt);
			return cli_usage("unknown option '%s' (see 'bee help')", argv[optind - 1]);
		}
	}
	bee_set_log(debug_output ? BEE_LOG_DEBUG : BEE_LOG_WARN, log_to_stderr, NULL);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage(stderr);
	if (!strcmp(argv[0], "help"))
		return usage(stdout);

	for (const struct bee_cmd *p = __start_bee_cmds; p < __stop_bee_cmds && n < 255; p++)
		words[n++] = p->name;
	words[n] = NULL;
	i = cli_match(argv[0], words, "object");
	if (i == -2)
		return EXIT_USAGE;
	if (i < 0)
		return cli_usage("unknown object or tool '%s' (see 'bee help')", argv[0]);
	cmd = &__start_bee_cmds[i];
	return cmd->fn(argc, argv);
}
