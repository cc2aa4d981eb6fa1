/* cmark-gfm driver: a parsed document kept live (its nodes, their text chunks) and rendered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmark-gfm.h"

int main(void)
{
	char doc[1 << 16];
	size_t len = 0;
	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(doc + len, sizeof doc - len, "# Title %d\n\nSome *emphasis* and `code` in [a link](http://x/%d).\n\n- item\n- item %d\n\n", i, i, i);
	cmark_node *root = cmark_parse_document(doc, len, CMARK_OPT_DEFAULT);
	char *html = cmark_render_html(root, CMARK_OPT_DEFAULT, NULL);
	int nodes = 0;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;)
		nodes += ev == CMARK_EVENT_ENTER;
	cmark_iter_free(it);
	printf("nodes=%d html_ok=%d\n", nodes, strstr(html, "<h1>Title 199</h1>") != NULL);
	return 0;
}
