/* The generated TLS material of the default HTTPS listener: a cluster CA
 * kept in the plugin's data dir, and a serving certificate it signs at
 * every start (docs/API.md, "HTTPS"). */
#ifndef AP_TLS_GEN_H
#define AP_TLS_GEN_H

#include "apiserver.h"

/* Loads <data_dir>/ca.{crt,key}, or creates them when ca.crt is absent,
 * then issues a serving certificate for the names of s's config and
 * writes it to <data_dir>/apiserver.{crt,key}. On success s->tls_cert,
 * s->tls_key (the serving pair) and s->tls_ca (the CA certificate) are
 * malloc'd PEM owned by s, replacing what they held. On failure logs what
 * failed and where, returns a negative code, and leaves the three NULL. */
int ap_tls_generate(ap_server *s);

#endif
