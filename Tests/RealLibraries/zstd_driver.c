/* zstd driver: keeps a compression and a decompression context live after one round trip
 * and prints what zstd itself says they hold (ZSTD_sizeof_CCtx / ZSTD_sizeof_DCtx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zstd.h"

int main(void)
{
	size_t n = 1 << 20;
	char *src = malloc(n);
	for (size_t i = 0; i < n; i++)
		src[i] = "alloctag zstd driver "[i % 21] + (char)(i / 4096 % 7);
	size_t cap = ZSTD_compressBound(n);
	char *dst = malloc(cap);
	char *back = malloc(n);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	size_t c = ZSTD_compressCCtx(cctx, dst, cap, src, n, 3);
	size_t d = ZSTD_decompressDCtx(dctx, back, n, dst, c);
	if (ZSTD_isError(c) || ZSTD_isError(d) || d != n || memcmp(src, back, n) != 0) {
		puts("round trip failed");
		return 1;
	}
	printf("round_trip=ok compressed=%zu zstd_bytes=%zu\n", c, ZSTD_sizeof_CCtx(cctx) + ZSTD_sizeof_DCtx(dctx));
	return 0;
}
