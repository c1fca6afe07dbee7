/* meta.k8s.io/v1 types shared by every kind. */
#include "schema_decl.h"

SCHEMA(sk_schema_owner_reference, "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
       "Identifies an owning object; the owned object is garbage-collected with its owner.",
       F("apiVersion", STRING, REQ, "API version of the owner."),
       F("kind", STRING, REQ, "Kind of the owner."),
       F("name", STRING, REQ, "Name of the owner."),
       F("uid", STRING, REQ, "UID of the owner."),
       F("controller", BOOL, 0, "True when the owner is the managing controller."),
       F("blockOwnerDeletion", BOOL, 0,
         "When true, the owner cannot be deleted in the foreground before this object is "
         "removed."));

LOCAL_SCHEMA(managed_fields_entry, "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
       "A record of which fields a manager set, for server-side apply.",
       F("apiVersion", STRING, 0, "Version of the resource the fields belong to."),
       F("fieldsType", STRING, 0, "Format of fieldsV1; only \"FieldsV1\" exists."),
       F("fieldsV1", ANY, 0, "The set of fields, as a trie of field names."),
       F("manager", STRING, 0, "Who manages these fields."),
       F("operation", STRING, 0, "Apply or Update."),
       F("subresource", STRING, 0, "The subresource the fields were written through."),
       F("time", TIME, 0, "When the entry last changed."));

SCHEMA(sk_schema_object_meta, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
       "Metadata every persisted object has.",
       F("name", STRING, 0,
         "Name unique within the namespace (or cluster, for cluster-scoped kinds). It cannot be "
         "changed once set."),
       F("generateName", STRING, 0,
         "Prefix for a server-generated unique name, used when name is empty on create."),
       F("namespace", STRING, 0,
         "Namespace the object lives in; empty for cluster-scoped kinds. Defaults to "
         "\"default\" for namespaced kinds."),
       F("selfLink", STRING, 0, "Deprecated and never set."),
       F("uid", STRING, 0, "Unique identifier set by the server on create; read-only."),
       F("resourceVersion", STRING, 0,
         "Opaque version of the object, changed on every write; used for optimistic "
         "concurrency and watches. Read-only."),
       F("generation", INT64, 0,
         "Sequence number of changes to the desired state (spec); read-only."),
       F("creationTimestamp", TIME, 0, "When the object was created (UTC); read-only."),
       F("deletionTimestamp", TIME, 0,
         "When the object will be deleted; set by the server when deletion is requested."),
       F("deletionGracePeriodSeconds", INT64, 0,
         "Seconds allowed for graceful termination once deletion is requested."),
       F_MAP("labels", STRING, 0,
             "Key/value pairs used to organize and select objects (label selectors)."),
       F_MAP("annotations", STRING, 0,
             "Key/value pairs for arbitrary non-identifying metadata, not queryable."),
       F_KLIST("ownerReferences", sk_schema_owner_reference, "uid", 0,
               "Objects this one depends on; when all are gone it is garbage-collected."),
       F_SET("finalizers", 0,
             "Conditions that must be cleared, each by its controller, before the object is "
             "removed from the registry."),
       F_OLIST("managedFields", managed_fields_entry, 0,
               "Which manager owns which fields (server-side apply bookkeeping)."));

SCHEMA(sk_schema_list_meta, "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
       "Metadata of a list response.",
       F("resourceVersion", STRING, 0, "Version of the store the list was read at."),
       F("continue", STRING, 0, "Token to fetch the next page, when the list was limited."),
       F("remainingItemCount", INT64, 0, "Items left after this page, when known."),
       F("selfLink", STRING, 0, "Deprecated and never set."));

ENUM(selector_ops, "In", "NotIn", "Exists", "DoesNotExist");
LOCAL_SCHEMA(selector_requirement, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
       "One set-based requirement of a label selector.",
       F("key", STRING, REQ, "The label key the requirement applies to."),
       F_ENUM("operator", selector_ops, REQ, "In, NotIn, Exists or DoesNotExist."),
       F_LIST("values", STRING, 0,
              "Values for In and NotIn (non-empty); must be empty for Exists and "
              "DoesNotExist."));

SCHEMA(sk_schema_label_selector, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
       "A label query; all requirements are ANDed. An empty selector matches everything.",
       F_MAP("matchLabels", STRING, 0,
             "Exact key=value pairs, each equivalent to an In requirement with one value."),
       F_OLIST("matchExpressions", selector_requirement, 0, "Set-based requirements."));

ENUM(condition_status, "True", "False", "Unknown");
SCHEMA(sk_schema_condition, "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
       "One aspect of an object's current state.",
       F("type", STRING, REQ, "Condition type in CamelCase, e.g. Available."),
       F_ENUM("status", condition_status, REQ, "True, False or Unknown."),
       F("observedGeneration", INT64, 0, "The metadata.generation the condition was set for."),
       F("lastTransitionTime", TIME, REQ, "When the status last changed."),
       F("reason", STRING, REQ, "Programmatic CamelCase reason for the last transition."),
       F("message", STRING, REQ, "Human-readable details about the transition."));

SCHEMA(sk_schema_object_reference, "io.k8s.api.core.v1.ObjectReference",
       "A reference to another object, with enough detail to find it.",
       F("kind", STRING, 0, "Kind of the referent."),
       F("namespace", STRING, 0, "Namespace of the referent."),
       F("name", STRING, 0, "Name of the referent."),
       F("uid", STRING, 0, "UID of the referent."),
       F("apiVersion", STRING, 0, "API version of the referent."),
       F("resourceVersion", STRING, 0, "Specific resourceVersion referred to, if any."),
       F("fieldPath", STRING, 0,
         "A piece of the object, e.g. spec.containers{name} for one container of a pod."));

SCHEMA(sk_schema_local_object_reference, "io.k8s.api.core.v1.LocalObjectReference",
       "A reference to an object in the same namespace.",
       F("name", STRING, 0, "Name of the referent."));
