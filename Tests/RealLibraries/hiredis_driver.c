/* Drives hiredis's sds strings and reply reader through tagger cc's instrumented build. */
#include <stdio.h>
#include <string.h>
#include "sds.h"
#include "hiredis.h"

int main(void)
{
	static sds keep[2000];
	for (int i = 0; i < 2000; i++) {
		keep[i] = sdsnew("key:");
		keep[i] = sdscatprintf(keep[i], "%d:%s", i, "payload-payload-payload");
	}
	redisReader *r = redisReaderCreate();
	const char *wire = "*3\r\n$3\r\nfoo\r\n$5\r\nhello\r\n:42\r\n";
	void *reply = NULL;
	for (int i = 0; i < 200; i++) {
		redisReaderFeed(r, wire, strlen(wire));
		if (redisReaderGetReply(r, &reply) != REDIS_OK || reply == NULL)
			return 1;
		if (i % 2)
			freeReplyObject(reply);  /* half stay live */
	}
	printf("sds=%zu reader=%p\n", sdslen(keep[1999]), (void *)r);
	return 0;
}
