/* The flame graph: folded paths merged into a tree of frames, drawn as in
 * the usual flame graphs: the root at the bottom, each frame as wide as its
 * samples, children in name order. */
#include "flamegraph.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "folded.h"
#include "map_read.h"

enum { IMAGE_WIDTH = 1200, XPAD = 10, FRAME_HEIGHT = 16, FONT_SIZE = 12 };
#define FONT_WIDTH 0.59  /* average glyph width per font size unit */
#define MIN_WIDTH 0.1    /* frames narrower than this (pixels) are not drawn */
#define TITLE_Y (FONT_SIZE * 2)
#define TOP_PAD (FONT_SIZE * 3)
#define BOTTOM_PAD (FONT_SIZE * 2 + 10)

struct frame_node {
	const char *name;
	uint64_t samples;
	struct frame_node *child, *next; /* first child; next sibling (name order) */
};

struct graph {
	struct arena arena;
	struct frame_node root;
	int depth; /* of the deepest frame; the root is 0 */
};

static struct frame_node *child_named(struct graph *g, struct frame_node *parent, const char *name, size_t n)
{
	struct frame_node **link = &parent->child;
	while (*link) {
		int c = strncmp((*link)->name, name, n);
		if (c == 0 && (*link)->name[n] == '\0')
			return *link;
		if (c > 0)
			break;
		link = &(*link)->next;
	}
	struct frame_node *node = arena_alloc(&g->arena, sizeof(*node));
	node->name = arena_strndup(&g->arena, name, n);
	node->next = *link;
	*link = node;
	return node;
}

/* Add `samples` along path ("a;b;c"), below `top` (the root or a map's frame). */
static void add_path(struct graph *g, struct frame_node *top, int top_depth, const char *path, uint64_t samples)
{
	struct frame_node *node = top;
	int depth = top_depth;

	node->samples += samples;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ";");
		node = child_named(g, node, p, n);
		node->samples += samples;
		depth++;
		p += n + (p[n] == ';');
	}
	if (depth > g->depth)
		g->depth = depth;
}

static void xml_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], f);
		}
	}
}

/* A warm colour that depends on the name only, so that a frame keeps its
 * colour from one graph to the next. */
static void frame_colour(FILE *f, const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	fprintf(f, "rgb(%u,%u,%u)", 205 + (h & 0xff) * 50 / 255, ((h >> 8) & 0xff) * 230 / 255,
		((h >> 16) & 0xff) * 55 / 255);
}

/* The label of a frame w pixels wide: the name, cut with ".." to fit. */
static void frame_label(FILE *f, const char *name, double w)
{
	size_t fit = (size_t)((w - 6) / (FONT_SIZE * FONT_WIDTH) > 0 ? (w - 6) / (FONT_SIZE * FONT_WIDTH) : 0);
	size_t n = strlen(name);

	if (fit < 3)
		return;
	if (n <= fit) {
		xml_text(f, name, n);
		return;
	}
	xml_text(f, name, fit - 2);
	fputs("..", f);
}

struct layout {
	FILE *f;
	uint64_t total;
	double scale;  /* pixels per sample */
	int height;    /* of the image */
};

