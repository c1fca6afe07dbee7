/* Cells shared by many kinds. */
#include "k8s_time.h"
#include "jutil.h"
#include "printers.h"

json_t *sk_cell_age(const json_t *obj, const sk_cell_ctx *ctx)
{
    char buf[32];
    sk_age(sk_jstr(obj, "metadata.creationTimestamp"), ctx->now, buf, sizeof buf);
    return json_string(buf);
}
