/* The inputs of a compilation (see inputs.h). */
#include "inputs.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"

static int directory_digest(const char *path, unsigned char out[SHA256_LEN])
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	struct sha256 s;
	sha256_init(&s);
	for (int i = 0; i < n; i++) {
		sha256_update(&s, names[i]->d_name, strlen(names[i]->d_name) + 1);
		free(names[i]);
	}
	free(names);
	sha256_final(&s, out);
	return 0;
}

int input_digest(const char *path, unsigned char out[SHA256_LEN])
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return directory_digest(path, out);
	size_t len;
	char *text = file_read_all(path, &len);
	if (!text)
		return -1;
	sha256_of(text, len, out);
	free(text);
	return 0;
}

void input_log_add(struct input_log *log, const char *path)
{
	if (!log)
		return;
	for (struct input_file *f = log->head; f; f = f->next)
		if (!strcmp(f->path, path))
			return;
	struct input_file *f = arena_alloc(log->arena, sizeof(*f));
	f->path = arena_strdup(log->arena, path);
	if (input_digest(path, f->digest) < 0) {
		log->failed = true;
		return;
	}
	f->next = log->head;
	log->head = f;
	log->n++;
}
