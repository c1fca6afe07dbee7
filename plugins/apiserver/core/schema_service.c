/* core/v1 Service and Endpoints. */
#include "schema_decl.h"

ENUM(protocols, "TCP", "UDP", "SCTP");
ENUM(service_types, "ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
ENUM(affinities, "None", "ClientIP");
ENUM(traffic_policies, "Cluster", "Local");
ENUM(family_policies, "SingleStack", "PreferDualStack", "RequireDualStack");

LOCAL_SCHEMA(service_port, "io.k8s.api.core.v1.ServicePort", "A port the service exposes.",
       F("name", STRING, 0,
         "Name of the port, a DNS label; required when the service has several ports."),
       F_ENUM("protocol", protocols, 0, "TCP, UDP or SCTP. Defaults to TCP."),
       F("appProtocol", STRING, 0, "Application protocol, e.g. http."),
       F("port", INT32, REQ, "Port the service listens on."),
       F("targetPort", INT_OR_STRING, 0,
         "Port number or name on the selected pods. Defaults to port."),
       F("nodePort", INT32, 0,
         "Port on every node for NodePort and LoadBalancer services; allocated when 0."));

LOCAL_SCHEMA(client_ip_config, "io.k8s.api.core.v1.ClientIPConfig",
       "Settings of ClientIP session affinity.",
       F("timeoutSeconds", INT32, 0, "Sticky session lifetime, 1-86400. Defaults to 10800."));

LOCAL_SCHEMA(affinity_config, "io.k8s.api.core.v1.SessionAffinityConfig",
       "Settings of session affinity.",
       F_OBJ("clientIP", client_ip_config, 0, "ClientIP affinity settings."));

LOCAL_SCHEMA(service_spec, "io.k8s.api.core.v1.ServiceSpec", "What a service exposes.",
       F_KLIST("ports", service_port, "port", 0, "Ports the service exposes."),
       F_MAP("selector", STRING, 0,
             "Labels of the pods traffic is sent to; when empty, endpoints are managed by "
             "hand."),
       F("clusterIP", STRING, 0,
         "Virtual IP of the service; allocated when empty, \"None\" for a headless "
         "service. Cannot be changed."),
       F_LIST("clusterIPs", STRING, 0, "Virtual IPs, one per IP family."),
       F_ENUM("type", service_types, 0,
              "ClusterIP, NodePort, LoadBalancer or ExternalName. Defaults to ClusterIP."),
       F_LIST("externalIPs", STRING, 0, "Extra IPs the nodes accept traffic for."),
       F_ENUM("sessionAffinity", affinities, 0, "None or ClientIP. Defaults to None."),
       F("loadBalancerIP", STRING, 0, "Deprecated: requested load balancer IP."),
       F_LIST("loadBalancerSourceRanges", STRING, 0, "Client CIDRs allowed to reach an LB."),
       F("externalName", STRING, 0, "DNS name returned as a CNAME for ExternalName services."),
       F_ENUM("externalTrafficPolicy", traffic_policies, 0,
              "Cluster or Local routing of external traffic."),
       F("healthCheckNodePort", INT32, 0, "Health check port for Local traffic policy."),
       F("publishNotReadyAddresses", BOOL, 0, "Publish endpoints of pods not ready."),
       F_OBJ("sessionAffinityConfig", affinity_config, 0, "Session affinity settings."),
       F_LIST("ipFamilies", STRING, 0, "IPv4 and/or IPv6."),
       F_ENUM("ipFamilyPolicy", family_policies, 0,
              "SingleStack, PreferDualStack or RequireDualStack."),
       F("allocateLoadBalancerNodePorts", BOOL, 0, "Allocate node ports for LoadBalancer."),
       F("loadBalancerClass", STRING, 0, "Class of the load balancer implementation."),
       F_ENUM("internalTrafficPolicy", traffic_policies, 0,
              "Cluster or Local routing of in-cluster traffic."),
       F("trafficDistribution", STRING, 0, "Preference for how traffic is distributed."));

LOCAL_SCHEMA(lb_ingress, "io.k8s.api.core.v1.LoadBalancerIngress",
       "An ingress point of a load balancer.",
       F("ip", STRING, 0, "IP of the ingress point."),
       F("hostname", STRING, 0, "Hostname of the ingress point."),
       F("ipMode", STRING, 0, "VIP or Proxy."),
       F_LIST("ports", ANY, 0, "Port status of the ingress point."));

LOCAL_SCHEMA(lb_status, "io.k8s.api.core.v1.LoadBalancerStatus", "Status of a load balancer.",
       F_OLIST("ingress", lb_ingress, 0, "Ingress points of the load balancer."));

LOCAL_SCHEMA(service_status, "io.k8s.api.core.v1.ServiceStatus", "Observed state of a service.",
       F_OBJ("loadBalancer", lb_status, 0, "Status of the load balancer, if any."),
       F_KLIST("conditions", sk_schema_condition, "type", 0, "Current conditions."));

SCHEMA(sk_schema_service, "io.k8s.api.core.v1.Service",
       "A named abstraction of a set of pods behind a stable virtual IP and ports.",
       F_TYPEMETA, F_OBJ("spec", service_spec, 0, "What the service exposes."),
       F_OBJ("status", service_status, 0, "Most recently observed status of the service."));

LOCAL_SCHEMA(endpoint_address, "io.k8s.api.core.v1.EndpointAddress", "One endpoint's address.",
       F("ip", STRING, REQ, "IP of the endpoint."),
       F("hostname", STRING, 0, "Hostname of the endpoint."),
       F("nodeName", STRING, 0, "Node hosting the endpoint."),
       F_OBJ("targetRef", sk_schema_object_reference, 0, "The object providing the endpoint."));

LOCAL_SCHEMA(endpoint_port, "io.k8s.api.core.v1.EndpointPort", "A port of the endpoints.",
       F("name", STRING, 0, "Name of the port, matching a service port's name."),
       F("port", INT32, REQ, "Port number."),
       F_ENUM("protocol", protocols, 0, "TCP, UDP or SCTP. Defaults to TCP."),
       F("appProtocol", STRING, 0, "Application protocol."));

LOCAL_SCHEMA(endpoint_subset, "io.k8s.api.core.v1.EndpointSubset",
       "Addresses sharing the same ports.",
       F_OLIST("addresses", endpoint_address, 0, "Ready addresses."),
       F_OLIST("notReadyAddresses", endpoint_address, 0, "Addresses not ready yet."),
       F_OLIST("ports", endpoint_port, 0, "Ports available on the addresses."));

SCHEMA(sk_schema_endpoints, "io.k8s.api.core.v1.Endpoints",
       "The addresses and ports that implement a service.", F_TYPEMETA,
       F_OLIST("subsets", endpoint_subset, 0, "Sets of addresses and ports."));
