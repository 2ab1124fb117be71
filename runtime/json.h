/* The JSON writer (§10.7): escaped strings, exact numbers, records. Used by
 * everything that writes JSON output. */
#ifndef SONDE_JSON_H
#define SONDE_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string literal of n bytes of s, escaped per §10.7. */
void json_write_string(FILE *f, const char *s, size_t n);
/* The same for a NUL-terminated string. */
void json_write_cstr(FILE *f, const char *s);
/* A JSON number; quoted when not exactly representable as a double. */
void json_write_int(FILE *f, uint64_t bits, bool is_signed);

/* One output record is one line: `{"type": "TYPE", "data": DATA}`.
 * begin writes up to DATA, end what follows it. */
void json_record_begin(FILE *f, const char *type);
void json_record_end(FILE *f);
/* A record whose data is n bytes of text, as a string. */
void json_write_text_record(FILE *f, const char *type, const char *text, size_t n);

#endif
