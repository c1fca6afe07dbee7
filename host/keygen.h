/* CURVE key pairs for the bus's TCP links (`skiff keygen`). */
#ifndef SKIFF_HOST_KEYGEN_H
#define SKIFF_HOST_KEYGEN_H

#include <stdio.h>

/* Z85 text of a CURVE key: 40 characters plus NUL. */
#define SK_Z85_KEY_LEN 41

/* Fresh key pair from libzmq's CSPRNG. 0, -ENOTSUP when libzmq was built
 * without CURVE, or -errno. */
int sk_keygen_pair(char public_key[SK_Z85_KEY_LEN], char secret_key[SK_Z85_KEY_LEN]);

/* Prints a new pair as a YAML snippet for the bus section. 0 or -errno. */
int sk_keygen_print(FILE *out);

#endif
