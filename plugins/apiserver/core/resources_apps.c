/* Declarations of the apps/v1, coordination.k8s.io/v1 and
 * discovery.k8s.io/v1 resources. */
#include "kinds.h"
#include "printers.h"

static const char *const all_category[] = {"all", NULL};
static const char *const deploy_short[] = {"deploy", NULL};
static const char *const rs_short[] = {"rs", NULL};

static const sk_subresource scalable_sub[] = {
    {"scale", "autoscaling", "v1", "Scale", SK_VERBS_STATUS},
    {"status", NULL, NULL, NULL, SK_VERBS_STATUS},
    {NULL, NULL, NULL, NULL, 0},
};

#define COL_CONTAINERS                                                                     \
    {"Containers", "string", "", "Names of each container in the template.", 1, NULL,      \
     sk_cell_workload_containers}
#define COL_IMAGES                                                                         \
    {"Images", "string", "", "Images referenced by each container in the template.", 1,    \
     NULL, sk_cell_workload_images}
#define COL_SELECTOR                                                                       \
    {"Selector", "string", "", "Label selector of the managed pods.", 1, NULL,             \
     sk_cell_workload_selector}

static const sk_column deploy_cols[] = {
    SK_COL_NAME,
    {"Ready", "string", "", "Number of the pod with ready state.", 0, NULL,
     sk_cell_deploy_ready},
    {"Up-to-date", "integer", "", "Total number of pods with the desired template.", 0,
     ".status.updatedReplicas", NULL},
    {"Available", "integer", "", "Total number of available pods.", 0,
     ".status.availableReplicas", NULL},
    SK_COL_AGE,
    COL_CONTAINERS,
    COL_IMAGES,
    COL_SELECTOR,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_deployments = {
    .group = "apps", .version = "v1", .kind = "Deployment", .list_kind = "DeploymentList",
    .plural = "deployments", .singular = "deployment", .short_names = deploy_short,
    .categories = all_category, .namespaced = true, .verbs = SK_VERBS_ALL,
    .subresources = scalable_sub, .columns = deploy_cols, .schema = &sk_schema_deployment,
    .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_deployment, .validate = sk_validate_deployment,
    .validate_update = sk_validate_deployment_update,
};

static const char *const rs_fields[] = {"status.replicas", NULL};
static const sk_column rs_cols[] = {
    SK_COL_NAME,
    {"Desired", "integer", "", "Number of desired pods.", 0, ".spec.replicas", NULL},
    {"Current", "integer", "", "Number of pods observed.", 0, ".status.replicas", NULL},
    {"Ready", "integer", "", "Number of ready pods.", 0, ".status.readyReplicas", NULL},
    SK_COL_AGE,
    COL_CONTAINERS,
    COL_IMAGES,
    COL_SELECTOR,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_replicasets = {
    .group = "apps", .version = "v1", .kind = "ReplicaSet", .list_kind = "ReplicaSetList",
    .plural = "replicasets", .singular = "replicaset", .short_names = rs_short,
    .categories = all_category, .namespaced = true, .verbs = SK_VERBS_ALL,
    .subresources = scalable_sub, .columns = rs_cols, .schema = &sk_schema_replica_set,
    .field_labels = rs_fields,
    .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_replica_set, .validate = sk_validate_replica_set,
    .validate_update = sk_validate_replica_set_update,
};

static const sk_column lease_cols[] = {
    SK_COL_NAME,
    {"Holder", "string", "", "Identity of the lease's holder.", 0, NULL,
     sk_cell_lease_holder},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_leases = {
    .group = "coordination.k8s.io", .version = "v1", .kind = "Lease", .list_kind = "LeaseList",
    .plural = "leases", .singular = "lease", .namespaced = true, .verbs = SK_VERBS_ALL,
    .columns = lease_cols, .schema = &sk_schema_lease, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .validate = sk_validate_lease,
};

static const sk_column slice_cols[] = {
    SK_COL_NAME,
    {"AddressType", "string", "", "Type of the addresses in the slice.", 0, ".addressType",
     NULL},
    {"Ports", "string", "", "Ports of the slice.", 0, NULL, sk_cell_slice_ports},
    {"Endpoints", "string", "", "Addresses of the slice's endpoints.", 0, NULL,
     sk_cell_slice_endpoints},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_endpointslices = {
    .group = "discovery.k8s.io", .version = "v1", .kind = "EndpointSlice",
    .list_kind = "EndpointSliceList", .plural = "endpointslices", .singular = "endpointslice",
    .namespaced = true, .verbs = SK_VERBS_ALL, .columns = slice_cols,
    .schema = &sk_schema_endpoint_slice, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_endpoint_slice, .validate = sk_validate_endpoint_slice,
    .validate_update = sk_validate_endpoint_slice_update,
};
