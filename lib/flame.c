// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Flame graphs: stacks merged into a tree (children kept sorted by name, as
 * flamegraph.pl sorts them), written as folded lines or as an SVG that
 * needs nothing but a browser: rect + text per frame, the full name and
 * counts in a <title> shown on hover, and a small script for click-to-zoom.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

struct fnode {
	char *name;
	uint64_t count; /* samples in this frame and everything above it */
	struct fnode **kids;
	size_t n, cap;
};

struct bee_flame {
	struct fnode root;
	size_t max_depth;
};

static void node_free(struct fnode *n)
{
	for (size_t i = 0; i < n->n; i++) {
		node_free(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

void bee_flame__free(struct bee_flame *f)
{
	if (!f)
		return;
	node_free(&f->root);
	free(f);
}

struct bee_flame *bee_flame__new(void)
{
	struct bee_flame *f = calloc(1, sizeof(*f));

	if (!f)
		return errno = ENOMEM, NULL;
	f->root.name = strdup("all");
	if (!f->root.name) {
		free(f);
		return errno = ENOMEM, NULL;
	}
	return f;
}

/* The child of @p named @name (@len bytes), created in sorted place. */
static struct fnode *node_child(struct fnode *p, const char *name, size_t len)
{
	size_t lo = 0, hi = p->n;
	struct fnode *c;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strncmp(p->kids[mid]->name, name, len);

		if (!r && p->kids[mid]->name[len])
			r = 1;
		if (!r)
			return p->kids[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct fnode **k = realloc(p->kids, cap * sizeof(*k));

		if (!k)
			return NULL;
		p->kids = k;
		p->cap = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->name = strndup(name, len))) {
		free(c);
		return NULL;
	}
	memmove(&p->kids[lo + 1], &p->kids[lo], (p->n - lo) * sizeof(*p->kids));
	p->kids[lo] = c;
	p->n++;
	return c;
}

/* Add @count along a path given either as @frames or as a folded string. */
static int flame_add(struct bee_flame *f, const char *const *frames, size_t n, const char *folded,
		     size_t flen, uint64_t count)
{
	struct fnode *p = &f->root;
	size_t depth = 0;

	/* count the path first, so that a failed allocation half-way leaves
	 * counts that still add up (the new nodes simply hold fewer) */
	f->root.count += count;
	if (frames) {
		for (size_t i = 0; i < n; i++) {
			p = node_child(p, frames[i], strlen(frames[i]));
			if (!p)
				return -ENOMEM;
			p->count += count;
			depth++;
		}
	} else {
		const char *s = folded, *end = folded + flen;

		while (s < end) {
			const char *semi = memchr(s, ';', end - s);
			size_t len = (semi ? semi : end) - s;

			if (len) {
				p = node_child(p, s, len);
				if (!p)
					return -ENOMEM;
				p->count += count;
				depth++;
			}
			s += len + 1;
		}
	}
	if (depth > f->max_depth)
		f->max_depth = depth;
	return 0;
}

int bee_flame__add(struct bee_flame *f, const char *const *frames, size_t n, uint64_t count)
{
	return flame_add(f, frames, n, NULL, 0, count);
}

int bee_flame__add_folded(struct bee_flame *f, const char *line)
{
	size_t len = strlen(line);
	const char *sp;
	char *end;
	uint64_t count;

	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	sp = memrchr(line, ' ', len);
	if (!sp || sp + 1 == line + len)
		return -EINVAL;
	errno = 0;
	count = strtoull(sp + 1, &end, 10);
	if (errno || end != line + len || sp[1] == '-')
		return -EINVAL;
	return flame_add(f, NULL, 0, line, sp - line, count);
}

uint64_t bee_flame__total(const struct bee_flame *f)
{
	return f->root.count;
}

static uint64_t node_self(const struct fnode *n)
{
	uint64_t kids = 0;

	for (size_t i = 0; i < n->n; i++)
		kids += n->kids[i]->count;
	return n->count - kids;
}

static void write_folded(const struct fnode *n, FILE *out, char **path, size_t *cap, size_t len)
{
	uint64_t self = node_self(n);
	size_t nl = strlen(n->name);

	if (len + nl + 2 > *cap) {
		size_t c = (*cap + nl + 2) * 2;
		char *p = realloc(*path, c);

		if (!p)
			return;
		*path = p;
		*cap = c;
	}
	if (len)
		(*path)[len++] = ';';
	memcpy(*path + len, n->name, nl + 1);
	len += nl;
	if (self)
		fprintf(out, "%s %" PRIu64 "\n", *path, self);
	for (size_t i = 0; i < n->n; i++)
		write_folded(n->kids[i], out, path, cap, len);
}

int bee_flame__write_folded(const struct bee_flame *f, FILE *out)
{
	size_t cap = 4096;
	char *path = malloc(cap);

	if (!path)
		return -ENOMEM;
	/* the root "all" is not a frame of anyone's stack */
	for (size_t i = 0; i < f->root.n; i++)
		write_folded(f->root.kids[i], out, &path, &cap, 0);
	free(path);
	return ferror(out) ? -EIO : 0;
}

/* ---- SVG ------------------------------------------------------------------ */

struct svg {
	FILE *out;
	double xpad, scale; /* pixels per sample */
	unsigned fh, height;
	uint64_t total;
	const char *unit;
};

/* XML text: escapes, and nothing XML 1.0 forbids (control characters);
 * bytes outside ASCII become '?' since names need not be UTF-8. */
static void xml_text(FILE *out, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(c < 0x20 || c >= 0x7f ? '?' : c, out);
		}
	}
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void frame_color(const char *name, char *buf, size_t sz)
{
	size_t len = strlen(name);
	uint32_t h = name_hash(name);
	double v1 = (h & 0xff) / 255.0, v2 = ((h >> 8) & 0xff) / 255.0, v3 = ((h >> 16) & 0xff) / 255.0;

	if (len > 4 && !strcmp(name + len - 4, "_[k]"))
		/* kernel: the aqua-orange split flamegraph.pl's --colors=java uses */
		snprintf(buf, sz, "rgb(%d,%d,%d)", (int)(200 + 55 * v1), (int)(120 + 60 * v2),
			 (int)(30 + 30 * v3));
	else if (!strncmp(name, "[unknown]", 9) || !strncmp(name, "[missing", 8))
		snprintf(buf, sz, "rgb(%d,%d,%d)", 180 + (int)(20 * v1), 180 + (int)(20 * v1),
			 180 + (int)(20 * v1));
	else
		snprintf(buf, sz, "rgb(%d,%d,%d)", (int)(205 + 50 * v3), (int)(230 * v1),
			 (int)(55 * v2));
}

static void svg_frame(struct svg *g, const struct fnode *n, uint64_t start, unsigned depth)
{
	double x = g->xpad + start * g->scale, w = n->count * g->scale;
	double y = g->height - 32 - (depth + 1) * g->fh;
	char color[48];
	size_t fit, len = strlen(n->name);
	uint64_t off = start;

	if (w < 0.1)
		return;
	frame_color(n->name, color, sizeof(color));
	fprintf(g->out, "<g class=\"f\" data-s=\"%" PRIu64 "\" data-n=\"%" PRIu64 "\" data-d=\"%u\">",
		start, n->count, depth);
	fputs("<title>", g->out);
	xml_text(g->out, n->name, (size_t)-1);
	fprintf(g->out, " (%" PRIu64 " %s, %.2f%%)</title>", n->count, g->unit,
		g->total ? 100.0 * n->count / g->total : 0.0);
	fprintf(g->out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%u\" fill=\"%s\" rx=\"2\" ry=\"2\"/>",
		x, y, w, g->fh - 1, color);
	/* text that fits: Verdana 12px is about 7 px a character */
	fit = w > 6 ? (size_t)((w - 6) / 7.0) : 0;
	fprintf(g->out, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + g->fh - 5);
	if (fit >= len)
		xml_text(g->out, n->name, len);
	else if (fit >= 3) {
		xml_text(g->out, n->name, fit - 2);
		fputs("..", g->out);
	}
	fputs("</text></g>\n", g->out);
	for (size_t i = 0; i < n->n; i++) {
		svg_frame(g, n->kids[i], off, depth + 1);
		off += n->kids[i]->count;
	}
}

/* Click a frame to zoom to it (its ancestors stay, full width); click the
 * bottom frame or "Reset Zoom" to go back. Widths come from data-s/data-n
 * (samples), so zooming is exact whatever was rounded when drawing. */
static const char svg_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"var W, PAD, TOTAL;\n"
	"function init(evt) {\n"
	"  var svg = document.documentElement;\n"
	"  W = +svg.getAttribute('data-w'); PAD = +svg.getAttribute('data-pad');\n"
	"  TOTAL = +svg.getAttribute('data-total');\n"
	"  var fs = document.querySelectorAll('g.f');\n"
	"  for (var i = 0; i < fs.length; i++) fs[i].onclick = function() { zoom(this); };\n"
	"  document.getElementById('reset').onclick = function() { zoom(null); };\n"
	"  document.getElementById('search').onclick = function() { search(); };\n"
	"}\n"
	"function search() {\n"
	"  var fs = document.querySelectorAll('g.f'), term = null, re = null, iv = [], sum = 0, end = -1;\n"
	"  var m = document.getElementById('matched'), b = document.getElementById('search');\n"
	"  if (b.textContent == 'Search') { term = prompt('Search (regular expression)', ''); }\n"
	"  if (term) { try { re = new RegExp(term); } catch (e) { alert(e); return; } }\n"
	"  for (var i = 0; i < fs.length; i++) {\n"
	"    var g = fs[i], r = g.querySelector('rect');\n"
	"    var name = g.querySelector('title').textContent.replace(/ \\([^()]*\\)$/, '');\n"
	"    if (!r.getAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));\n"
	"    var hit = re && re.test(name);\n"
	"    r.setAttribute('fill', hit ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));\n"
	"    if (hit) iv.push([+g.getAttribute('data-s'), +g.getAttribute('data-s') + +g.getAttribute('data-n')]);\n"
	"  }\n"
	"  /* matched samples: the union of the matching frames' ranges */\n"
	"  iv.sort(function(a, b) { return a[0] - b[0]; });\n"
	"  for (var i = 0; i < iv.length; i++) {\n"
	"    if (iv[i][1] <= end) continue;\n"
	"    sum += iv[i][1] - Math.max(iv[i][0], end); end = iv[i][1];\n"
	"  }\n"
	"  b.textContent = re ? 'Reset Search' : 'Search';\n"
	"  m.textContent = re ? 'Matched: ' + (100 * sum / TOTAL).toFixed(1) + '%' : '';\n"
	"}\n"
	"function fit(g, w) {\n"
	"  var t = g.querySelector('text'), name = g.querySelector('title').textContent;\n"
	"  name = name.replace(/ \\([^()]*\\)$/, '');\n"
	"  var n = Math.floor((w - 6) / 7);\n"
	"  t.textContent = n >= name.length ? name : n >= 3 ? name.substr(0, n - 2) + '..' : '';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var s0 = z ? +z.getAttribute('data-s') : 0, n0 = z ? +z.getAttribute('data-n') : TOTAL;\n"
	"  var d0 = z ? +z.getAttribute('data-d') : 0, sc = (W - 2 * PAD) / n0;\n"
	"  var fs = document.querySelectorAll('g.f');\n"
	"  for (var i = 0; i < fs.length; i++) {\n"
	"    var g = fs[i], s = +g.getAttribute('data-s'), n = +g.getAttribute('data-n');\n"
	"    var d = +g.getAttribute('data-d'), r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"    var x, w;\n"
	"    if (d < d0 && s <= s0 && s + n >= s0 + n0) { x = PAD; w = W - 2 * PAD; g.style.opacity = 0.6; }\n"
	"    else if (s >= s0 && s + n <= s0 + n0 && d >= d0) { x = PAD + (s - s0) * sc; w = n * sc; g.style.opacity = 1; }\n"
	"    else { g.style.display = 'none'; continue; }\n"
	"    g.style.display = ''; r.setAttribute('x', x.toFixed(1)); r.setAttribute('width', w.toFixed(1));\n"
	"    t.setAttribute('x', (x + 3).toFixed(1)); fit(g, w);\n"
	"  }\n"
	"  document.getElementById('reset').style.opacity = z ? 1 : 0;\n"
	"}\n"
	"]]></script>\n";

int bee_flame__write_svg(const struct bee_flame *f, FILE *out, const struct bee_flame_opts *opts)
{
	const char *title = "Flame Graph", *subtitle = NULL, *unit = "samples";
	unsigned width = 1200, fh = 16;
	struct svg g = {};

#define OPT(field) (opts && opts->sz > offsetof(struct bee_flame_opts, field) && opts->field)
	if (OPT(title))
		title = opts->title;
	if (OPT(subtitle))
		subtitle = opts->subtitle;
	if (OPT(width))
		width = opts->width;
	if (OPT(frame_height))
		fh = opts->frame_height;
	if (OPT(unit))
		unit = opts->unit;
#undef OPT
	g.out = out;
	g.fh = fh;
	g.xpad = 10;
	g.total = f->root.count;
	g.unit = unit;
	g.scale = g.total ? (width - 2 * g.xpad) / (double)g.total : 0;
	g.height = (f->max_depth + 1) * fh + 32 + 56;

	fprintf(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		     "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		     "height=\"%u\" viewBox=\"0 0 %u %u\" onload=\"init(evt)\" data-w=\"%u\" "
		     "data-pad=\"%.0f\" data-total=\"%" PRIu64 "\">\n",
		width, g.height, width, g.height, width, g.xpad, g.total);
	fputs("<style type=\"text/css\">text { font-family: Verdana, sans-serif; font-size: 12px; "
	      "fill: rgb(0,0,0); } g.f:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; } "
	      "g.f { cursor: pointer; } #title { font-size: 17px; } #reset, #search { cursor: pointer; }"
	      "</style>\n",
	      out);
	fputs(svg_script, out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"rgb(248,248,248)\"/>\n",
		width, g.height);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"24\" text-anchor=\"middle\">", width / 2);
	xml_text(out, title, (size_t)-1);
	fputs("</text>\n", out);
	if (subtitle) {
		fprintf(out, "<text x=\"%u\" y=\"44\" text-anchor=\"middle\" fill=\"rgb(120,120,120)\">",
			width / 2);
		xml_text(out, subtitle, (size_t)-1);
		fputs("</text>\n", out);
	}
	fprintf(out, "<text id=\"reset\" x=\"10\" y=\"24\" style=\"opacity:0\">Reset Zoom</text>\n");
	fprintf(out, "<text id=\"search\" x=\"%u\" y=\"24\" text-anchor=\"end\">Search</text>\n",
		width - 10);
	fprintf(out, "<text id=\"matched\" x=\"%u\" y=\"%u\" text-anchor=\"end\"></text>\n",
		width - 10, g.height - 10);
	fprintf(out, "<text x=\"10\" y=\"%u\">%" PRIu64 " %s</text>\n", g.height - 10, g.total, unit);
	if (g.total)
		svg_frame(&g, &f->root, 0, 0);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
