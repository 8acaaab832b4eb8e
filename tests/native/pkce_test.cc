// pkce_test.cc: RFC 7636 Appendix B vector, verifier alphabet and length, the hex variant.
#include "pkce.h"

#include <gtest/gtest.h>

#include <set>

#include "base64url.h"
#include "random.h"

namespace keryx {
namespace {

// RFC 7636 Appendix B.
constexpr char kRfcVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kRfcChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, Rfc7636AppendixBVector) {
  Result<std::string> c = pkce_challenge(PkceMethod::kS256, kRfcVerifier);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c.value(), kRfcChallenge);
}

TEST(Pkce, HexVariantIsLowercaseHexOfSha256) {
  // SHA-256 of the RFC verifier, decoded from the Appendix B challenge, printed as hex.
  Result<std::string> raw = base64url_decode(kRfcChallenge);
  ASSERT_TRUE(raw.ok());
  Result<std::string> c = pkce_challenge(PkceMethod::kS256Hex, kRfcVerifier);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value(), hex_encode(raw.value()));
  EXPECT_EQ(c.value(), "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3");
  EXPECT_EQ(pkce_method_param(PkceMethod::kS256Hex), "S256");
}

TEST(Pkce, PlainIsTheVerifier) {
  Result<std::string> c = pkce_challenge(PkceMethod::kPlain, kRfcVerifier);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value(), kRfcVerifier);
}

TEST(Pkce, VerifierAlphabetAndLength) {
  for (std::size_t len : {43u, 64u, 128u}) {
    Result<SecretString> v = pkce_create_verifier(len);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value().size(), len);
    EXPECT_TRUE(pkce_validate_verifier(v.value().view()).ok());
  }
  EXPECT_EQ(pkce_create_verifier(42).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(pkce_create_verifier(129).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(pkce_validate_verifier(std::string(42, 'a')).code(), Code::kInvalidArgument);
  EXPECT_EQ(pkce_validate_verifier(std::string(129, 'a')).code(), Code::kInvalidArgument);
  EXPECT_EQ(pkce_validate_verifier(std::string(42, 'a') + "+").code(), Code::kInvalidArgument);
  EXPECT_EQ(pkce_validate_verifier(std::string(42, 'a') + "=").code(), Code::kInvalidArgument);
  EXPECT_TRUE(pkce_validate_verifier(std::string(40, 'a') + "-._~").ok());
  EXPECT_EQ(pkce_challenge(PkceMethod::kS256, "short").status().code(), Code::kInvalidArgument);
}

TEST(Pkce, VerifiersUseTheWholeAlphabetAndDoNotRepeat) {
  std::set<char> seen;
  std::set<std::string> verifiers;
  for (int i = 0; i < 200; ++i) {
    Result<SecretString> v = pkce_create_verifier(128);
    ASSERT_TRUE(v.ok());
    for (char c : v.value().view()) seen.insert(c);
    verifiers.insert(std::string(v.value().view()));
  }
  EXPECT_EQ(seen.size(), 66u);  // 25,600 draws from 66 symbols: every one appears
  EXPECT_EQ(verifiers.size(), 200u);
}

TEST(Pkce, MethodNamesRoundTrip) {
  for (PkceMethod m : {PkceMethod::kS256, PkceMethod::kS256Hex, PkceMethod::kPlain}) {
    Result<PkceMethod> back = pkce_parse_method(pkce_method_name(m));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), m);
  }
  EXPECT_FALSE(pkce_parse_method("s256").ok());
}

TEST(Random, StateHas256BitsAsBase64url) {
  std::string a = random_state(), b = random_state();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  Result<std::string> raw = base64url_decode(a);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.value().size(), kStateBytes);
}

TEST(Base64url, Rfc4648Vectors) {
  // RFC 4648 §10 vectors, without padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("Zg==").ok());
  EXPECT_FALSE(base64url_decode("Z+8").ok());
}

// Fuzz finding 5 (tests/fuzz/regressions/base64url_fuzz/non-ascii-byte.txt): libsodium 1.0.18
// sign-extends each character and read every byte 0x80-0xFF as '_': "AA\xffA" decoded like "AA_A".
TEST(Base64url, BytesOutsideTheAlphabetAreRejected) {
  EXPECT_EQ(base64url_decode("AA_A").value(), std::string("\x00\x0f\xc0", 3));
  Result<std::string> high = base64url_decode(
      "AA\xff"
      "A");  // the regression input
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(high.status().message(), "not valid unpadded base64url");
  for (int byte = 0x80; byte <= 0xff; ++byte) {
    std::string text = "AAAA";
    text[2] = static_cast<char>(byte);
    EXPECT_FALSE(base64url_decode(text).ok()) << byte;
    EXPECT_FALSE(is_base64url_text(text)) << byte;
  }
  for (const char* text : {"AA A", "AA+A", "AA/A", "AA=A", "AA.A", "AA\nA"}) EXPECT_FALSE(base64url_decode(text).ok());
  EXPECT_TRUE(is_base64url_text("ABCXYZabcxyz0189-_"));
  EXPECT_TRUE(is_base64url_text(""));
}

TEST(SecretString, WipesAndComparesInConstantTime) {
  SecretString s("abcdefghijklmnopqrstuvwxyz0123456789");
  EXPECT_TRUE(s.equals("abcdefghijklmnopqrstuvwxyz0123456789"));
  EXPECT_FALSE(s.equals("abcdefghijklmnopqrstuvwxyz012345678X"));
  SecretString moved(std::move(s));
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped and empty
  EXPECT_EQ(moved.size(), 36u);
  moved.wipe();
  EXPECT_TRUE(moved.empty());
}

}  // namespace
}  // namespace keryx
