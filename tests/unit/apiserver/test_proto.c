/* Kubernetes protobuf request bodies -> JSON (core/proto.c), on bodies
 * captured from kubectl's imperative generators, and on broken ones. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "proto.h"
#include "proto_vectors.h"
#include "test_util.h"

static void t_configmap(void)
{
    json_t *o = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_proto_decode(pb_configmap, sizeof pb_configmap, &o, NULL), 0);
    TJ_EQ(o, "{\"metadata\":{\"name\":\"cm1\"},\"data\":{\"a\":\"b\",\"c\":\"d\"},"
             "\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\"}");
    json_decref(o);
}

static void t_service(void)
{
    json_t *o = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_proto_decode(pb_service, sizeof pb_service, &o, NULL), 0);
    TJ_EQ(o, "{\"metadata\":{\"name\":\"svc2\",\"labels\":{\"app\":\"svc2\"}},\"spec\":"
             "{\"ports\":[{\"name\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,"
             "\"targetPort\":8080,\"nodePort\":30080}],\"selector\":{\"app\":\"svc2\"},"
             "\"type\":\"NodePort\"},\"kind\":\"Service\",\"apiVersion\":\"v1\"}");
    json_decref(o);
}

static void t_deployment(void)
{
    json_t *o = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_proto_decode(pb_deployment, sizeof pb_deployment, &o, NULL), 0);
    TJ_EQ(o, "{\"metadata\":{\"name\":\"d1\",\"labels\":{\"app\":\"d1\"}},\"spec\":"
             "{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"d1\"}},\"template\":"
             "{\"metadata\":{\"labels\":{\"app\":\"d1\"}},\"spec\":{\"containers\":"
             "[{\"name\":\"nginx\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80}]}]}}},"
             "\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\"}");
    json_decref(o);
}

static void t_broken(void)
{
    json_t *o = NULL;
    sk_apierr err = {{0}};
    /* every truncation fails cleanly */
    for (size_t n = 0; n < sizeof pb_deployment; n++) {
        int rc = sk_proto_decode(pb_deployment, n, &o, &err);
        if (rc == 0) {
            json_decref(o); /* a cut at a field boundary is a valid, shorter body */
            o = NULL;
        } else {
            CU_ASSERT(rc == SK_EBADMSG || rc == -ENOTSUP);
            CU_ASSERT_PTR_NULL(o);
        }
    }
    /* an unknown kind, and an undescribed non-empty field */
    static const unsigned char job[] = {'k', '8', 's', 0, 0x0a, 0x0e, 0x0a, 0x07, 'b', 'a', 't',
                                        'c', 'h', '/', 'v', 0x12, 0x03, 'J', 'o', 'b'};
    CU_ASSERT_EQUAL(sk_proto_decode(job, sizeof job, &o, &err), -ENOTSUP);
    /* a ConfigMap with field 9 = 1, which ConfigMap does not have */
    static const unsigned char odd[] = {'k', '8', 's', 0, 0x0a, 0x0f, 0x0a, 0x02, 'v', '1',
                                        0x12, 0x09, 'C', 'o', 'n', 'f', 'i', 'g', 'M', 'a',
                                        'p', 0x12, 0x02, 0x48, 0x01};
    CU_ASSERT_EQUAL(sk_proto_decode(odd, sizeof odd, &o, &err), -ENOTSUP);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "field 9 of config_map"));
    CU_ASSERT_EQUAL(sk_proto_decode("nope", 4, &o, &err), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_proto_decode("k8s\0\xff\xff", 6, &o, &err), SK_EBADMSG);
}

/* Mutated bodies (deterministic): decoded or refused, never a crash. */
static void t_mutations(void)
{
    unsigned char buf[sizeof pb_deployment];
    uint32_t x = 12345;
    int decoded = 0;
    for (int i = 0; i < 20000; i++) {
        memcpy(buf, pb_deployment, sizeof buf);
        for (int k = 0; k < 1 + i % 4; k++) {
            x = x * 1103515245u + 12345u;
            size_t at = 4 + (x >> 8) % (sizeof buf - 4);
            x = x * 1103515245u + 12345u;
            buf[at] = (unsigned char)(x >> 16);
        }
        json_t *o = NULL;
        sk_apierr err;
        int rc = sk_proto_decode(buf, sizeof buf, &o, &err);
        CU_ASSERT(rc == 0 || rc == SK_EBADMSG || rc == -ENOTSUP);
        decoded += rc == 0;
        json_decref(o);
    }
    CU_ASSERT(decoded > 0);
}

int main(void)
{
    static const tcase cases[] = {
        {"configmap", t_configmap},
        {"service", t_service},
        {"deployment", t_deployment},
        {"broken bodies", t_broken},
        {"mutated bodies", t_mutations},
        {NULL, NULL},
    };
    return trun("apiserver-proto", cases);
}
