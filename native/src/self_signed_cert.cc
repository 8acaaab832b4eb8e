// self_signed_cert.cc: key generation and self-signing with OpenSSL 3.
#include "self_signed_cert.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>

#include "url_parts.h"

namespace keryx {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ExtDeleter {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

Status add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtDeleter> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Status(Code::kCryptoError, "could not add a certificate extension");
  }
  return Status::Ok();
}

}  // namespace

Result<TlsIdentity> make_self_signed_cert(CertAlgorithm algorithm, const std::string& extra_host) {
  TlsIdentity id;
  id.key.reset(algorithm == CertAlgorithm::kEcdsaP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
  if (!id.key) return Status(Code::kCryptoError, "could not generate a TLS key");
  id.cert.reset(X509_new());
  if (!id.cert) return Status(Code::kCryptoError, "could not allocate a certificate");
  X509* cert = id.cert.get();
  X509_set_version(cert, 2);  // v3

  std::array<unsigned char, 16> serial_bytes{};
  if (RAND_bytes(serial_bytes.data(), static_cast<int>(serial_bytes.size())) != 1)
    return Status(Code::kCryptoError, "no randomness for the serial");
  serial_bytes[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, BnDeleter> serial(
      BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return Status(Code::kCryptoError, "could not set the serial");
  }
  X509_gmtime_adj(X509_getm_notBefore(cert), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert), std::chrono::seconds(kCertLifetime).count());
  X509_set_pubkey(cert, id.key.get());

  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("keryx (this run only)"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);

  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!extra_host.empty() && extra_host != "localhost" && extra_host != "127.0.0.1" && extra_host != "::1") {
    const bool is_ip =
        extra_host.find(':') != std::string::npos || extra_host.find_first_not_of("0123456789.") == std::string::npos;
    san += (is_ip ? ",IP:" : ",DNS:") + extra_host;
  }
  KERYX_RETURN_IF_ERROR(add_extension(cert, NID_subject_alt_name, san));
  KERYX_RETURN_IF_ERROR(add_extension(cert, NID_basic_constraints, "critical,CA:FALSE"));
  KERYX_RETURN_IF_ERROR(add_extension(cert, NID_ext_key_usage, "serverAuth"));
  if (X509_sign(cert, id.key.get(), EVP_sha256()) <= 0)
    return Status(Code::kCryptoError, "could not sign the certificate");
  return id;
}

std::string cert_to_pem(X509* cert) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace keryx
