/* Continue tokens of paginated lists: opaque to clients, they carry the
 * revision of the first page (later pages read the same snapshot) and
 * the last key returned, relative to the list's prefix, so a token can
 * never point outside the collection it came from. */
#ifndef AP_LIST_TOKEN_H
#define AP_LIST_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd base64 text, or NULL on ENOMEM. */
char *ap_token_encode(int64_t rev, const char *key_suffix, size_t n);
/* Decodes tok for the list at prefix: *rev, and the key to start from
 * (prefix + suffix + "\0") in start. 0 or -1 when malformed. */
int ap_token_decode(const char *tok, const char *prefix, size_t plen, int64_t *rev,
                    char *start, size_t size, size_t *start_len);

#endif
