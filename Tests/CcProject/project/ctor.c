#include <string.h>
#include "api.h"

struct str *str_new(struct state *s, const char *text)
{
	struct str *o = obj_new(s, 1, sizeof *o + strlen(text) + 1);
	strcpy(o->text, text);
	return o;
}
