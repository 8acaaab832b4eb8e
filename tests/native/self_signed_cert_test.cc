// self_signed_cert_test.cc: make_self_signed_cert (key types, SAN, validity, serial, signature,
// extensions) and cert_to_pem, read back with OpenSSL.
#include "self_signed_cert.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <set>
#include <string>
#include <vector>

namespace keryx {
namespace {

TlsIdentity must_make(CertAlgorithm algorithm, const std::string& extra_host = "") {
  Result<TlsIdentity> r = make_self_signed_cert(algorithm, extra_host);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return TlsIdentity{};
  return std::move(r).value();
}

// SanEntries: the SAN read back as "DNS:name" / "IP:text" strings, in certificate order.
std::vector<std::string> san_entries(X509* cert) {
  std::vector<std::string> out;
  int critical = -1;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      char text[64] = {0};
      const int len = ASN1_STRING_length(ip);
      if (len == 4) {
        inet_ntop(AF_INET, ASN1_STRING_get0_data(ip), text, sizeof text);
      } else if (len == 16) {
        inet_ntop(AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof text);
      }
      out.push_back(std::string("IP:") + text);
    } else {
      out.push_back("other");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// seconds_from_now: `t` minus the current time, in seconds.
long seconds_from_now(const ASN1_TIME* t) {
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, t) != 1) return 0x7fffffff;
  return static_cast<long>(days) * 86400 + secs;
}

std::string subject_entry(X509* cert, int nid) {
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof buf);
  return buf;
}

TEST(SelfSignedCert, EcdsaP256Key) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert && id.key);
  EXPECT_EQ(EVP_PKEY_get_base_id(id.key.get()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(id.key.get()), 256);
  char group[64] = {0};
  std::size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(id.key.get(), group, sizeof group, &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(id.cert.get()), NID_ecdsa_with_SHA256);
}

TEST(SelfSignedCert, Rsa2048Key) {
  TlsIdentity id = must_make(CertAlgorithm::kRsa2048);
  ASSERT_TRUE(id.cert && id.key);
  EXPECT_EQ(EVP_PKEY_get_base_id(id.key.get()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(id.key.get()), 2048);
  EXPECT_EQ(X509_get_signature_nid(id.cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(X509_verify(id.cert.get(), id.key.get()), 1);
}

TEST(SelfSignedCert, CertificateCarriesTheKeyItWasMadeWith) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert && id.key);
  EXPECT_EQ(X509_check_private_key(id.cert.get(), id.key.get()), 1);
  EVP_PKEY* pub = X509_get0_pubkey(id.cert.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(pub, id.key.get()), 1);
  // Another run's key does not match.
  TlsIdentity other = must_make(CertAlgorithm::kEcdsaP256);
  EXPECT_NE(EVP_PKEY_eq(pub, other.key.get()), 1);
}

TEST(SelfSignedCert, VersionThreeAndSubjectAndSelfIssued) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert);
  EXPECT_EQ(X509_get_version(id.cert.get()), 2);  // v3
  EXPECT_EQ(subject_entry(id.cert.get(), NID_commonName), "localhost");
  EXPECT_EQ(subject_entry(id.cert.get(), NID_organizationName), "keryx (this run only)");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(id.cert.get()), X509_get_issuer_name(id.cert.get())), 0);
}

TEST(SelfSignedCert, SanHasLocalhostAndBothLoopbacks) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert);
  EXPECT_EQ(san_entries(id.cert.get()), (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_EQ(X509_check_host(id.cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(id.cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(id.cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(id.cert.get(), "example.com", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(id.cert.get(), "127.0.0.2", 0), 1);
}

TEST(SelfSignedCert, SanIsNotCritical) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  int critical = -2;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(id.cert.get(), NID_subject_alt_name, &critical, nullptr));
  ASSERT_NE(names, nullptr);
  GENERAL_NAMES_free(names);
  EXPECT_EQ(critical, 0);
}

TEST(SelfSignedCert, ExtraIpv4HostIsAnIpEntry) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256, "192.168.1.20");
  EXPECT_EQ(san_entries(id.cert.get()),
            (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1", "IP:192.168.1.20"}));
  EXPECT_EQ(X509_check_ip_asc(id.cert.get(), "192.168.1.20", 0), 1);
}

TEST(SelfSignedCert, ExtraIpv6HostIsAnIpEntry) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256, "fd00::2");
  EXPECT_EQ(san_entries(id.cert.get()),
            (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1", "IP:fd00::2"}));
}

TEST(SelfSignedCert, ExtraNameIsADnsEntry) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256, "devbox.lan");
  EXPECT_EQ(san_entries(id.cert.get()),
            (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1", "DNS:devbox.lan"}));
  EXPECT_EQ(X509_check_host(id.cert.get(), "devbox.lan", 0, 0, nullptr), 1);
}

TEST(SelfSignedCert, ExtraHostAlreadyPresentIsNotRepeated) {
  for (const char* host : {"localhost", "127.0.0.1", "::1"}) {
    TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256, host);
    EXPECT_EQ(san_entries(id.cert.get()), (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}))
        << host;
  }
}

TEST(SelfSignedCert, ValidForAboutADayStartingJustBeforeNow) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert);
  const long not_before = seconds_from_now(X509_get0_notBefore(id.cert.get()));
  const long not_after = seconds_from_now(X509_get0_notAfter(id.cert.get()));
  EXPECT_LE(not_before, -290);  // 5 minutes back, for clock skew
  EXPECT_GE(not_before, -310);
  const long lifetime = std::chrono::seconds(kCertLifetime).count();
  EXPECT_EQ(lifetime, 86400);
  EXPECT_LE(not_after, lifetime);
  EXPECT_GE(not_after, lifetime - 10);
  EXPECT_EQ(X509_cmp_current_time(X509_get0_notBefore(id.cert.get())), -1);
  EXPECT_EQ(X509_cmp_current_time(X509_get0_notAfter(id.cert.get())), 1);
}

