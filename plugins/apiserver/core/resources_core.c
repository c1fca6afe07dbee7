/* Declarations of the core/v1 resources. */
#include "kinds.h"
#include "printers.h"

static const char *const all_category[] = {"all", NULL};

#define NAMES(var, ...) static const char *const var[] = {__VA_ARGS__, NULL}

/* ---- namespaces ---- */
NAMES(ns_fields, "status.phase");
NAMES(ns_short, "ns");
static const sk_subresource ns_sub[] = {
    {"finalize", NULL, NULL, NULL, SK_VERB_UPDATE},
    {"status", NULL, NULL, NULL, SK_VERBS_STATUS},
    {NULL, NULL, NULL, NULL, 0},
};
static const sk_column ns_cols[] = {
    SK_COL_NAME,
    {"Status", "string", "", "The status of the namespace.", 0, NULL, sk_cell_namespace_status},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_namespaces = {
    .group = "", .version = "v1", .kind = "Namespace", .list_kind = "NamespaceList",
    .plural = "namespaces", .singular = "namespace", .short_names = ns_short,
    .namespaced = false,
    .verbs = SK_VERBS_ALL & ~(unsigned)SK_VERB_DELETECOLLECTION,
    .subresources = ns_sub, .columns = ns_cols, .schema = &sk_schema_namespace,
    .field_labels = ns_fields,
    .name_rule = SK_NAME_DNS1123_LABEL,
    .defaults = sk_default_namespace, .validate = sk_validate_namespace,
};

/* ---- nodes ---- */
NAMES(node_fields, "spec.unschedulable");
NAMES(node_short, "no");
static const sk_subresource node_sub[] = {
    {"status", NULL, NULL, NULL, SK_VERBS_STATUS},
    {NULL, NULL, NULL, NULL, 0},
};
static const sk_column node_cols[] = {
    SK_COL_NAME,
    {"Status", "string", "", "The status of the node.", 0, NULL, sk_cell_node_status},
    {"Roles", "string", "", "The roles of the node.", 0, NULL, sk_cell_node_roles},
    SK_COL_AGE,
    {"Version", "string", "", "Kubelet version reported by the node.", 0,
     ".status.nodeInfo.kubeletVersion", NULL},
    {"Internal-IP", "string", "", "InternalIP address of the node.", 1, NULL,
     sk_cell_node_internal_ip},
    {"External-IP", "string", "", "ExternalIP address of the node.", 1, NULL,
     sk_cell_node_external_ip},
    {"OS-Image", "string", "", "OS image reported by the node.", 1, NULL, sk_cell_node_os_image},
    {"Kernel-Version", "string", "", "Kernel version reported by the node.", 1, NULL,
     sk_cell_node_kernel},
    {"Container-Runtime", "string", "", "Container runtime reported by the node.", 1, NULL,
     sk_cell_node_runtime},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_nodes = {
    .group = "", .version = "v1", .kind = "Node", .list_kind = "NodeList",
    .plural = "nodes", .singular = "node", .short_names = node_short,
    .namespaced = false, .verbs = SK_VERBS_ALL,
    .subresources = node_sub, .columns = node_cols, .schema = &sk_schema_node,
    .field_labels = node_fields,
    .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .validate = sk_validate_node, .validate_update = sk_validate_node_update,
};

/* ---- pods ---- */
NAMES(pod_fields, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
      "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
      "status.nominatedNodeName");
NAMES(pod_short, "po");
static const sk_subresource pod_sub[] = {
    {"binding", "", "v1", "Binding", SK_VERB_CREATE},
    {"eviction", "policy", "v1", "Eviction", SK_VERB_CREATE},
    {"log", NULL, NULL, NULL, SK_VERB_GET},
    {"status", NULL, NULL, NULL, SK_VERBS_STATUS},
    {NULL, NULL, NULL, NULL, 0},
};
static const sk_column pod_cols[] = {
    SK_COL_NAME,
    {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.",
     0, NULL, sk_cell_pod_ready},
    {"Status", "string", "", "The aggregate status of the containers in this pod.", 0, NULL,
     sk_cell_pod_status},
    {"Restarts", "string", "",
     "The number of times the containers in this pod have been restarted and when the last "
     "container in this pod has restarted.",
     0, NULL, sk_cell_pod_restarts},
    SK_COL_AGE,
    {"IP", "string", "", "IP address allocated to the pod.", 1, NULL, sk_cell_pod_ip},
    {"Node", "string", "", "Node the pod is bound to.", 1, NULL, sk_cell_pod_node},
    {"Nominated Node", "string", "", "Node the pod may be placed on after preemption.", 1,
     NULL, sk_cell_pod_nominated},
    {"Readiness Gates", "string", "", "The pod's readiness gates that are satisfied.", 1, NULL,
     sk_cell_pod_gates},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_pods = {
    .group = "", .version = "v1", .kind = "Pod", .list_kind = "PodList",
    .plural = "pods", .singular = "pod", .short_names = pod_short, .categories = all_category,
    .namespaced = true, .verbs = SK_VERBS_ALL,
    .subresources = pod_sub, .columns = pod_cols, .schema = &sk_schema_pod,
    .field_labels = pod_fields,
    .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_pod, .validate = sk_validate_pod,
    .validate_update = sk_validate_pod_update,
};

/* ---- services ---- */
NAMES(svc_fields, "spec.clusterIP", "spec.type");
NAMES(svc_short, "svc");
static const sk_subresource svc_sub[] = {
    {"status", NULL, NULL, NULL, SK_VERBS_STATUS},
    {NULL, NULL, NULL, NULL, 0},
};
static const sk_column svc_cols[] = {
    SK_COL_NAME,
    {"Type", "string", "", "How the service is exposed.", 0, NULL, sk_cell_service_type},
    {"Cluster-IP", "string", "", "Virtual IP of the service.", 0, NULL,
     sk_cell_service_cluster_ip},
    {"External-IP", "string", "", "External addresses of the service.", 0, NULL,
     sk_cell_service_external_ip},
    {"Port(s)", "string", "", "Ports the service exposes.", 0, NULL, sk_cell_service_ports},
    SK_COL_AGE,
    {"Selector", "string", "", "Labels of the pods the service routes to.", 1, NULL,
     sk_cell_service_selector},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_services = {
    .group = "", .version = "v1", .kind = "Service", .list_kind = "ServiceList",
    .plural = "services", .singular = "service", .short_names = svc_short,
    .categories = all_category, .namespaced = true, .verbs = SK_VERBS_ALL,
    .subresources = svc_sub, .columns = svc_cols, .schema = &sk_schema_service,
    .field_labels = svc_fields,
    .name_rule = SK_NAME_DNS1035_LABEL,
    .defaults = sk_default_service, .validate = sk_validate_service,
    .validate_update = sk_validate_service_update,
};

/* ---- endpoints ---- */
NAMES(ep_short, "ep");
static const sk_column ep_cols[] = {
    SK_COL_NAME,
    {"Endpoints", "string", "", "Addresses and ports of the endpoints.", 0, NULL,
     sk_cell_endpoints},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_endpoints = {
    .group = "", .version = "v1", .kind = "Endpoints", .list_kind = "EndpointsList",
    .plural = "endpoints", .singular = "endpoints", .short_names = ep_short,
    .namespaced = true, .verbs = SK_VERBS_ALL, .columns = ep_cols,
    .schema = &sk_schema_endpoints, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_endpoints, .validate = sk_validate_endpoints,
};

/* ---- configmaps ---- */
NAMES(cm_short, "cm");
static const sk_column cm_cols[] = {
    SK_COL_NAME,
    {"Data", "integer", "", "Number of keys in data and binaryData.", 0, NULL,
     sk_cell_data_count},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_configmaps = {
    .group = "", .version = "v1", .kind = "ConfigMap", .list_kind = "ConfigMapList",
    .plural = "configmaps", .singular = "configmap", .short_names = cm_short,
    .namespaced = true, .verbs = SK_VERBS_ALL, .columns = cm_cols,
    .schema = &sk_schema_config_map, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .validate = sk_validate_config_map, .validate_update = sk_validate_config_map_update,
};

/* ---- secrets ---- */
NAMES(secret_fields, "type");
static const sk_column secret_cols[] = {
    SK_COL_NAME,
    {"Type", "string", "", "Type of the secret.", 0, NULL, sk_cell_secret_type},
    {"Data", "integer", "", "Number of keys in data.", 0, NULL, sk_cell_data_count},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_secrets = {
    .group = "", .version = "v1", .kind = "Secret", .list_kind = "SecretList",
    .plural = "secrets", .singular = "secret", .namespaced = true, .verbs = SK_VERBS_ALL,
    .columns = secret_cols, .schema = &sk_schema_secret, .field_labels = secret_fields,
    .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .defaults = sk_default_secret, .validate = sk_validate_secret,
    .validate_update = sk_validate_secret_update,
};

/* ---- events ---- */
NAMES(ev_fields, "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
      "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "source:source.component",
      "type");
NAMES(ev_short, "ev");
static const sk_column ev_cols[] = {
    {"Last Seen", "string", "", "When the event was last seen.", 0, NULL,
     sk_cell_event_last_seen},
    {"Type", "string", "", "Normal or Warning.", 0, ".type", NULL},
    {"Reason", "string", "", "Short reason for the event.", 0, ".reason", NULL},
    {"Object", "string", "", "The object the event is about.", 0, NULL, sk_cell_event_object},
    {"Subobject", "string", "", "The part of the object the event is about.", 1,
     ".involvedObject.fieldPath", NULL},
    {"Source", "string", "", "Component that reported the event.", 1, NULL,
     sk_cell_event_source},
    {"Message", "string", "", "Description of the event.", 0, ".message", NULL},
    {"First Seen", "string", "", "When the event was first seen.", 1, NULL,
     sk_cell_event_first_seen},
    {"Count", "string", "", "How many times the event occurred.", 1, NULL,
     sk_cell_event_count},
    {"Name", "string", "name", "Name of the event.", 1, ".metadata.name", NULL},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_events = {
    .group = "", .version = "v1", .kind = "Event", .list_kind = "EventList",
    .plural = "events", .singular = "event", .short_names = ev_short,
    .namespaced = true, .verbs = SK_VERBS_ALL, .columns = ev_cols,
    .schema = &sk_schema_event, .field_labels = ev_fields, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
    .validate = sk_validate_event,
};

/* ---- serviceaccounts ---- */
NAMES(sa_short, "sa");
static const sk_column sa_cols[] = {
    SK_COL_NAME,
    {"Secrets", "integer", "", "Number of secrets of the service account.", 0, NULL,
     sk_cell_sa_secrets},
    SK_COL_AGE,
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
const sk_resource sk_res_serviceaccounts = {
    .group = "", .version = "v1", .kind = "ServiceAccount", .list_kind = "ServiceAccountList",
    .plural = "serviceaccounts", .singular = "serviceaccount", .short_names = sa_short,
    .namespaced = true, .verbs = SK_VERBS_ALL, .columns = sa_cols,
    .schema = &sk_schema_service_account, .name_rule = SK_NAME_DNS1123_SUBDOMAIN,
};
