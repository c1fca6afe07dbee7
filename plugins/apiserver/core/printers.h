/* apiserver core — computed table cells (printers_*.c), for the columns
 * a JSONPath cannot express: READY "1/1", pod STATUS, AGE, PORT(S), ...
 * Each returns a new JSON value for one cell. */
#ifndef SK_PRINTERS_H
#define SK_PRINTERS_H

#include "registry.h"

/* shared */
json_t *sk_cell_age(const json_t *obj, const sk_cell_ctx *ctx);
#define SK_COL_NAME                                                                        \
    {"Name", "string", "name",                                                             \
     "Name must be unique within a namespace; it cannot be updated.", 0, ".metadata.name", \
     NULL}
#define SK_COL_AGE                                                                         \
    {"Age", "string", "",                                                                  \
     "Time since the object was created (metadata.creationTimestamp).", 0, NULL,           \
     sk_cell_age}

/* pods */
json_t *sk_cell_pod_ready(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_status(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_restarts(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_ip(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_node(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_nominated(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_pod_gates(const json_t *obj, const sk_cell_ctx *ctx);

/* nodes, namespaces */
json_t *sk_cell_node_status(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_roles(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_internal_ip(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_external_ip(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_os_image(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_kernel(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_node_runtime(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_namespace_status(const json_t *obj, const sk_cell_ctx *ctx);

/* services, endpoints, slices */
json_t *sk_cell_service_type(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_service_cluster_ip(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_service_external_ip(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_service_ports(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_service_selector(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_endpoints(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_slice_ports(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_slice_endpoints(const json_t *obj, const sk_cell_ctx *ctx);

/* config */
json_t *sk_cell_data_count(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_secret_type(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_sa_secrets(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_lease_holder(const json_t *obj, const sk_cell_ctx *ctx);

/* events */
json_t *sk_cell_event_last_seen(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_event_first_seen(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_event_object(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_event_source(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_event_count(const json_t *obj, const sk_cell_ctx *ctx);

/* workloads */
json_t *sk_cell_deploy_ready(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_workload_containers(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_workload_images(const json_t *obj, const sk_cell_ctx *ctx);
json_t *sk_cell_workload_selector(const json_t *obj, const sk_cell_ctx *ctx);

#endif
