/* core/v1 Node. */
#include "schema_decl.h"

ENUM(taint_effects, "NoSchedule", "PreferNoSchedule", "NoExecute");
ENUM(cond_status, "True", "False", "Unknown");
ENUM(address_types, "Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS");

LOCAL_SCHEMA(taint, "io.k8s.api.core.v1.Taint",
       "Repels pods that do not tolerate it from the node.",
       F("key", STRING, REQ, "Taint key."),
       F("value", STRING, 0, "Taint value."),
       F_ENUM("effect", taint_effects, REQ, "NoSchedule, PreferNoSchedule or NoExecute."),
       F("timeAdded", TIME, 0, "When a NoExecute taint was added."));

LOCAL_SCHEMA(node_spec, "io.k8s.api.core.v1.NodeSpec", "How a node is configured.",
       F("podCIDR", STRING, 0, "IP range assigned to the node for its pods."),
       F_SET("podCIDRs", 0, "IP ranges assigned to the node, at most one per family."),
       F("providerID", STRING, 0, "ID of the node given by the cloud provider."),
       F("unschedulable", BOOL, 0, "Keeps new pods off the node (cordon)."),
       F_OLIST("taints", taint, 0, "Taints of the node."),
       F("configSource", ANY, 0, "Deprecated."),
       F("externalID", STRING, 0, "Deprecated."));

LOCAL_SCHEMA(node_condition, "io.k8s.api.core.v1.NodeCondition",
       "One aspect of the node's state, e.g. Ready.",
       F("type", STRING, REQ, "Type of the condition."),
       F_ENUM("status", cond_status, REQ, "True, False or Unknown."),
       F("lastHeartbeatTime", TIME, 0, "When the condition was last reported."),
       F("lastTransitionTime", TIME, 0, "When the status last changed."),
       F("reason", STRING, 0, "CamelCase reason for the last transition."),
       F("message", STRING, 0, "Human-readable details."));

LOCAL_SCHEMA(node_address, "io.k8s.api.core.v1.NodeAddress", "An address of the node.",
       F_ENUM("type", address_types, REQ,
              "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS."),
       F("address", STRING, REQ, "The address."));

LOCAL_SCHEMA(daemon_endpoint, "io.k8s.api.core.v1.DaemonEndpoint", "A port of a node daemon.",
       F("Port", INT32, REQ, "Port number."));

LOCAL_SCHEMA(daemon_endpoints, "io.k8s.api.core.v1.NodeDaemonEndpoints",
       "Ports of the daemons on the node.",
       F_OBJ("kubeletEndpoint", daemon_endpoint, 0, "Port the kubelet listens on."));

LOCAL_SCHEMA(node_info, "io.k8s.api.core.v1.NodeSystemInfo", "Identity of the node's system.",
       F("machineID", STRING, REQ, "Machine ID from /etc/machine-id."),
       F("systemUUID", STRING, REQ, "System UUID."),
       F("bootID", STRING, REQ, "Boot ID."),
       F("kernelVersion", STRING, REQ, "Kernel version (uname -r)."),
       F("osImage", STRING, REQ, "OS image, e.g. Debian GNU/Linux 13."),
       F("containerRuntimeVersion", STRING, REQ, "Container runtime, e.g. skiff://0.1.0."),
       F("kubeletVersion", STRING, REQ, "Kubelet version."),
       F("kubeProxyVersion", STRING, REQ, "Deprecated: kube-proxy version."),
       F("operatingSystem", STRING, REQ, "Operating system, e.g. linux."),
       F("architecture", STRING, REQ, "CPU architecture, e.g. amd64."),
       F("swap", ANY, 0, "Swap information."));

LOCAL_SCHEMA(container_image, "io.k8s.api.core.v1.ContainerImage", "An image on the node.",
       F_LIST("names", STRING, 0, "Names of the image."),
       F("sizeBytes", INT64, 0, "Size of the image in bytes."));

LOCAL_SCHEMA(node_status, "io.k8s.api.core.v1.NodeStatus", "Observed state of a node.",
       F_MAP("capacity", QUANTITY, 0, "Total resources of the node."),
       F_MAP("allocatable", QUANTITY, 0, "Resources available for scheduling pods."),
       F("phase", STRING, 0, "Deprecated."),
       F_KLIST("conditions", node_condition, "type", 0, "Current conditions of the node."),
       F_KLIST("addresses", node_address, "type", 0, "Addresses reachable on the node."),
       F_OBJ("daemonEndpoints", daemon_endpoints, 0, "Ports of the node's daemons."),
       F_OBJ("nodeInfo", node_info, 0, "Identity of the node's system."),
       F_OLIST("images", container_image, 0, "Images present on the node."),
       F_LIST("volumesInUse", STRING, 0, "Volumes in use on the node."),
       F_LIST("volumesAttached", ANY, 0, "Volumes attached to the node."),
       F("config", ANY, 0, "Status of the node's dynamic configuration."),
       F_LIST("runtimeHandlers", ANY, 0, "Available runtime handlers."),
       F("features", ANY, 0, "Features the node supports."));

SCHEMA(sk_schema_node, "io.k8s.api.core.v1.Node",
       "A worker machine; each node runs a kubelet that registers it.", F_TYPEMETA,
       F_OBJ("spec", node_spec, 0, "How the node is configured."),
       F_OBJ("status", node_status, 0, "Most recently observed status of the node."));
