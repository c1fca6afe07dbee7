/* core/v1 Namespace, ConfigMap, Secret, Event and ServiceAccount. */
#include "schema_decl.h"

ENUM(ns_phases, "Active", "Terminating");
ENUM(cond_status, "True", "False", "Unknown");
ENUM(event_types, "Normal", "Warning");

LOCAL_SCHEMA(ns_spec, "io.k8s.api.core.v1.NamespaceSpec", "Desired state of a namespace.",
       F_LIST("finalizers", STRING, 0,
              "Finalizers that must be cleared before the namespace is removed."));

LOCAL_SCHEMA(ns_condition, "io.k8s.api.core.v1.NamespaceCondition",
       "One aspect of a namespace's state.",
       F("type", STRING, REQ, "Type of the condition."),
       F_ENUM("status", cond_status, REQ, "True, False or Unknown."),
       F("lastTransitionTime", TIME, 0, "When the status last changed."),
       F("reason", STRING, 0, "CamelCase reason."),
       F("message", STRING, 0, "Human-readable details."));

LOCAL_SCHEMA(ns_status, "io.k8s.api.core.v1.NamespaceStatus", "Observed state of a namespace.",
       F_ENUM("phase", ns_phases, 0, "Active or Terminating."),
       F_KLIST("conditions", ns_condition, "type", 0, "Current conditions."));

SCHEMA(sk_schema_namespace, "io.k8s.api.core.v1.Namespace",
       "A scope for names; most objects live in a namespace.", F_TYPEMETA,
       F_OBJ("spec", ns_spec, 0, "Desired state of the namespace."),
       F_OBJ("status", ns_status, 0, "Observed state of the namespace."));

SCHEMA(sk_schema_config_map, "io.k8s.api.core.v1.ConfigMap",
       "Non-confidential configuration data as key/value pairs.", F_TYPEMETA,
       F_MAP("data", STRING, 0,
             "UTF-8 configuration data; keys are made of letters, digits, '-', '_' and '.'."),
       F_MAP("binaryData", BYTES, 0, "Binary configuration data; keys must not repeat data's."),
       F("immutable", BOOL, 0, "When true, data and binaryData can no longer change."));

SCHEMA(sk_schema_secret, "io.k8s.api.core.v1.Secret",
       "Confidential data such as passwords, tokens or keys.", F_TYPEMETA,
       F_MAP("data", BYTES, 0, "Secret data, base64-encoded in JSON."),
       F_MAP("stringData", STRING, 0,
             "Write-only convenience: plain strings merged into data on write."),
       F("type", STRING, 0, "Type of the secret, for programmatic handling. Defaults to Opaque."),
       F("immutable", BOOL, 0, "When true, data can no longer change."));

LOCAL_SCHEMA(event_source, "io.k8s.api.core.v1.EventSource", "Who reported an event.",
       F("component", STRING, 0, "Component that generated the event."),
       F("host", STRING, 0, "Node name the event came from."));

LOCAL_SCHEMA(event_series, "io.k8s.api.core.v1.EventSeries", "A series of repeated events.",
       F("count", INT32, 0, "Occurrences in the series so far."),
       F("lastObservedTime", MICROTIME, 0, "When the last occurrence was seen."));

SCHEMA(sk_schema_event, "io.k8s.api.core.v1.Event",
       "A report of something that happened in the cluster.", F_TYPEMETA,
       F_OBJ("involvedObject", sk_schema_object_reference, REQ, "The object the event is about."),
       F("reason", STRING, 0, "Short CamelCase reason, e.g. Scheduled."),
       F("message", STRING, 0, "Human-readable description."),
       F_OBJ("source", event_source, 0, "Component reporting the event."),
       F("firstTimestamp", TIME, 0, "When the event was first recorded."),
       F("lastTimestamp", TIME, 0, "When the event was most recently recorded."),
       F("count", INT32, 0, "How many times the event occurred."),
       F_ENUM("type", event_types, 0, "Normal or Warning."),
       F("eventTime", MICROTIME, 0, "When the event was first observed."),
       F_OBJ("series", event_series, 0, "Data about a series of this event."),
       F("action", STRING, 0, "What was done or failed, about the object."),
       F_OBJ("related", sk_schema_object_reference, 0, "A secondary object involved."),
       F("reportingComponent", STRING, 0, "Controller that emitted the event."),
       F("reportingInstance", STRING, 0, "Instance of the controller."));

SCHEMA(sk_schema_service_account, "io.k8s.api.core.v1.ServiceAccount",
       "An identity for processes that run in pods.", F_TYPEMETA,
       F_KLIST("secrets", sk_schema_object_reference, "name", 0,
               "Secrets pods of this account may use (legacy tokens)."),
       F_OLIST("imagePullSecrets", sk_schema_local_object_reference, 0,
               "Registry credentials added to pods of this account."),
       F("automountServiceAccountToken", BOOL, 0,
         "Whether pods of this account get an API token mounted."));
