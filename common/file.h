/* Reading whole files. */
#ifndef SONDE_FILE_H
#define SONDE_FILE_H
#include <stddef.h>

/* Read a whole file into malloc'd memory (NUL-terminated; *len, when len is
 * not NULL, gets the length without the NUL). Reads until end of file rather
 * than trusting st_size, so it works for /proc and tracefs files, whose
 * st_size is 0. Returns NULL with errno set. */
char *file_read_all(const char *path, size_t *len);

#endif
