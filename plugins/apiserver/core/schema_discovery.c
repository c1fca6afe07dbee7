/* discovery.k8s.io/v1 EndpointSlice. */
#include "schema_decl.h"

ENUM(address_types, "IPv4", "IPv6", "FQDN");
ENUM(protocols, "TCP", "UDP", "SCTP");

LOCAL_SCHEMA(conditions, "io.k8s.api.discovery.v1.EndpointConditions",
       "State of an endpoint.",
       F("ready", BOOL, 0, "Whether the endpoint should receive traffic."),
       F("serving", BOOL, 0, "Whether the endpoint is serving, even if terminating."),
       F("terminating", BOOL, 0, "Whether the endpoint is terminating."));

LOCAL_SCHEMA(endpoint, "io.k8s.api.discovery.v1.Endpoint", "One backend of a slice.",
       F_LIST("addresses", STRING, REQ, "Addresses of the endpoint (1 to 100)."),
       F_OBJ("conditions", conditions, 0, "State of the endpoint."),
       F("hostname", STRING, 0, "Hostname of the endpoint."),
       F_OBJ("targetRef", sk_schema_object_reference, 0, "The object providing the endpoint."),
       F("nodeName", STRING, 0, "Node hosting the endpoint."),
       F("zone", STRING, 0, "Zone of the endpoint."),
       F("hints", ANY, 0, "Topology hints for consumers."),
       F_MAP("deprecatedTopology", STRING, 0, "Deprecated topology labels."));

LOCAL_SCHEMA(endpoint_port, "io.k8s.api.discovery.v1.EndpointPort", "A port of the slice.",
       F("name", STRING, 0, "Name of the port, matching a service port's name."),
       F_ENUM("protocol", protocols, 0, "TCP, UDP or SCTP. Defaults to TCP."),
       F("port", INT32, 0, "Port number; empty means all ports."),
       F("appProtocol", STRING, 0, "Application protocol."));

SCHEMA(sk_schema_endpoint_slice, "io.k8s.api.discovery.v1.EndpointSlice",
       "A subset of the endpoints implementing a service.", F_TYPEMETA,
       F_ENUM("addressType", address_types, REQ, "IPv4, IPv6 or FQDN. Immutable."),
       F_OLIST("endpoints", endpoint, REQ, "The endpoints of the slice (at most 1000)."),
       F_OLIST("ports", endpoint_port, 0, "Ports exposed by every endpoint of the slice."));
