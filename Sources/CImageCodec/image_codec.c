// Thin glue over libpng's simplified API and libjpeg(-turbo): decode to RGBA, encode from RGBA. libjpeg
// reports errors by longjmp, which Swift cannot catch, hence C.
#include "image_codec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

void sb_free(void *pointer) { free(pointer); }

int sb_png_decode(const unsigned char *data, size_t size, sb_image *out) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) return 1;
    if ((size_t)image.width * image.height > SB_MAX_PIXELS || image.width == 0 || image.height == 0) {
        png_image_free(&image);
        return 2;
    }
    image.format = PNG_FORMAT_RGBA;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) {
        png_image_free(&image);
        return 3;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        free(pixels);
        return 4;
    }
    out->pixels = pixels;
    out->width = (int)image.width;
    out->height = (int)image.height;
    return 0;
}

int sb_png_encode(const sb_image *source, unsigned char **out, size_t *out_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)source->width;
    image.height = (png_uint_32)source->height;
    image.format = PNG_FORMAT_RGBA;
    png_alloc_size_t size = 0;
    if (!png_image_write_get_memory_size(image, size, 0, source->pixels, 0, NULL)) return 1;
    unsigned char *buffer = malloc(size);
    if (!buffer) return 2;
    if (!png_image_write_to_memory(&image, buffer, &size, 0, source->pixels, 0, NULL)) {
        free(buffer);
        return 3;
    }
    *out = buffer;
    *out_size = size;
    return 0;
}

struct sb_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
};

static void sb_jpeg_fail(j_common_ptr info) { longjmp(((struct sb_jpeg_error *)info->err)->jump, 1); }
static void sb_jpeg_quiet(j_common_ptr info) { (void)info; }

int sb_jpeg_decode(const unsigned char *data, size_t size, sb_image *out) {
    struct jpeg_decompress_struct info;
    struct sb_jpeg_error error;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = sb_jpeg_fail;
    error.manager.output_message = sb_jpeg_quiet;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK) longjmp(error.jump, 1);
    if ((size_t)info.image_width * info.image_height > SB_MAX_PIXELS) longjmp(error.jump, 1);
    info.out_color_space = JCS_EXT_RGBA;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 4;
    pixels = malloc(stride * info.output_height);
    if (!pixels) longjmp(error.jump, 1);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    out->pixels = pixels;
    out->width = (int)info.output_width;
    out->height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    return 0;
}

int sb_jpeg_encode(const sb_image *image, int quality, unsigned char **out, size_t *out_size) {
    struct jpeg_compress_struct info;
    struct sb_jpeg_error error;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = sb_jpeg_fail;
    error.manager.output_message = sb_jpeg_quiet;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)image->width;
    info.image_height = (JDIMENSION)image->height;
    info.input_components = 4;
    info.in_color_space = JCS_EXT_RGBA;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)image->width * 4;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = image->pixels + stride * info.next_scanline;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_size = size;
    return 0;
}
