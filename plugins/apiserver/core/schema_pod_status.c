/* core/v1 PodStatus and container states. */
#include "schema_decl.h"

ENUM(pod_phases, "Pending", "Running", "Succeeded", "Failed", "Unknown");
ENUM(qos_classes, "Guaranteed", "Burstable", "BestEffort");
ENUM(cond_status, "True", "False", "Unknown");

LOCAL_SCHEMA(pod_condition, "io.k8s.api.core.v1.PodCondition",
       "One aspect of the pod's state, e.g. Ready or PodScheduled.",
       F("type", STRING, REQ, "Type of the condition."),
       F_ENUM("status", cond_status, REQ, "True, False or Unknown."),
       F("observedGeneration", INT64, 0, "The pod generation the condition reflects."),
       F("lastProbeTime", TIME, 0, "When the condition was last probed."),
       F("lastTransitionTime", TIME, 0, "When the status last changed."),
       F("reason", STRING, 0, "CamelCase reason for the last transition."),
       F("message", STRING, 0, "Human-readable details."));

LOCAL_SCHEMA(pod_ip, "io.k8s.api.core.v1.PodIP", "An IP address of the pod.",
       F("ip", STRING, REQ, "The address."));

LOCAL_SCHEMA(host_ip, "io.k8s.api.core.v1.HostIP", "An IP address of the pod's node.",
       F("ip", STRING, REQ, "The address."));

LOCAL_SCHEMA(state_waiting, "io.k8s.api.core.v1.ContainerStateWaiting",
       "The container is not running yet.",
       F("reason", STRING, 0, "Why, e.g. ContainerCreating or CrashLoopBackOff."),
       F("message", STRING, 0, "Details."));

LOCAL_SCHEMA(state_running, "io.k8s.api.core.v1.ContainerStateRunning",
       "The container is running.", F("startedAt", TIME, 0, "When it last (re)started."));

LOCAL_SCHEMA(state_terminated, "io.k8s.api.core.v1.ContainerStateTerminated",
       "The container ran and stopped.",
       F("exitCode", INT32, REQ, "Exit status of the last run."),
       F("signal", INT32, 0, "Signal that stopped it, if any."),
       F("reason", STRING, 0, "Why, e.g. Completed, Error or OOMKilled."),
       F("message", STRING, 0, "Details."),
       F("startedAt", TIME, 0, "When the run started."),
       F("finishedAt", TIME, 0, "When the run ended."),
       F("containerID", STRING, 0, "<type>://<id> of the container."));

LOCAL_SCHEMA(container_state, "io.k8s.api.core.v1.ContainerState",
       "A container's state: exactly one of waiting, running or terminated.",
       F_OBJ("waiting", state_waiting, 0, "Details when waiting."),
       F_OBJ("running", state_running, 0, "Details when running."),
       F_OBJ("terminated", state_terminated, 0, "Details when terminated."));

LOCAL_SCHEMA(container_status, "io.k8s.api.core.v1.ContainerStatus",
       "Observed state of one container.",
       F("name", STRING, REQ, "Name of the container in the spec."),
       F_OBJ("state", container_state, 0, "Current state."),
       F_OBJ("lastState", container_state, 0, "State of the previous run."),
       F("ready", BOOL, REQ, "Whether the container passes its readiness probe."),
       F("restartCount", INT32, REQ, "Times the container has been restarted."),
       F("image", STRING, REQ, "Image the container runs."),
       F("imageID", STRING, REQ, "Resolved image identity."),
       F("containerID", STRING, 0, "<type>://<id> of the container."),
       F("started", BOOL, 0, "Whether the startup probe has passed."),
       F_MAP("allocatedResources", QUANTITY, 0, "Resources allocated to the container."),
       F("resources", ANY, 0, "Resources applied to the running container."),
       F_LIST("volumeMounts", ANY, 0, "Mounts as applied."),
       F("user", ANY, 0, "Identity of the container's first process."),
       F_LIST("allocatedResourcesStatus", ANY, 0, "Health of allocated resources."),
       F("stopSignal", STRING, 0, "Signal the container is stopped with."));

SCHEMA(sk_schema_pod_status, "io.k8s.api.core.v1.PodStatus",
       "Observed state of a pod; may trail the actual state.",
       F_ENUM("phase", pod_phases, 0,
              "Where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or "
              "Unknown."),
       F_KLIST("conditions", pod_condition, "type", 0, "Current service state of the pod."),
       F("message", STRING, 0, "Why the pod is in this condition."),
       F("reason", STRING, 0, "CamelCase reason, e.g. Evicted."),
       F("nominatedNodeName", STRING, 0, "Node the pod may run on after preemption."),
       F("hostIP", STRING, 0, "IP of the node the pod runs on."),
       F_KLIST("hostIPs", host_ip, "ip", 0, "IPs of the node."),
       F("podIP", STRING, 0, "IP address allocated to the pod."),
       F_KLIST("podIPs", pod_ip, "ip", 0, "IP addresses allocated to the pod."),
       F("startTime", TIME, 0, "When the kubelet acknowledged the pod."),
       F_OLIST("initContainerStatuses", container_status, 0, "Status of init containers."),
       F_OLIST("containerStatuses", container_status, 0, "Status of app containers."),
       F_OLIST("ephemeralContainerStatuses", container_status, 0,
               "Status of ephemeral containers."),
       F_ENUM("qosClass", qos_classes, 0,
              "Quality of service class from the resource requests and limits."),
       F("resize", STRING, 0, "Status of an in-place resize."),
       F_LIST("resourceClaimStatuses", ANY, 0, "Status of resource claims."),
       F("observedGeneration", INT64, 0, "The pod generation the status reflects."));
