/* core/v1 Container and the types it is built from. */
#include "schema_decl.h"

ENUM(protocols, "TCP", "UDP", "SCTP");
ENUM(pull_policies, "Always", "IfNotPresent", "Never");
ENUM(term_msg_policies, "File", "FallbackToLogsOnError");
ENUM(http_schemes, "HTTP", "HTTPS");
ENUM(mount_propagations, "None", "HostToContainer", "Bidirectional");

LOCAL_SCHEMA(container_port, "io.k8s.api.core.v1.ContainerPort",
       "A network port exposed by a container.",
       F("name", STRING, 0,
         "IANA_SVC_NAME for the port, unique within the pod; services can refer to it."),
       F("hostPort", INT32, 0, "Port to expose on the node (1-65535); rarely needed."),
       F("containerPort", INT32, REQ, "Port number on the pod's IP address (1-65535)."),
       F_ENUM("protocol", protocols, 0, "TCP, UDP or SCTP. Defaults to \"TCP\"."),
       F("hostIP", STRING, 0, "Node IP to bind the host port to."));

LOCAL_SCHEMA(object_field_selector, "io.k8s.api.core.v1.ObjectFieldSelector",
       "Selects a field of the pod.",
       F("apiVersion", STRING, 0, "Schema version fieldPath is written in; defaults to \"v1\"."),
       F("fieldPath", STRING, REQ, "Path of the field, e.g. metadata.name or status.podIP."));

LOCAL_SCHEMA(resource_field_selector, "io.k8s.api.core.v1.ResourceFieldSelector",
       "Selects a resource limit or request of a container.",
       F("containerName", STRING, 0, "Container name; required for volumes."),
       F("resource", STRING, REQ, "Resource to select, e.g. limits.cpu."),
       F("divisor", QUANTITY, 0, "Output format of the exposed value; defaults to \"1\"."));

LOCAL_SCHEMA(config_map_key_selector, "io.k8s.api.core.v1.ConfigMapKeySelector",
       "Selects a key of a ConfigMap.",
       F("name", STRING, 0, "Name of the ConfigMap, in the pod's namespace."),
       F("key", STRING, REQ, "The key to select."),
       F("optional", BOOL, 0, "Whether the ConfigMap or its key may be missing."));

LOCAL_SCHEMA(secret_key_selector, "io.k8s.api.core.v1.SecretKeySelector",
       "Selects a key of a Secret.",
       F("name", STRING, 0, "Name of the Secret, in the pod's namespace."),
       F("key", STRING, REQ, "The key of the secret to select."),
       F("optional", BOOL, 0, "Whether the Secret or its key may be missing."));

LOCAL_SCHEMA(env_var_source, "io.k8s.api.core.v1.EnvVarSource",
       "Where an environment variable's value comes from; set exactly one field.",
       F_OBJ("fieldRef", object_field_selector, 0, "A field of the pod."),
       F_OBJ("resourceFieldRef", resource_field_selector, 0,
             "A resource limit or request of a container."),
       F_OBJ("configMapKeyRef", config_map_key_selector, 0, "A key of a ConfigMap."),
       F_OBJ("secretKeyRef", secret_key_selector, 0, "A key of a Secret."));

LOCAL_SCHEMA(env_var, "io.k8s.api.core.v1.EnvVar",
       "An environment variable of a container.",
       F("name", STRING, REQ, "Name of the variable."),
       F("value", STRING, 0,
         "Value; $(VAR) references to earlier variables are expanded. Defaults to \"\"."),
       F_OBJ("valueFrom", env_var_source, 0,
             "Source of the value; cannot be used when value is not empty."));

LOCAL_SCHEMA(config_map_env_source, "io.k8s.api.core.v1.ConfigMapEnvSource",
       "Imports every key of a ConfigMap as environment variables.",
       F("name", STRING, 0, "Name of the ConfigMap."),
       F("optional", BOOL, 0, "Whether the ConfigMap may be missing."));

LOCAL_SCHEMA(secret_env_source, "io.k8s.api.core.v1.SecretEnvSource",
       "Imports every key of a Secret as environment variables.",
       F("name", STRING, 0, "Name of the Secret."),
       F("optional", BOOL, 0, "Whether the Secret may be missing."));

LOCAL_SCHEMA(env_from_source, "io.k8s.api.core.v1.EnvFromSource",
       "A set of environment variables taken from a ConfigMap or a Secret.",
       F("prefix", STRING, 0, "Prefix prepended to every imported key."),
       F_OBJ("configMapRef", config_map_env_source, 0, "The ConfigMap to import."),
       F_OBJ("secretRef", secret_env_source, 0, "The Secret to import."));

