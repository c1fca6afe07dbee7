/* A pod's quality of service class, which the API sets on create. */
#include <string.h>

#include "jutil.h"
#include "pod_defaults.h"

/* Guaranteed when every container sets cpu and memory limits equal to its
 * requests (requests default to limits); BestEffort when none sets any
 * request or limit; Burstable otherwise. */
const char *sk_pod_qos_class(const json_t *spec)
{
    bool any = false, guaranteed = true;
    size_t i;
    json_t *c;
    static const char *const lists[] = {"containers", "initContainers"};
    for (size_t l = 0; l < 2; l++) {
        json_array_foreach(json_object_get(spec, lists[l]), i, c)
        {
            json_t *lim = sk_jget(c, "resources.limits"), *req = sk_jget(c, "resources.requests");
            if (json_object_size(lim) || json_object_size(req))
                any = true;
            static const char *const res[] = {"cpu", "memory"};
            for (size_t r = 0; r < 2; r++) {
                json_t *lv = json_object_get(lim, res[r]), *rv = json_object_get(req, res[r]);
                if (!lv || (rv && !json_equal(lv, rv)))
                    guaranteed = false;
            }
        }
    }
    if (!any)
        return "BestEffort";
    return guaranteed ? "Guaranteed" : "Burstable";
}
