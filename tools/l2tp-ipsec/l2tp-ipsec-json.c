// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec: a small streaming JSON writer. Compact output has no spaces
 * ({"a":1,"b":[1,2]}); pretty output puts one member per line, indented by four
 * spaces, with ": " after keys, like python's json.dumps(indent=4). A newline
 * follows the top-level value.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "l2tp-ipsec.h"

void lipsec_json_init(struct lipsec_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void indent(struct lipsec_json *j)
{
	int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("    ", j->f);
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void lipsec_json_quote(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

/* Separator, indentation and key before a value at the current depth. */
static void member(struct lipsec_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->pretty && j->depth)
		indent(j);
	j->first[j->depth] = false;
	if (key) {
		lipsec_json_quote(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void top_end(struct lipsec_json *j)
{
	if (!j->depth) {
		fputc('\n', j->f);
		j->first[0] = true;
	}
}

static void nest_open(struct lipsec_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < LIPSEC_JSON_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void nest_close(struct lipsec_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (j->pretty && !empty)
		indent(j);
	fputc(c, j->f);
	top_end(j);
}

void lipsec_json_obj_open(struct lipsec_json *j, const char *key)
{
	nest_open(j, key, '{');
}

void lipsec_json_obj_close(struct lipsec_json *j)
{
	nest_close(j, '}');
}

void lipsec_json_arr_open(struct lipsec_json *j, const char *key)
{
	nest_open(j, key, '[');
}

void lipsec_json_arr_close(struct lipsec_json *j)
{
	nest_close(j, ']');
}

void lipsec_json_str(struct lipsec_json *j, const char *key, const char *s)
{
	member(j, key);
	lipsec_json_quote(j->f, s);
	top_end(j);
}

void lipsec_json_uint(struct lipsec_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
	top_end(j);
}

void lipsec_json_int(struct lipsec_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
	top_end(j);
}

void lipsec_json_bool(struct lipsec_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
	top_end(j);
}
