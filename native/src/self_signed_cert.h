// self_signed_cert.h: a throwaway TLS identity for the https loopback callback (Meta requires an
// https redirect). Made in memory per run, never written to disk.
//
//   Result<TlsIdentity> id = make_self_signed_cert(CertAlgorithm::kEcdsaP256);
//   httplib::SSLServer server(id.value().cert.get(), id.value().key.get());
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>

#include "status.h"

namespace keryx {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// CertAlgorithm: ECDSA P-256 is the default (fast to make); RSA-2048 exists for the benchmark.
enum class CertAlgorithm { kEcdsaP256, kRsa2048 };

// kCertLifetime: how long the certificate is valid (it lives only as long as one flow).
inline constexpr std::chrono::hours kCertLifetime{24};

// TlsIdentity: a certificate and its private key (freed with OpenSSL on destruction).
struct TlsIdentity {
  X509Ptr cert;
  EvpPkeyPtr key;
};

// make_self_signed_cert: a fresh key and a self-signed X.509 v3 certificate, CN=localhost, SAN
// DNS:localhost, IP:127.0.0.1, IP:::1, plus `extra_dns` / `extra_ip` when given (a pinned LAN
// host), valid from 5 minutes ago for kCertLifetime, a 128-bit random serial, SHA-256 signature.
Result<TlsIdentity> make_self_signed_cert(CertAlgorithm algorithm, const std::string& extra_host = "");

// cert_to_pem: PEM text of the certificate (public; used by tests and the CA-file option).
std::string cert_to_pem(X509* cert);

}  // namespace keryx
