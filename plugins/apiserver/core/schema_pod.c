/* core/v1 Pod, PodSpec and the types only they use. */
#include "schema_decl.h"

ENUM(restart_policies, "Always", "OnFailure", "Never");
ENUM(dns_policies, "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
ENUM(toleration_ops, "Exists", "Equal");
ENUM(taint_effects, "NoSchedule", "PreferNoSchedule", "NoExecute");
ENUM(preemption_policies, "PreemptLowerPriority", "Never");
ENUM(unsatisfiable_actions, "DoNotSchedule", "ScheduleAnyway");

LOCAL_SCHEMA(toleration, "io.k8s.api.core.v1.Toleration",
       "Lets the pod be scheduled on (or stay on) nodes with a matching taint.",
       F("key", STRING, 0, "Taint key to match; empty with Exists matches every taint."),
       F_ENUM("operator", toleration_ops, 0, "Exists or Equal. Defaults to Equal."),
       F("value", STRING, 0, "Taint value to match with Equal."),
       F_ENUM("effect", taint_effects, 0, "Taint effect to match; empty matches all."),
       F("tolerationSeconds", INT64, 0,
         "For NoExecute: how long the pod stays bound after the taint appears."));

LOCAL_SCHEMA(host_alias, "io.k8s.api.core.v1.HostAlias", "An entry of the pod's /etc/hosts.",
       F("ip", STRING, REQ, "IP address of the entry."),
       F_LIST("hostnames", STRING, 0, "Hostnames for the IP."));

LOCAL_SCHEMA(pod_dns_config, "io.k8s.api.core.v1.PodDNSConfig",
       "DNS settings merged with those dnsPolicy produces.",
       F_LIST("nameservers", STRING, 0, "Extra nameserver IPs."),
       F_LIST("searches", STRING, 0, "Extra search domains."),
       F_LIST("options", ANY, 0, "Resolver options (name and value)."));

LOCAL_SCHEMA(readiness_gate, "io.k8s.api.core.v1.PodReadinessGate",
       "An extra condition that must be True for the pod to be ready.",
       F("conditionType", STRING, REQ, "Type of a condition in the pod's conditions."));

LOCAL_SCHEMA(pod_security_context, "io.k8s.api.core.v1.PodSecurityContext",
       "Security options applied to every container of the pod.",
       F("runAsUser", INT64, 0, "UID to run entrypoints as."),
       F("runAsGroup", INT64, 0, "GID to run entrypoints as."),
       F("runAsNonRoot", BOOL, 0, "Refuse to start containers whose user is root."),
       F("fsGroup", INT64, 0, "Supplementary group owning the pod's volumes."),
       F_LIST("supplementalGroups", INT64, 0, "Extra groups of the first process."),
       F("supplementalGroupsPolicy", STRING, 0, "How supplementary groups are computed."),
       F("fsGroupChangePolicy", STRING, 0, "OnRootMismatch or Always."),
       F("seLinuxOptions", ANY, 0, "SELinux context of all containers."),
       F("seLinuxChangePolicy", STRING, 0, "How SELinux labels are applied to volumes."),
       F("seccompProfile", ANY, 0, "Seccomp profile of all containers."),
       F("appArmorProfile", ANY, 0, "AppArmor profile of all containers."),
       F_LIST("sysctls", ANY, 0, "Namespaced sysctls set for the pod."),
       F("windowsOptions", ANY, 0, "Windows-specific options."));

LOCAL_SCHEMA(topology_spread, "io.k8s.api.core.v1.TopologySpreadConstraint",
       "How to spread matching pods across a topology.",
       F("maxSkew", INT32, REQ, "Largest allowed difference in matching pods between domains."),
       F("topologyKey", STRING, REQ, "Node label key that defines the domains."),
       F_ENUM("whenUnsatisfiable", unsatisfiable_actions, REQ,
              "DoNotSchedule or ScheduleAnyway."),
       F_OBJ("labelSelector", sk_schema_label_selector, 0, "Which pods are counted."),
       F("minDomains", INT32, 0, "Minimum number of eligible domains."),
       F("nodeAffinityPolicy", STRING, 0, "Honor or Ignore the pod's node affinity."),
       F("nodeTaintsPolicy", STRING, 0, "Honor or Ignore node taints."),
       F_LIST("matchLabelKeys", STRING, 0, "Pod label keys added to the selector."));

LOCAL_SCHEMA(pod_os, "io.k8s.api.core.v1.PodOS", "The operating system the pod needs.",
       F("name", STRING, REQ, "linux or windows."));

LOCAL_SCHEMA(scheduling_gate, "io.k8s.api.core.v1.PodSchedulingGate",
       "A gate that keeps the pod from being scheduled while present.",
       F("name", STRING, REQ, "Name of the gate."));

SCHEMA(sk_schema_pod_spec, "io.k8s.api.core.v1.PodSpec", "Desired state of a pod.",
       F_KLIST_RK("volumes", sk_schema_volume, "name", 0,
                  "Volumes that containers of the pod can mount."),
       F_KLIST("initContainers", sk_schema_container, "name", 0,
               "Containers run in order, each to completion, before the app containers "
               "start."),
       F_KLIST("containers", sk_schema_container, "name", REQ,
               "The pod's containers; at least one. Cannot be added or removed after "
               "creation."),
       F_KLIST("ephemeralContainers", sk_schema_container, "name", 0,
               "Debugging containers added to a running pod."),
       F_ENUM("restartPolicy", restart_policies, 0,
              "Restart policy of all containers: Always, OnFailure or Never. Defaults to "
              "Always."),
       F("terminationGracePeriodSeconds", INT64, 0,
         "Seconds given to the pod to stop gracefully before it is killed. Defaults to 30."),
       F("activeDeadlineSeconds", INT64, 0,
         "Seconds the pod may be active before the system fails it."),
       F_ENUM("dnsPolicy", dns_policies, 0,
              "ClusterFirstWithHostNet, ClusterFirst, Default or None. Defaults to "
              "ClusterFirst."),
       F_MAP("nodeSelector", STRING, 0, "Labels a node must have for the pod to run on it."),
       F("serviceAccountName", STRING, 0, "Service account the pod runs as."),
       F("serviceAccount", STRING, 0, "Deprecated alias of serviceAccountName."),
       F("automountServiceAccountToken", BOOL, 0,
         "Whether a service account token is mounted automatically."),
       F("nodeName", STRING, 0,
         "Node the pod is bound to; set by the scheduler (through binding) when empty."),
       F("hostNetwork", BOOL, 0, "Use the node's network namespace."),
       F("hostPID", BOOL, 0, "Use the node's PID namespace."),
       F("hostIPC", BOOL, 0, "Use the node's IPC namespace."),
       F("shareProcessNamespace", BOOL, 0, "Share one PID namespace among the containers."),
       F_OBJ("securityContext", pod_security_context, 0, "Pod-level security options."),
       F_KLIST("imagePullSecrets", sk_schema_local_object_reference, "name", 0,
               "Secrets holding registry credentials used to pull images."),
       F("hostname", STRING, 0, "Hostname of the pod; defaults to its name."),
       F("subdomain", STRING, 0,
         "Subdomain, making the FQDN <hostname>.<subdomain>.<namespace>.svc.<domain>."),
       F("affinity", ANY, 0, "Node affinity and pod (anti-)affinity scheduling rules."),
       F("schedulerName", STRING, 0,
         "Scheduler that places the pod. Defaults to \"default-scheduler\"."),
       F_OLIST("tolerations", toleration, 0, "Taints the pod tolerates."),
       F_KLIST("hostAliases", host_alias, "ip", 0, "Extra entries of the pod's /etc/hosts."),
       F("priorityClassName", STRING, 0, "Name of the pod's PriorityClass."),
       F("priority", INT32, 0, "Priority value, resolved from priorityClassName."),
       F_OBJ("dnsConfig", pod_dns_config, 0, "DNS parameters beyond dnsPolicy."),
       F_OLIST("readinessGates", readiness_gate, 0, "Extra conditions for pod readiness."),
       F("runtimeClassName", STRING, 0, "RuntimeClass used to run the pod."),
       F("enableServiceLinks", BOOL, 0,
         "Whether service environment variables are injected. Defaults to true."),
       F_ENUM("preemptionPolicy", preemption_policies, 0,
              "PreemptLowerPriority or Never. Defaults to PreemptLowerPriority."),
       F_MAP("overhead", QUANTITY, 0, "Resources the pod's sandbox uses besides containers."),
       F_KLIST("topologySpreadConstraints", topology_spread, "topologyKey", 0,
               "How the pod's replicas spread across topology domains."),
       F("setHostnameAsFQDN", BOOL, 0, "Set the hostname to the pod's FQDN."),
       F_OBJ("os", pod_os, 0, "The operating system of the containers."),
       F("hostUsers", BOOL, 0, "Use the host user namespace. Defaults to true."),
       F_KLIST("schedulingGates", scheduling_gate, "name", 0,
               "Gates that block scheduling while any is present."),
       F_LIST("resourceClaims", ANY, 0, "Dynamic resource claims of the pod."),
       F("resources", ANY, 0, "Pod-level compute resources."));

SCHEMA(sk_schema_pod, "io.k8s.api.core.v1.Pod",
       "A collection of containers that run together on one node.", F_TYPEMETA,
       F_OBJ("spec", sk_schema_pod_spec, 0, "Desired behaviour of the pod."),
       F_OBJ("status", sk_schema_pod_status, 0,
             "Most recently observed status of the pod; maintained by the system."));

SCHEMA(sk_schema_pod_template_spec, "io.k8s.api.core.v1.PodTemplateSpec",
       "The pods a controller creates: their metadata and spec.",
       F_OBJ("metadata", sk_schema_object_meta, 0, "Metadata of the created pods."),
       F_OBJ("spec", sk_schema_pod_spec, 0, "Spec of the created pods."));

SCHEMA(sk_schema_binding, "io.k8s.api.core.v1.Binding",
       "Binds a pod to a node; what the scheduler posts to pods/binding.", F_TYPEMETA,
       F_OBJ("target", sk_schema_object_reference, REQ, "The node to bind to."));

SCHEMA(sk_schema_eviction, "io.k8s.api.policy.v1.Eviction",
       "Asks for a pod's removal, subject to disruption budgets; posted to pods/eviction.",
       F_TYPEMETA, F("deleteOptions", ANY, 0, "Options for the deletion."));
