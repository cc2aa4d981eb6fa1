/* More sites than the runtime's type table holds (TYPE_SITES = 4096 in internal.h): 5000
 * tags, one "Fake.A" (24 bytes) each through swift_allocObject (fake_swift.c stands in for
 * the Swift runtime), from two threads at once, after one site with 12 types (T0 once ... T11
 * 12 times, 16 bytes each: T0..T7 named, T8..T11's 42 instances as "<other types>").  Writes the extended report to standard output; run.sh checks that
 * every instance is either on a site's type line or in "# types not recorded:", never lost. */
#include <alloc_tag/alloc_tag.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define SITES 5000
static struct alloc_tag tags[SITES] __attribute__((used, retain, section("alloc_tags"), aligned(8))) = {
	[0 ... SITES - 1] = { { CODETAG_MAGIC, 0, 20, 0, 0, "site", "table_full.c" } }
};

void *swift_allocObject(const void *metadata, size_t size, size_t align_mask);

static const char *const type_a = "Fake.A";
static const char *const names[12] = { "T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11" };

static void *half(void *arg)
{
	for (int i = (int)(intptr_t)arg; i < SITES; i += 2)
		alloc_hooks_tag(&tags[i], swift_allocObject(&type_a, 24, 7));
	return NULL;
}

int main(void)
{
	DEFINE_ALLOC_TAG(many_types_tag);
	pthread_t a, b;
	for (int i = 0; i < 12; i++)
		for (int k = 0; k <= i; k++)
			alloc_hooks_tag(&many_types_tag, swift_allocObject(&names[i], 16, 7));
	pthread_create(&a, NULL, half, (void *)0);
	pthread_create(&b, NULL, half, (void *)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return alloc_tag_report_extended_fd(1) == 0 ? 0 : 1;
}
