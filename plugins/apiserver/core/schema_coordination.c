/* coordination.k8s.io/v1 Lease. */
#include "schema_decl.h"

LOCAL_SCHEMA(lease_spec, "io.k8s.api.coordination.v1.LeaseSpec", "Who holds a lease.",
       F("holderIdentity", STRING, 0, "Identity of the current holder."),
       F("leaseDurationSeconds", INT32, 0,
         "Seconds candidates wait before they may take the lease over."),
       F("acquireTime", MICROTIME, 0, "When the current holder acquired the lease."),
       F("renewTime", MICROTIME, 0, "When the holder last renewed the lease."),
       F("leaseTransitions", INT32, 0, "How many times the lease changed holders."),
       F("strategy", STRING, 0, "Strategy for picking the leader in coordinated election."),
       F("preferredHolder", STRING, 0, "Signals the holder should give the lease up."));

SCHEMA(sk_schema_lease, "io.k8s.api.coordination.v1.Lease",
       "A lease, used for node heartbeats and leader election.", F_TYPEMETA,
       F_OBJ("spec", lease_spec, 0, "The lease's holder and times."));