static void draw(const struct layout *l, const struct frame_node *node, int depth, double x)
{
	double w = (double)node->samples * l->scale;
	if (w < MIN_WIDTH)
		return;
	double y = l->height - BOTTOM_PAD - (depth + 1) * FRAME_HEIGHT;
	FILE *f = l->f;

	fputs("<g class=\"frame\"><title>", f);
	xml_text(f, node->name, strlen(node->name));
	fprintf(f, " (%" PRIu64 " sample%s, %.2f%%)</title>", node->samples, node->samples == 1 ? "" : "s",
		100.0 * (double)node->samples / (double)l->total);
	fprintf(f, "<rect x=\"%.4f\" y=\"%.1f\" width=\"%.4f\" height=\"%d\" fill=\"", x, y, w, FRAME_HEIGHT - 1);
	frame_colour(f, node->name);
	fprintf(f, "\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">", x + 3, y + FRAME_HEIGHT - 5.5);
	frame_label(f, node->name, w);
	fputs("</text></g>\n", f);
	for (const struct frame_node *c = node->child; c; c = c->next) {
		draw(l, c, depth + 1, x);
		x += (double)c->samples * l->scale;
	}
}

/* Zoom: a click on a frame makes it the full width, its descendants
 * scaled with it, its ancestors full width and dimmed, the rest hidden.
 * Search: frames whose name matches a regular expression turn purple and
 * the share of samples they cover is shown. */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"var W = %d, XPAD = %d, FONT = %d, FW = %g, svg = document.documentElement;\n"
	"var details = document.getElementById('details'), matched = document.getElementById('matched');\n"
	"function frames() { return document.querySelectorAll('g.frame'); }\n"
	"function rect(g) { return g.querySelector('rect'); }\n"
	"function name(g) { return g.querySelector('title').textContent.replace(/ \\([0-9]+ samples?, [0-9.]+%%\\)$/, ''); }\n"
	"function orig(g, a) { var r = rect(g); if (!r.hasAttribute('data-' + a)) r.setAttribute('data-' + a, r.getAttribute(a));\n"
	"  return parseFloat(r.getAttribute('data-' + a)); }\n"
	"function label(g) { var r = rect(g), t = g.querySelector('text'), w = parseFloat(r.getAttribute('width'));\n"
	"  var n = name(g), fit = Math.floor((w - 6) / (FONT * FW));\n"
	"  t.setAttribute('x', parseFloat(r.getAttribute('x')) + 3);\n"
	"  t.textContent = fit < 3 ? '' : n.length <= fit ? n : n.substring(0, fit - 2) + '..'; }\n"
	"function place(g, x, w, cls) { var r = rect(g); r.setAttribute('x', x); r.setAttribute('width', w);\n"
	"  g.setAttribute('class', 'frame' + cls); label(g); }\n"
	"function zoom(z) { var zx = orig(z, 'x'), zw = orig(z, 'width'), zy = orig(z, 'y'), s = (W - 2 * XPAD) / zw;\n"
	"  frames().forEach(function (g) { var x = orig(g, 'x'), w = orig(g, 'width'), y = orig(g, 'y');\n"
	"    if (y > zy && x <= zx + 1e-6 && x + w >= zx + zw - 1e-6) place(g, XPAD, W - 2 * XPAD, ' parent');\n"
	"    else if (y <= zy && x >= zx - 1e-6 && x + w <= zx + zw + 1e-6) place(g, XPAD + (x - zx) * s, w * s, '');\n"
	"    else place(g, x, w, ' hide'); });\n"
	"  document.getElementById('unzoom').setAttribute('class', ''); }\n"
	"function unzoom() { frames().forEach(function (g) { place(g, orig(g, 'x'), orig(g, 'width'), ''); });\n"
	"  document.getElementById('unzoom').setAttribute('class', 'hide'); }\n"
	"function search(re) { var hit = {}, total = 0;\n"
	"  frames().forEach(function (g) { var r = rect(g); if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));\n"
	"    var m = re !== null && re.test(name(g)); r.setAttribute('fill', m ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));\n"
	"    if (m) { var x = orig(g, 'x'), w = orig(g, 'width'), inside = false;\n"
	"      for (var k in hit) if (x >= +k - 1e-6 && x + w <= +k + hit[k] + 1e-6) inside = true;\n"
	"      if (!inside) { hit[x] = w; total += w; } } });\n"
	"  matched.textContent = re === null ? '' : 'Matched: ' + (100 * total / (W - 2 * XPAD)).toFixed(1) + '%%'; }\n"
	"svg.addEventListener('click', function (e) { var g = e.target.closest('g.frame');\n"
	"  if (g) { zoom(g); return; }\n"
	"  if (e.target.id === 'unzoom') unzoom();\n"
	"  if (e.target.id === 'search') { var s = prompt('Search for (regular expression):', '');\n"
	"    if (s === null) return; try { search(s === '' ? null : new RegExp(s)); } catch (err) { alert(err); } } });\n"
	"svg.addEventListener('mouseover', function (e) { var g = e.target.closest('g.frame');\n"
	"  details.textContent = g ? g.querySelector('title').textContent : ' '; });\n"
	"]]></script>\n";

static void write_svg(FILE *f, const struct graph *g)
{
	struct layout l = {
		.f = f,
		.total = g->root.samples,
		.scale = g->root.samples ? (double)(IMAGE_WIDTH - 2 * XPAD) / (double)g->root.samples : 0,
		.height = (g->depth + 1) * FRAME_HEIGHT + TOP_PAD + BOTTOM_PAD,
	};

	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n",
		IMAGE_WIDTH, l.height, IMAGE_WIDTH, l.height);
	fprintf(f, "<style type=\"text/css\">text { font-family: Verdana, sans-serif; font-size: %dpx; fill: #000; }\n"
		"#title { text-anchor: middle; font-size: %dpx; } .hide { display: none; } .parent { opacity: 0.5; }\n"
		"#unzoom, #search { cursor: pointer; } g.frame { cursor: pointer; }\n"
		"g.frame:hover rect { stroke: #000; stroke-width: 0.5; }</style>\n",
		FONT_SIZE, FONT_SIZE + 5);
	fprintf(f, script, IMAGE_WIDTH, XPAD, FONT_SIZE, FONT_WIDTH);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,238)\"/>\n", IMAGE_WIDTH,
		l.height);
	fprintf(f, "<text id=\"title\" x=\"%d\" y=\"%d\">Flame Graph</text>\n", IMAGE_WIDTH / 2, TITLE_Y);
	fprintf(f, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%d\">Reset Zoom</text>\n", XPAD, TITLE_Y);
	fprintf(f, "<text id=\"search\" x=\"%d\" y=\"%d\" text-anchor=\"end\">Search</text>\n", IMAGE_WIDTH - XPAD,
		TITLE_Y);
	fprintf(f, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n", IMAGE_WIDTH - XPAD,
		l.height - FONT_SIZE);
	fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", XPAD, l.height - FONT_SIZE);
	if (l.total)
		draw(&l, &g->root, 0, XPAD);
	else
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">No samples</text>\n", IMAGE_WIDTH / 2,
			l.height - BOTTOM_PAD - FRAME_HEIGHT / 2);
	fputs("</svg>\n", f);
}