TEST(SelfSignedCert, SerialIsPositiveAndUniqueAcrossCalls) {
  std::set<std::string> serials;
  for (int i = 0; i < 8; ++i) {
    TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
    ASSERT_TRUE(id.cert);
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(id.cert.get()), nullptr);
    ASSERT_NE(bn, nullptr);
    EXPECT_FALSE(BN_is_negative(bn));
    EXPECT_FALSE(BN_is_zero(bn));
    EXPECT_LE(BN_num_bits(bn), 127);  // 128 random bits with the top one cleared
    EXPECT_GT(BN_num_bits(bn), 64);   // astronomically unlikely to be this small
    char* hex = BN_bn2hex(bn);
    serials.insert(hex);
    OPENSSL_free(hex);
    BN_free(bn);
  }
  EXPECT_EQ(serials.size(), 8u);
}

TEST(SelfSignedCert, SignatureVerifiesWithItsOwnKeyOnly) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  TlsIdentity other = must_make(CertAlgorithm::kEcdsaP256);
  ASSERT_TRUE(id.cert && other.key);
  EXPECT_EQ(X509_verify(id.cert.get(), id.key.get()), 1);
  EXPECT_EQ(X509_verify(id.cert.get(), X509_get0_pubkey(id.cert.get())), 1);
  EXPECT_NE(X509_verify(id.cert.get(), other.key.get()), 1);
  EXPECT_EQ(X509_check_issued(id.cert.get(), id.cert.get()), X509_V_OK);
}

TEST(SelfSignedCert, BasicConstraintsCriticalAndNotACa) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  int critical = -2;
  auto* bc =
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(id.cert.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_EQ(bc->ca, 0);
  EXPECT_EQ(bc->pathlen, nullptr);
  EXPECT_EQ(critical, 1);
  BASIC_CONSTRAINTS_free(bc);
  EXPECT_EQ(X509_check_ca(id.cert.get()), 0);
}

TEST(SelfSignedCert, ExtendedKeyUsageIsServerAuthOnly) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  const uint32_t xku = X509_get_extended_key_usage(id.cert.get());
  EXPECT_EQ(xku, static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_check_purpose(id.cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_NE(X509_check_purpose(id.cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
}

TEST(SelfSignedCert, VerifiesAsItsOwnTrustAnchorForLocalhost) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  X509_STORE* store = X509_STORE_new();
  ASSERT_EQ(X509_STORE_add_cert(store, id.cert.get()), 1);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  ASSERT_EQ(X509_STORE_CTX_init(ctx, store, id.cert.get(), nullptr), 1);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set1_host(param, "localhost", 0);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  const int ok = X509_verify_cert(ctx);
  EXPECT_EQ(ok, 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
}

TEST(CertToPem, IsPemAndRoundTrips) {
  TlsIdentity id = must_make(CertAlgorithm::kEcdsaP256);
  const std::string pem = cert_to_pem(id.cert.get());
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  const std::string end = "-----END CERTIFICATE-----\n";
  ASSERT_GT(pem.size(), end.size());
  EXPECT_EQ(pem.substr(pem.size() - end.size()), end);
  EXPECT_EQ(pem.find("PRIVATE KEY"), std::string::npos);  // the key never leaves

  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* back = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(X509_cmp(back, id.cert.get()), 0);
  X509_free(back);
}

TEST(CertToPem, DiffersPerCertificate) {
  TlsIdentity a = must_make(CertAlgorithm::kEcdsaP256);
  TlsIdentity b = must_make(CertAlgorithm::kEcdsaP256);
  EXPECT_NE(cert_to_pem(a.cert.get()), cert_to_pem(b.cert.get()));
}

}  // namespace
}  // namespace keryx