LOCAL_SCHEMA(resource_requirements, "io.k8s.api.core.v1.ResourceRequirements",
       "Compute resources a container needs.",
       F_MAP("limits", QUANTITY, 0, "Maximum amount of each resource allowed, e.g. cpu: 500m."),
       F_MAP("requests", QUANTITY, 0,
             "Minimum amount of each resource required; defaults to the limits when omitted."),
       F_LIST("claims", ANY, 0, "Dynamically allocated resources used by this container."));

LOCAL_SCHEMA(volume_mount, "io.k8s.api.core.v1.VolumeMount",
       "Where a volume is mounted in a container.",
       F("name", STRING, REQ, "Name of a volume of the pod."),
       F("readOnly", BOOL, 0, "Mount read-only. Defaults to false."),
       F("recursiveReadOnly", STRING, 0, "Whether read-only mounts apply recursively."),
       F("mountPath", STRING, REQ, "Path in the container; must not contain ':'."),
       F("subPath", STRING, 0, "Path inside the volume to mount instead of its root."),
       F_ENUM("mountPropagation", mount_propagations, 0,
              "How mounts propagate between host and container."),
       F("subPathExpr", STRING, 0, "Like subPath, with $(VAR) expansion."));

LOCAL_SCHEMA(volume_device, "io.k8s.api.core.v1.VolumeDevice",
       "A raw block device mapped into a container.",
       F("name", STRING, REQ, "Name of a persistentVolumeClaim volume of the pod."),
       F("devicePath", STRING, REQ, "Path of the device in the container."));

LOCAL_SCHEMA(exec_action, "io.k8s.api.core.v1.ExecAction", "Runs a command in the container.",
       F_LIST("command", STRING, 0,
              "Command line, run without a shell; exit status 0 means healthy."));

LOCAL_SCHEMA(http_header, "io.k8s.api.core.v1.HTTPHeader", "A header of an HTTP probe.",
       F("name", STRING, REQ, "Header field name."),
       F("value", STRING, REQ, "Header field value."));

LOCAL_SCHEMA(http_get_action, "io.k8s.api.core.v1.HTTPGetAction",
       "Performs an HTTP GET; a status from 200 to 399 means healthy.",
       F("path", STRING, 0, "Path to request."),
       F("port", INT_OR_STRING, REQ, "Port number or name."),
       F("host", STRING, 0, "Host to connect to; defaults to the pod IP."),
       F_ENUM("scheme", http_schemes, 0, "HTTP or HTTPS. Defaults to HTTP."),
       F_OLIST("httpHeaders", http_header, 0, "Extra request headers."));

LOCAL_SCHEMA(tcp_socket_action, "io.k8s.api.core.v1.TCPSocketAction",
       "Opens a TCP connection; success means healthy.",
       F("port", INT_OR_STRING, REQ, "Port number or name."),
       F("host", STRING, 0, "Host to connect to; defaults to the pod IP."));

LOCAL_SCHEMA(grpc_action, "io.k8s.api.core.v1.GRPCAction", "Calls the gRPC health service.",
       F("port", INT32, REQ, "Port number of the gRPC service."),
       F("service", STRING, 0, "Service name passed in the health check request."));

LOCAL_SCHEMA(probe, "io.k8s.api.core.v1.Probe",
       "A health check the kubelet runs against a container.",
       F_OBJ("exec", exec_action, 0, "Run a command."),
       F_OBJ("httpGet", http_get_action, 0, "Send an HTTP GET request."),
       F_OBJ("tcpSocket", tcp_socket_action, 0, "Open a TCP connection."),
       F_OBJ("grpc", grpc_action, 0, "Call a gRPC health service."),
       F("initialDelaySeconds", INT32, 0, "Seconds after start before the first probe."),
       F("timeoutSeconds", INT32, 0, "Seconds before a probe times out. Defaults to 1."),
       F("periodSeconds", INT32, 0, "Seconds between probes. Defaults to 10."),
       F("successThreshold", INT32, 0,
         "Consecutive successes needed after a failure. Defaults to 1."),
       F("failureThreshold", INT32, 0,
         "Consecutive failures before giving up. Defaults to 3."),
       F("terminationGracePeriodSeconds", INT64, 0,
         "Grace period when a liveness failure kills the container."));

