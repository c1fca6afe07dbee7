/* `skiff keygen`: libzmq generates the pair so the host and its peers agree
 * on the encoding (Z85) without any crypto code of our own. */
#include "keygen.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

int sk_keygen_pair(char public_key[SK_Z85_KEY_LEN], char secret_key[SK_Z85_KEY_LEN])
{
    if (!zmq_has("curve"))
        return -ENOTSUP;
    if (zmq_curve_keypair(public_key, secret_key) != 0)
        return -(zmq_errno() ? zmq_errno() : EIO);
    return 0;
}

int sk_keygen_print(FILE *out)
{
    char pub[SK_Z85_KEY_LEN], sec[SK_Z85_KEY_LEN];
    int rc = sk_keygen_pair(pub, sec);
    if (rc)
        return rc;
    /* Z85 has no quote or backslash, so double quotes need no escaping, and
     * they keep YAML from reading characters such as '#' or ':'. */
    int n = fprintf(out,
                    "# CURVE key pair for one skiff host (made by `skiff keygen`).\n"
                    "# Paste into that host's config and keep secret_key private.\n"
                    "# Hosts this one connects to list its public key in their\n"
                    "# `bus.authorized_keys`; hosts that connect to this one give it as\n"
                    "# `server_key` of their `bus.connect` entry.\n"
                    "bus:\n"
                    "  curve:\n"
                    "    public_key: \"%s\"\n"
                    "    secret_key: \"%s\"\n",
                    pub, sec);
    memset(sec, 0, sizeof sec);
    if (n < 0 || fflush(out) != 0)
        return -EIO;
    return 0;
}
