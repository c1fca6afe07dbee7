/* apps/v1 Deployment and ReplicaSet, and autoscaling/v1 Scale. */
#include "schema_decl.h"

ENUM(strategy_types, "Recreate", "RollingUpdate");
ENUM(cond_status, "True", "False", "Unknown");

LOCAL_SCHEMA(rolling_update, "io.k8s.api.apps.v1.RollingUpdateDeployment",
       "Parameters of a rolling update.",
       F("maxUnavailable", INT_OR_STRING, 0,
         "Pods that may be unavailable during the update, a number or a percentage of "
         "desired pods. Defaults to 25%."),
       F("maxSurge", INT_OR_STRING, 0,
         "Pods that may be created above the desired count, a number or a percentage. "
         "Defaults to 25%."));

LOCAL_SCHEMA(deployment_strategy, "io.k8s.api.apps.v1.DeploymentStrategy",
       "How old pods are replaced by new ones.",
       F_ENUM("type", strategy_types, 0, "Recreate or RollingUpdate. Defaults to RollingUpdate."),
       F_OBJ("rollingUpdate", rolling_update, 0, "Parameters when type is RollingUpdate."));

LOCAL_SCHEMA(deployment_spec, "io.k8s.api.apps.v1.DeploymentSpec",
       "Desired state of a deployment.",
       F("replicas", INT32, 0, "Number of desired pods. Defaults to 1."),
       F_OBJ("selector", sk_schema_label_selector, REQ,
             "Label selector of the pods the deployment manages; must match the template's "
             "labels. Immutable."),
       F_OBJ("template", sk_schema_pod_template_spec, REQ, "Template of the pods created."),
       F_OBJ_RK("strategy", deployment_strategy, 0, "How existing pods are replaced."),
       F("minReadySeconds", INT32, 0,
         "Seconds a new pod must be ready before it counts as available. Defaults to 0."),
       F("revisionHistoryLimit", INT32, 0,
         "Old ReplicaSets kept for rollback. Defaults to 10."),
       F("paused", BOOL, 0, "Whether the deployment is paused."),
       F("progressDeadlineSeconds", INT32, 0,
         "Seconds to make progress before the deployment is reported as failed. Defaults "
         "to 600."));

LOCAL_SCHEMA(deployment_condition, "io.k8s.api.apps.v1.DeploymentCondition",
       "One aspect of a deployment's state, e.g. Available or Progressing.",
       F("type", STRING, REQ, "Type of the condition."),
       F_ENUM("status", cond_status, REQ, "True, False or Unknown."),
       F("lastUpdateTime", TIME, 0, "When the condition was last updated."),
       F("lastTransitionTime", TIME, 0, "When the status last changed."),
       F("reason", STRING, 0, "CamelCase reason for the last transition."),
       F("message", STRING, 0, "Human-readable details."));

LOCAL_SCHEMA(deployment_status, "io.k8s.api.apps.v1.DeploymentStatus",
       "Observed state of a deployment.",
       F("observedGeneration", INT64, 0, "Generation observed by the controller."),
       F("replicas", INT32, 0, "Pods targeted by the deployment."),
       F("updatedReplicas", INT32, 0, "Pods with the current template."),
       F("readyReplicas", INT32, 0, "Pods that are ready."),
       F("availableReplicas", INT32, 0, "Pods ready for at least minReadySeconds."),
       F("unavailableReplicas", INT32, 0, "Pods still needed for full availability."),
       F("terminatingReplicas", INT32, 0, "Pods being terminated."),
       F_KLIST("conditions", deployment_condition, "type", 0, "Current conditions."),
       F("collisionCount", INT32, 0, "Hash collisions seen when naming ReplicaSets."));

SCHEMA(sk_schema_deployment, "io.k8s.api.apps.v1.Deployment",
       "Declarative updates for pods through ReplicaSets.", F_TYPEMETA,
       F_OBJ("spec", deployment_spec, 0, "Desired behaviour of the deployment."),
       F_OBJ("status", deployment_status, 0, "Most recently observed status."));

LOCAL_SCHEMA(rs_spec, "io.k8s.api.apps.v1.ReplicaSetSpec", "Desired state of a ReplicaSet.",
       F("replicas", INT32, 0, "Number of desired pods. Defaults to 1."),
       F("minReadySeconds", INT32, 0, "Seconds a new pod must be ready to be available."),
       F_OBJ("selector", sk_schema_label_selector, REQ,
             "Label selector of the pods; must match the template's labels."),
       F_OBJ("template", sk_schema_pod_template_spec, 0, "Template of the pods created."));

LOCAL_SCHEMA(rs_condition, "io.k8s.api.apps.v1.ReplicaSetCondition",
       "One aspect of a ReplicaSet's state.",
       F("type", STRING, REQ, "Type of the condition."),
       F_ENUM("status", cond_status, REQ, "True, False or Unknown."),
       F("lastTransitionTime", TIME, 0, "When the status last changed."),
       F("reason", STRING, 0, "CamelCase reason."),
       F("message", STRING, 0, "Human-readable details."));

LOCAL_SCHEMA(rs_status, "io.k8s.api.apps.v1.ReplicaSetStatus", "Observed state of a ReplicaSet.",
       F("replicas", INT32, REQ, "Most recently observed number of pods."),
       F("fullyLabeledReplicas", INT32, 0, "Pods whose labels match the template's."),
       F("readyReplicas", INT32, 0, "Pods that are ready."),
       F("availableReplicas", INT32, 0, "Pods ready for at least minReadySeconds."),
       F("terminatingReplicas", INT32, 0, "Pods being terminated."),
       F("observedGeneration", INT64, 0, "Generation observed by the controller."),
       F_KLIST("conditions", rs_condition, "type", 0, "Current conditions."));

SCHEMA(sk_schema_replica_set, "io.k8s.api.apps.v1.ReplicaSet",
       "Keeps a given number of pod replicas running.", F_TYPEMETA,
       F_OBJ("spec", rs_spec, 0, "Desired behaviour of the ReplicaSet."),
       F_OBJ("status", rs_status, 0, "Most recently observed status."));

LOCAL_SCHEMA(scale_spec, "io.k8s.api.autoscaling.v1.ScaleSpec", "Desired scale.",
       F("replicas", INT32, 0, "Desired number of instances."));

LOCAL_SCHEMA(scale_status, "io.k8s.api.autoscaling.v1.ScaleStatus", "Observed scale.",
       F("replicas", INT32, REQ, "Actual number of instances."),
       F("selector", STRING, 0, "Label selector of the pods, in string form."));

SCHEMA(sk_schema_scale, "io.k8s.api.autoscaling.v1.Scale",
       "The scale subresource of a scalable resource.", F_TYPEMETA,
       F_OBJ("spec", scale_spec, 0, "Desired scale."),
       F_OBJ("status", scale_status, 0, "Current scale."));