LOCAL_SCHEMA(lifecycle, "io.k8s.api.core.v1.Lifecycle",
       "Actions run when a container starts or stops.",
       F("postStart", ANY, 0, "Handler run right after the container is created."),
       F("preStop", ANY, 0, "Handler run before the container is terminated."),
       F("stopSignal", STRING, 0, "Signal used to stop the container."));

LOCAL_SCHEMA(capabilities, "io.k8s.api.core.v1.Capabilities",
       "POSIX capabilities added to or dropped from a container.",
       F_LIST("add", STRING, 0, "Capabilities to add."),
       F_LIST("drop", STRING, 0, "Capabilities to drop."));

LOCAL_SCHEMA(security_context, "io.k8s.api.core.v1.SecurityContext",
       "Security options of one container; they override the pod's.",
       F_OBJ("capabilities", capabilities, 0, "Capabilities to add or drop."),
       F("privileged", BOOL, 0, "Run as privileged (root on the host). Defaults to false."),
       F("seLinuxOptions", ANY, 0, "SELinux context of the container."),
       F("windowsOptions", ANY, 0, "Windows-specific options."),
       F("runAsUser", INT64, 0, "UID to run the entrypoint as."),
       F("runAsGroup", INT64, 0, "GID to run the entrypoint as."),
       F("runAsNonRoot", BOOL, 0, "Refuse to start a container whose user is root."),
       F("readOnlyRootFilesystem", BOOL, 0, "Mount the root filesystem read-only."),
       F("allowPrivilegeEscalation", BOOL, 0,
         "Whether a process may gain more privileges than its parent."),
       F("procMount", STRING, 0, "Default or Unmasked /proc mount."),
       F("seccompProfile", ANY, 0, "Seccomp profile of the container."),
       F("appArmorProfile", ANY, 0, "AppArmor profile of the container."));

SCHEMA(sk_schema_container, "io.k8s.api.core.v1.Container",
       "A single application container run in a pod.",
       F("name", STRING, REQ,
         "Name of the container, a DNS label unique within the pod. Cannot be updated."),
       F("image", STRING, 0,
         "Container image name, e.g. nginx:1.27. Required except when a controller "
         "supplies it from a template."),
       F_LIST("command", STRING, 0,
              "Entrypoint array, run without a shell; the image's ENTRYPOINT when empty."),
       F_LIST("args", STRING, 0, "Arguments to the entrypoint; the image's CMD when empty."),
       F("workingDir", STRING, 0, "Working directory; the image's default when empty."),
       F_KLIST("ports", container_port, "containerPort", 0,
               "Ports to expose from the container; informational, any listening port is "
               "reachable."),
       F_OLIST("envFrom", env_from_source, 0,
               "Sources of environment variables; env entries win on duplicate keys."),
       F_KLIST("env", env_var, "name", 0, "Environment variables to set in the container."),
       F_OBJ("resources", resource_requirements, 0, "Compute resources required."),
       F_LIST("resizePolicy", ANY, 0, "How resources may be resized in place."),
       F("restartPolicy", STRING, 0,
         "Only \"Always\", for init containers that keep running beside the app (sidecars)."),
       F_KLIST("volumeMounts", volume_mount, "mountPath", 0,
               "Volumes of the pod to mount into the container's filesystem."),
       F_KLIST("volumeDevices", volume_device, "devicePath", 0,
               "Block devices to be used by the container."),
       F_OBJ("livenessProbe", probe, 0,
             "Periodic check of container liveness; the container is restarted on failure."),
       F_OBJ("readinessProbe", probe, 0,
             "Periodic check of container readiness; failing containers get no service "
             "traffic."),
       F_OBJ("startupProbe", probe, 0,
             "Check that the container started; other probes wait until it succeeds."),
       F_OBJ("lifecycle", lifecycle, 0, "Actions run in response to lifecycle events."),
       F("terminationMessagePath", STRING, 0,
         "File whose contents become the termination message. Defaults to "
         "/dev/termination-log."),
       F_ENUM("terminationMessagePolicy", term_msg_policies, 0,
              "File, or FallbackToLogsOnError to use the log tail when the file is empty. "
              "Defaults to File."),
       F_ENUM("imagePullPolicy", pull_policies, 0,
              "Always, Never or IfNotPresent. Defaults to Always for :latest or untagged "
              "images, else IfNotPresent."),
       F_OBJ("securityContext", security_context, 0, "Security options of the container."),
       F("stdin", BOOL, 0, "Allocate a stdin buffer for the container."),
       F("stdinOnce", BOOL, 0, "Close stdin after the first attach session."),
       F("tty", BOOL, 0, "Allocate a TTY; needs stdin."));