/* Add the entries of map m below top. */
static int add_map(struct graph *g, struct output *o, const struct map_desc *m, int fd, struct frame_node *top,
		   int top_depth)
{
	struct map_snapshot s;
	int err = map_snapshot_read(&s, m, fd, o->ncpus);

	for (size_t i = 0; !err && i < s.n; i++) {
		uint64_t samples;
		if (!folded_count(m, &s.entries[i], 0, &samples))
			continue;
		char *path = folded_path(o, m, &s.entries[i]);
		if (path)
			add_path(g, top, top_depth, path, samples);
		free(path);
	}
	map_snapshot_free(&s);
	return err;
}

bool flamegraph_has_maps(const struct compiled_program *prog)
{
	for (int i = 0; i < prog->nmaps; i++)
		if (!folded_unusable(&prog->maps[i]))
			return true;
	return false;
}

long long flamegraph_write(FILE *f, struct output *o, const struct compiled_program *prog, const int *map_fds)
{
	struct graph g = { .root.name = "all" };
	int usable = 0, err = 0;

	for (int i = 0; i < prog->nmaps; i++)
		usable += !folded_unusable(&prog->maps[i]);
	for (int i = 0; i < prog->nmaps && !err; i++) {
		const struct map_desc *m = &prog->maps[i];
		if (folded_unusable(m))
			continue;
		struct frame_node *top = usable > 1 ? child_named(&g, &g.root, m->name, strlen(m->name)) : &g.root;
		uint64_t before = top->samples;
		err = add_map(&g, o, m, map_fds[i], top, usable > 1);
		if (top != &g.root)
			g.root.samples += top->samples - before;
	}
	if (!err)
		write_svg(f, &g);
	long long total = (long long)g.root.samples;
	arena_free(&g.arena);
	return err ? -1 : total;
}
