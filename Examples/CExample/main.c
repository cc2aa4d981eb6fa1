/*
 * A small word-frequency table, instrumented by hand:
 *   - override.h tags every malloc-family call of this file at its own line;
 *   - table_grow() is an allocation helper following the kernel's _noprof recipe, so its
 *     allocations are charged to the lines that call table_grow(), not to its body.
 * Run it and it prints its /proc/allocinfo-style report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alloc_tag/override.h>

struct word {
	char *text;
	int count;
};

struct table {
	struct word *words;
	size_t used, capacity;
};

static int table_grow_noprof(struct table *t, size_t capacity)
{
	struct word *words = realloc_noprof(t->words, capacity * sizeof(*words));
	if (words == NULL)
		return -1;
	t->words = words;
	t->capacity = capacity;
	return 0;
}
#define table_grow(...) alloc_hooks(table_grow_noprof(__VA_ARGS__))

static void table_add(struct table *t, const char *text)
{
	for (size_t i = 0; i < t->used; i++) {
		if (strcmp(t->words[i].text, text) == 0) {
			t->words[i].count++;
			return;
		}
	}
	if (t->used == t->capacity && table_grow(t, t->capacity ? t->capacity * 2 : 4) != 0)
		abort();
	t->words[t->used].text = strdup(text);
	t->words[t->used].count = 1;
	t->used++;
}

int main(void)
{
	static const char *text =
		"the kernel tags every allocation call site with a static record "
		"and the record counts the live bytes of the site so the report names "
		"the line that holds the memory";
	struct table t = { 0 };
	char *copy = malloc(strlen(text) + 1);

	strcpy(copy, text);
	for (char *word = strtok(copy, " "); word != NULL; word = strtok(NULL, " "))
		table_add(&t, word);
	free(copy);

	printf("%zu distinct words\n", t.used);
	fflush(stdout);
	alloc_tag_report_fd(1);
	return 0;
}
