#include "api_err.h"

#include <stdarg.h>
#include <stdio.h>

int sk_apierr_set(sk_apierr *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *sk_apierr_msg(const sk_apierr *e)
{
    return e ? e->msg : "";
}
