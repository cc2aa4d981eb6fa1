/* brotli driver: an encoder and a decoder instance kept live after streaming one buffer
 * through each, so their internal tables stay allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <brotli/decode.h>
#include <brotli/encode.h>

int main(void)
{
	size_t n = 1 << 20;
	uint8_t *src = malloc(n);
	for (size_t i = 0; i < n; i++)
		src[i] = (uint8_t)("alloctag brotli driver "[i % 23] + i / 4096 % 5);
	size_t cap = BrotliEncoderMaxCompressedSize(n);
	uint8_t *dst = malloc(cap);
	uint8_t *back = malloc(n);
	BrotliEncoderState *enc = BrotliEncoderCreateInstance(NULL, NULL, NULL);
	BrotliEncoderSetParameter(enc, BROTLI_PARAM_QUALITY, 5);
	size_t in_left = n, out_left = cap;
	const uint8_t *in = src;
	uint8_t *out = dst;
	if (!BrotliEncoderCompressStream(enc, BROTLI_OPERATION_FINISH, &in_left, &in, &out_left, &out, NULL)) return 1;
	size_t c = cap - out_left;
	BrotliDecoderState *dec = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	size_t avail_in = c, avail_out = n;
	const uint8_t *next_in = dst;
	uint8_t *next_out = back;
	BrotliDecoderResult r = BrotliDecoderDecompressStream(dec, &avail_in, &next_in, &avail_out, &next_out, NULL);
	if (r != BROTLI_DECODER_RESULT_SUCCESS || avail_out != 0 || memcmp(src, back, n) != 0) {
		puts("round trip failed");
		return 1;
	}
	printf("round_trip=ok compressed=%zu finished=%d\n", c, BrotliEncoderIsFinished(enc));
	return 0;
}
