#ifndef SWIFTBASE_IMAGE_CODEC_H
#define SWIFTBASE_IMAGE_CODEC_H

#include <stddef.h>

/* An 8-bit RGBA image, rows top to bottom, no padding. `pixels` is malloc'ed; release with sb_free. */
typedef struct {
    unsigned char *pixels;
    int width;
    int height;
} sb_image;

/* Images larger than this many pixels are refused before any allocation (decompression bombs). */
#define SB_MAX_PIXELS (40 * 1000 * 1000)

/* Each returns 0 on success. Encoders allocate *out (release with sb_free). */
int sb_png_decode(const unsigned char *data, size_t size, sb_image *out);
int sb_png_encode(const sb_image *image, unsigned char **out, size_t *out_size);
int sb_jpeg_decode(const unsigned char *data, size_t size, sb_image *out);
int sb_jpeg_encode(const sb_image *image, int quality, unsigned char **out, size_t *out_size);
void sb_free(void *pointer);

#endif
