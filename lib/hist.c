// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Histograms printed the way BCC's print_log2_hist / print_linear_hist do. */
#include <stdio.h>

#include "internal.h"

#define STARS_MAX 40

static void stars(FILE *out, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)val * width / max) : 0;
	bool more = val > max;

	if (n > width)
		n = width;
	for (int i = 0; i < n; i++)
		fputc('*', out);
	for (int i = n; i < width; i++)
		fputc(' ', out);
	if (more)
		fputc('+', out);
}

void bee_hist_print_log2(FILE *out, const uint64_t *slots, size_t n, const char *val_type)
{
	int idx_max = -1, stars_max = STARS_MAX;
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++) {
		if (slots[i])
			idx_max = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (idx_max < 0) {
		fprintf(out, "     (no values)\n");
		return;
	}
	/* wide columns once the values pass 32 bits, as BCC does */
	bool wide = idx_max > 32;
	if (wide)
		fprintf(out, "%*s%-*s : count     distribution\n", 15, "", 14, val_type ? val_type : "value");
	else
		fprintf(out, "%*s%-*s : count    distribution\n", 5, "", 19, val_type ? val_type : "value");
	for (int i = 0; i <= idx_max; i++) {
		uint64_t low = (1ULL << (i + 1)) >> 1, high = (1ULL << (i + 1)) - 1;
		if (i == 63)
			high = UINT64_MAX;
		if (low == high)
			low -= 1;
		if (wide)
			fprintf(out, "%20llu -> %-20llu : %-8llu |", (unsigned long long)low,
				(unsigned long long)high, (unsigned long long)slots[i]);
		else
			fprintf(out, "%10llu -> %-10llu : %-8llu |", (unsigned long long)low,
				(unsigned long long)high, (unsigned long long)slots[i]);
		stars(out, slots[i], max, stars_max);
		fputs("|\n", out);
	}
}

void bee_hist_print_linear(FILE *out, const uint64_t *slots, size_t n, const char *val_type,
			   uint64_t base, uint64_t step)
{
	int idx_min = -1, idx_max = -1;
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++) {
		if (slots[i]) {
			if (idx_min < 0)
				idx_min = i;
			idx_max = i;
		}
		if (slots[i] > max)
			max = slots[i];
	}
	if (idx_max < 0) {
		fprintf(out, "     (no values)\n");
		return;
	}
	fprintf(out, "     %-13s : count     distribution\n", val_type ? val_type : "value");
	for (int i = idx_min; i <= idx_max; i++) {
		fprintf(out, "        %-10llu : %-8llu |", (unsigned long long)(base + i * step),
			(unsigned long long)slots[i]);
		stars(out, slots[i], max, STARS_MAX);
		fputs("|\n", out);
	}
}

void bee_hist_print_json(FILE *out, const uint64_t *slots, size_t n, bool log2, uint64_t base,
			 uint64_t step)
{
	bool first = true;

	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		uint64_t low, high;

		if (!slots[i])
			continue;
		if (log2) {
			low = i ? 1ULL << i : 0;
			high = i == 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
		} else {
			low = base + i * step;
			high = low + (step ? step - 1 : 0);
		}
		fprintf(out, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",",
			(unsigned long long)low, (unsigned long long)high, (unsigned long long)slots[i]);
		first = false;
	}
	fputc(']', out);
}
