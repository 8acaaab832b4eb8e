// vault_file_test.cc: TokenRecord/TokenSet rules, the vault format's round trips (raw key and
// Argon2id passphrase), the tampering matrix with one error code per kind of damage, the primitives
// against published vectors (draft-irtf-cfrg-xchacha-03 §A.3.1, RFC 7693 Appendix A) and against an
// independent XChaCha20-Poly1305 built from OpenSSL's ChaCha20 and ChaCha20-Poly1305, and wiping.
#include "vault_file.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sodium.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base64url.h"
#include "crypto_init.h"
#include "json.h"
#include "random.h"

namespace keryx {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

KeyMaterial raw_key(char fill = 'k') {
  KeyMaterial key;
  key.provider = KeyProviderKind::kKeyFile;
  key.secret = SecretString(std::string(kVaultKeyBytes, fill));
  return key;
}

TokenRecord make_record(const std::string& platform, const std::string& account) {
  TokenRecord r;
  r.platform = platform;
  r.account = account;
  r.access_token = SecretString("at-" + platform + "-" + account);
  r.refresh_token = SecretString("rt-" + account);
  r.token_type = "Bearer";
  r.scopes = {"user.info.basic", "video.upload"};
  r.obtained_at = 1700000000;
  r.expires_at = 1700086400;
  r.refresh_expires_at = 1731536000;
  r.metadata = {{"username", "someone"}};
  return r;
}

void expect_same(const TokenRecord& a, const TokenRecord& b) {
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.account, b.account);
  EXPECT_EQ(a.access_token.view(), b.access_token.view());
  EXPECT_EQ(a.refresh_token.view(), b.refresh_token.view());
  EXPECT_EQ(a.token_type, b.token_type);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.obtained_at, b.obtained_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.refresh_expires_at, b.refresh_expires_at);
  EXPECT_EQ(a.is_default, b.is_default);
  EXPECT_EQ(a.metadata, b.metadata);
}

class VaultFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto_init().ok());
    TokenRecord tiktok = make_record("tiktok", "open_id_123");
    tiktok.metadata = {{"display_name", "Zoë 🎉 名前"}, {"emoji", "\xF0\x9F\x94\x91"}, {"", "empty key"}};
    TokenRecord linkedin = make_record("linkedin", "urn:li:person:abc");
    linkedin.refresh_token = SecretString();  // LinkedIn issues no refresh token
    linkedin.scopes.clear();
    linkedin.metadata.clear();
    linkedin.refresh_expires_at = 0;
    set_.upsert(tiktok);
    set_.upsert(linkedin);
    set_.upsert(make_record("tiktok", "second"));
    header_ = vault_new_header(key_, std::string(16, 'I'));
    header_.generation = 7;
    derived_ = vault_derive_key(key_, header_).value();
    file_ = std::string(vault_seal(header_, derived_, set_).value().view());
  }

  Code unseal_code(std::string_view file, const SecretString& key) { return vault_unseal(file, key).status().code(); }
  Code unseal_code(std::string_view file) { return unseal_code(file, derived_); }

  // reencrypt: `file` with its plaintext replaced by `plaintext` (same length), validly sealed again.
  std::string reencrypt(const std::string& plaintext) {
    std::string out = file_;
    EXPECT_EQ(plaintext.size() + 16, out.size() - kVaultHeaderBytes);
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data()) + kVaultHeaderBytes, &n,
                                               u8(plaintext), plaintext.size(), u8(out), kVaultHeaderBytes, nullptr,
                                               u8(out) + 100, u8(derived_.view()));
    return out;
  }

  KeyMaterial key_ = raw_key();
  TokenSet set_;
  VaultHeader header_;
  SecretString derived_;
  std::string file_;
};

// ---- TokenRecord / TokenSet ----

TEST(TokenRecord, ValidateRecordBoundsAndCharacters) {
  TokenRecord r = make_record("tiktok", "open_id");
  EXPECT_TRUE(validate_record(r).ok());
  auto code_with = [&](auto mutate) {
    TokenRecord copy = r;
    mutate(copy);
    return validate_record(copy).code();
  };
  EXPECT_EQ(code_with([](TokenRecord& c) { c.platform = ""; }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.platform = "TikTok"; }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.platform = std::string(65, 'a'); }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.platform = "my-provider_2"; }), Code::kOk);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.account = ""; }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.account = "a\nb"; }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.account = std::string(257, 'a'); }), Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.account = "urn:li:person:Ab 9~"; }), Code::kOk);
  EXPECT_EQ(
      code_with([](TokenRecord& c) { c.access_token = SecretString(std::string(kMaxRecordFieldBytes + 1, 'x')); }),
      Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.access_token = SecretString(std::string(kMaxRecordFieldBytes, 'x')); }),
            Code::kOk);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.refresh_token = SecretString(std::string("a\0b", 3)); }),
            Code::kInvalidArgument);
  EXPECT_EQ(code_with([](TokenRecord& c) { c.metadata["k"] = "\xC3\x28"; }),
            Code::kInvalidArgument);  // bad UTF-8
  EXPECT_EQ(code_with([](TokenRecord& c) { c.metadata["k"] = "\xED\xA0\x80"; }),
            Code::kInvalidArgument);  // surrogate
  EXPECT_EQ(code_with([](TokenRecord& c) { c.scopes.push_back("\xE2\x82"); }),
            Code::kInvalidArgument);  // cut short
  TokenRecord secret = r;
  secret.access_token = SecretString(std::string("SECRET\0", 7));
  EXPECT_EQ(validate_record(secret).message().find("SECRET"), std::string::npos);
}

TEST(TokenRecord, FindUpsertRemoveKeepOneDefaultPerPlatform) {
  TokenSet set;
  set.upsert(make_record("youtube", "chan-a"));
  ASSERT_NE(set.find("youtube"), nullptr);
  EXPECT_TRUE(set.find("youtube")->is_default);  // first record of a platform becomes its default
  set.upsert(make_record("youtube", "chan-b"));
  EXPECT_EQ(set.find("youtube")->account, "chan-a");
  EXPECT_FALSE(set.find("youtube", "chan-b")->is_default);

  TokenRecord b = make_record("youtube", "chan-b");
  b.is_default = true;
  set.upsert(b);
  EXPECT_EQ(set.find("youtube")->account, "chan-b");
  EXPECT_FALSE(set.find("youtube", "chan-a")->is_default);

  TokenRecord refreshed = make_record("youtube", "chan-b");  // a refresh that does not mention default
  refreshed.access_token = SecretString("new");
  set.upsert(refreshed);
  EXPECT_EQ(set.records.size(), 2u);
  EXPECT_EQ(set.find("youtube")->access_token.view(), "new");  // replaced, and still the default

  set.upsert(make_record("tiktok", "solo"));
  EXPECT_EQ(set.find("tiktok")->account, "solo");
  EXPECT_EQ(set.find("instagram"), nullptr);
  EXPECT_EQ(set.find("youtube", "missing"), nullptr);

  EXPECT_TRUE(set.remove("youtube"));  // removes the default, chan-a takes over
  EXPECT_EQ(set.find("youtube")->account, "chan-a");
  EXPECT_TRUE(set.find("youtube")->is_default);
  EXPECT_FALSE(set.remove("youtube", "chan-b"));
  EXPECT_TRUE(set.remove("youtube", "chan-a"));
  EXPECT_EQ(set.find("youtube"), nullptr);
  EXPECT_TRUE(set.find("tiktok")->is_default);  // other platforms untouched

  TokenSet no_default;  // records loaded without a default: find("p") needs exactly one
  no_default.records = {make_record("x", "1"), make_record("x", "2")};
  EXPECT_EQ(no_default.find("x"), nullptr);
  no_default.records.pop_back();
  EXPECT_EQ(no_default.find("x")->account, "1");
}

// ---- format round trips ----

TEST_F(VaultFile, RoundTripsEveryField) {
  EXPECT_EQ(file_.size(), kVaultHeaderBytes + records_to_json(set_).value().size() + 16);
  VaultHeader got;
  Result<TokenSet> back = vault_unseal(file_, derived_, &got);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back.value().records.size(), set_.records.size());
  for (std::size_t i = 0; i < set_.records.size(); ++i) expect_same(back.value().records[i], set_.records[i]);
  EXPECT_TRUE(back.value().find("linkedin")->refresh_token.empty());
  EXPECT_EQ(back.value().find("tiktok", "open_id_123")->metadata.at("display_name"), "Zoë 🎉 名前");
  EXPECT_EQ(got.version, kVaultVersion);
  EXPECT_EQ(got.provider, KeyProviderKind::kKeyFile);
  EXPECT_EQ(got.kdf, VaultKdf::kNone);
  EXPECT_EQ(got.generation, 7u);
  EXPECT_EQ(got.vault_id, header_.vault_id);
  EXPECT_EQ(got.install_id, std::string(16, 'I'));
  EXPECT_EQ(got.salt, std::string(16, '\0'));
  EXPECT_EQ(got.key_id.size(), 16u);
  Result<VaultHeader> read = vault_read_header(file_);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value().key_id, got.key_id);
  EXPECT_EQ(file_.substr(0, 8), "KERYXVLT");

  std::string again(vault_seal(header_, derived_, set_).value().view());
  EXPECT_NE(again.substr(100, 24), file_.substr(100, 24));  // a fresh nonce on every seal
  Result<TokenSet> empty =
      vault_unseal(std::string(vault_seal(header_, derived_, TokenSet()).value().view()), derived_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().records.empty());
}

TEST_F(VaultFile, PassphraseRoundTripAndWrongPassphrase) {
  KeyMaterial pass;
  pass.provider = KeyProviderKind::kPassphrase;
  pass.is_passphrase = true;
  pass.secret = SecretString("correct horse battery staple");
  VaultHeader h = vault_new_header(pass, std::string(16, 'J'));
  EXPECT_EQ(h.kdf, VaultKdf::kArgon2id13);
  EXPECT_EQ(h.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(h.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_NE(h.salt, std::string(16, '\0'));
  Result<SecretString> key = vault_derive_key(pass, h);
  ASSERT_TRUE(key.ok());
  std::string file(vault_seal(h, key.value(), set_).value().view());
  Result<VaultHeader> read = vault_read_header(file);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value().salt, h.salt);
  Result<SecretString> again = vault_derive_key(pass, read.value());  // from the stored salt + limits
  ASSERT_TRUE(again.ok());
  Result<TokenSet> back = vault_unseal(file, again.value());
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back.value().records.size(), 3u);

  pass.secret = SecretString("correct horse battery stapler");
  EXPECT_EQ(unseal_code(file, vault_derive_key(pass, read.value()).value()), Code::kVaultWrongKey);
  EXPECT_EQ(vault_derive_key(pass, header_).status().code(), Code::kVaultWrongKey);  // raw-key vault
}

// ---- the tampering matrix ----

TEST_F(VaultFile, FlippedCiphertextByteIsCorrupt) {
  ASSERT_TRUE(vault_unseal(file_, derived_).ok());
  for (std::size_t at : {kVaultHeaderBytes, kVaultHeaderBytes + 40, file_.size() - 17, file_.size() - 1}) {
    std::string bad = file_;
    bad[at] ^= 0x01;
    EXPECT_EQ(unseal_code(bad), Code::kVaultCorrupt) << "offset " << at;
  }
}

TEST_F(VaultFile, FlippedHeaderByteIsCorrupt) {
  // provider, kdf, opslimit, memlimit, salt, key_id, vault_id, generation, install_id, nonce,
  // ciphertext_len, header_check: all caught by header_check before anything else is trusted.
  for (std::size_t at : {10, 11, 12, 20, 28, 44, 60, 76, 84, 100, 123, 124, 131, 132, 147}) {
    std::string bad = file_;
    bad[at] ^= 0x40;
    EXPECT_EQ(unseal_code(bad), Code::kVaultCorrupt) << "offset " << at;
    EXPECT_EQ(vault_read_header(bad).status().code(), Code::kVaultCorrupt) << "offset " << at;
  }
}

TEST_F(VaultFile, HeaderRewrittenWithAValidCheckStillFailsAuthentication) {
  std::string bad = file_;
  bad[76] ^= 0x01;  // generation changed and header_check recomputed: the AEAD's AAD catches it
  crypto_generichash(reinterpret_cast<unsigned char*>(bad.data()) + 132, 16, u8(bad), 132, nullptr, 0);
  ASSERT_TRUE(vault_read_header(bad).ok());
  EXPECT_EQ(unseal_code(bad), Code::kVaultCorrupt);

  std::string weird = file_;  // a checksummed header with an unknown provider: not ours to read
  weird[10] = 9;
  crypto_generichash(reinterpret_cast<unsigned char*>(weird.data()) + 132, 16, u8(weird), 132, nullptr, 0);
  EXPECT_EQ(vault_read_header(weird).status().code(), Code::kVaultFormatUnsupported);
}

TEST_F(VaultFile, TruncationIsTruncated) {
  for (std::size_t len : {std::size_t{0}, std::size_t{5}, std::size_t{9}, std::size_t{100}, kVaultHeaderBytes - 1,
                          kVaultHeaderBytes, kVaultHeaderBytes + 10, file_.size() - 16, file_.size() - 1}) {
    EXPECT_EQ(unseal_code(file_.substr(0, len)), Code::kVaultTruncated) << "length " << len;
  }
}

TEST_F(VaultFile, WrongKeyIsWrongKeyBeforeDecryption) {
  SecretString other(std::string(32, 'z'));
  Result<TokenSet> r = vault_unseal(file_, other);
  EXPECT_EQ(r.status().code(), Code::kVaultWrongKey);
  EXPECT_NE(r.status().message().find("key_file"), std::string::npos);
}

TEST_F(VaultFile, BadMagicAndUnknownVersionAreUnsupported) {
  std::string magic = file_;
  magic[0] = 'X';
  EXPECT_EQ(unseal_code(magic), Code::kVaultFormatUnsupported);
  EXPECT_EQ(unseal_code("{\"not\":\"a vault\"}"), Code::kVaultFormatUnsupported);
  std::string v99 = file_;
  v99[8] = 99;
  v99[9] = 0;
  EXPECT_EQ(unseal_code(v99), Code::kVaultFormatUnsupported);
  EXPECT_NE(vault_unseal(v99, derived_).status().message().find("99"), std::string::npos);
  EXPECT_EQ(unseal_code(v99.substr(0, 12)), Code::kVaultFormatUnsupported);  // even when short
}

TEST_F(VaultFile, TrailingGarbageIsCorrupt) {
  EXPECT_EQ(unseal_code(file_ + "x"), Code::kVaultCorrupt);
  EXPECT_EQ(unseal_code(file_ + std::string(100, '\0')), Code::kVaultCorrupt);
}

TEST_F(VaultFile, AuthenticMalformedPlaintextIsCorrupt) {
  std::size_t len = file_.size() - kVaultHeaderBytes - 16;
  auto padded = [&](std::string json) { return json + std::string(len - json.size(), ' '); };
  EXPECT_TRUE(vault_unseal(reencrypt(padded(R"({"v":1,"records":[]})")), derived_).ok());
  EXPECT_EQ(unseal_code(reencrypt(padded(R"({"v":1,"records":[{}]})"))), Code::kVaultCorrupt);
  EXPECT_EQ(unseal_code(reencrypt(padded(R"({"v":1,"records":[)"))), Code::kVaultCorrupt);
  EXPECT_EQ(unseal_code(reencrypt(padded(R"({"v":2,"records":[]})"))), Code::kVaultFormatUnsupported);
  std::string dup = R"({"platform":"x","account":"a","access_token":"t"})";
  EXPECT_EQ(unseal_code(reencrypt(padded(R"({"v":1,"records":[)" + dup + "," + dup + "]}"))), Code::kVaultCorrupt);
  EXPECT_EQ(records_from_json(R"({"v":1,"records":[)" + dup + "]}").value().records.size(), 1u);
  EXPECT_EQ(records_from_json(R"({"v":1,"records":[{"platform":"x","account":"a","access_token":7}]})").status().code(),
            Code::kVaultCorrupt);
  EXPECT_EQ(records_from_json(std::string("{\"v\":1,\"records\":[]}\0x", 23)).status().code(), Code::kVaultCorrupt);
}

TEST_F(VaultFile, SealRefusesWhatItCouldNotReadBack) {
  TokenSet bad;
  bad.records.push_back(make_record("tiktok", "a"));
  bad.records.back().access_token = SecretString("\xFF\xFE");
  EXPECT_EQ(vault_seal(header_, derived_, bad).status().code(), Code::kInvalidArgument);
  TokenSet dup;
  dup.records = {make_record("tiktok", "a"), make_record("tiktok", "a")};
  EXPECT_EQ(vault_seal(header_, derived_, dup).status().code(), Code::kInvalidArgument);
  VaultHeader short_id = header_;
  short_id.install_id = "short";
  EXPECT_EQ(vault_seal(short_id, derived_, set_).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(vault_seal(header_, SecretString("short key"), set_).status().code(), Code::kInvalidArgument);
}

// rapidjson_accepts_utf8: whether RapidJSON's validating parser (Hoehrmann's DFA) accepts `s` as a
// JSON string: an independent check of validate_record's UTF-8 rules.
bool rapidjson_accepts_utf8(const std::string& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);  // escapes quotes and controls, copies the rest
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return json_parse(std::string_view(buffer.GetString(), buffer.GetSize())).ok();
}

TEST_F(VaultFile, EveryStringValidateRecordAcceptsSurvivesTheRoundTrip) {
  // validate_record's UTF-8 rules must match a strict validator exactly (RapidJSON's, here), and all
  // it accepts must survive seal/unseal. Boundary code points first, then random byte strings.
  std::vector<std::string> samples = {"\xC2\x80",         "\xDF\xBF",         "\xE0\xA0\x80",
                                      "\xED\x9F\xBF",     "\xEE\x80\x80",     "\xEF\xBF\xBF",
                                      "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\"\\\x01\x1f\x7f"};
  std::mt19937 rng(1234);
  const unsigned char pool[] = {'a',  '"',  '\\', 0x01, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    for (int n = static_cast<int>(rng() % 6) + 1; n > 0; --n) s += static_cast<char>(pool[rng() % sizeof pool]);
    samples.push_back(s);
  }
  int accepted = 0;
  for (const std::string& s : samples) {
    TokenSet one;
    one.upsert(make_record("tiktok", "a"));
    one.records[0].access_token = SecretString(s);
    one.records[0].metadata["k"] = s;
    bool valid = validate_record(one.records[0]).ok();
    EXPECT_EQ(valid, rapidjson_accepts_utf8(s)) << hex_encode(s);
    if (!valid) continue;
    ++accepted;
    Result<SecretString> sealed = vault_seal(header_, derived_, one);
    ASSERT_TRUE(sealed.ok());
    Result<TokenSet> back = vault_unseal(sealed.value().view(), derived_);
    ASSERT_TRUE(back.ok()) << hex_encode(s) << ": " << back.status().to_string();
    EXPECT_EQ(back.value().records[0].access_token.view(), s);
    EXPECT_EQ(back.value().records[0].metadata.at("k"), s);
  }
  EXPECT_GT(accepted, 200);
}

TEST_F(VaultFile, RecordsJsonHasTheDocumentedShape) {
  TokenSet one;
  one.upsert(make_record("tiktok", "a"));
  EXPECT_EQ(records_to_json(one).value().view(),
            R"({"v":1,"records":[{"platform":"tiktok","account":"a","access_token":"at-tiktok-a",)"
            R"("refresh_token":"rt-a","token_type":"Bearer","scopes":["user.info.basic","video.upload"],)"
            R"("obtained_at":1700000000,"expires_at":1700086400,"refresh_expires_at":1731536000,)"
            R"("default":true,"metadata":{"username":"someone"}}]})");
}

// ---- primitives against published vectors and an independent implementation ----

TEST(VaultCrypto, XChaCha20Poly1305MatchesDraftIrtfCfrgXChachaA31) {
  ASSERT_TRUE(crypto_init().ok());
  std::string key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  std::string nonce = unhex("404142434445464748494a4b4c4d4e4f5051525354555657");
  std::string aad = unhex("50515253c0c1c2c3c4c5c6c7");
  std::string plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen "
      "would be it.";
  std::string expected = unhex(
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e"
      "c0875924c1c7987947deafd8780acf49");  // ciphertext || tag
  std::string out(plaintext.size() + 16, '\0');
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data()), &n, u8(plaintext),
                                             plaintext.size(), u8(aad), aad.size(), nullptr, u8(nonce), u8(key));
  EXPECT_EQ(hex_encode(out), hex_encode(expected));
}

// openssl_xchacha: XChaCha20-Poly1305 from OpenSSL alone. HChaCha20 is the ChaCha20 block function
// without the final feed-forward, so it is recovered from one OpenSSL keystream block (counter||nonce
// = the first 16 nonce bytes) minus the input state; then IETF ChaCha20-Poly1305 with the subkey and
// nonce 0^4 || nonce[16..24].
std::string openssl_xchacha(bool seal, std::string_view key, std::string_view nonce, std::string_view aad,
                            std::string_view input) {
  std::string block(64, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_EncryptInit_ex(ctx, EVP_chacha20(), nullptr, u8(key), u8(nonce));
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(block.data()), &len, u8(block), 64);
  auto word = [](std::string_view s, int i) {
    const unsigned char* p = u8(s) + 4 * i;
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  };
  const char sigma[] = "expand 32-byte k";
  std::string subkey;
  for (int i : {0, 1, 2, 3, 12, 13, 14, 15}) {
    uint32_t in = i < 4 ? word(sigma, i) : word(nonce, i - 12);
    uint32_t v = word(block, i) - in;
    for (int b = 0; b < 4; ++b) subkey += static_cast<char>((v >> (8 * b)) & 0xFF);
  }
  std::string iv = std::string(4, '\0') + std::string(nonce.substr(16, 8));
  std::string body = seal ? std::string(input) : std::string(input.substr(0, input.size() - 16));
  std::string out(body.size(), '\0');
  EVP_CIPHER_CTX_reset(ctx);
  EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, u8(subkey), u8(iv), seal ? 1 : 0);
  EVP_CipherUpdate(ctx, nullptr, &len, u8(aad), static_cast<int>(aad.size()));
  EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, u8(body), static_cast<int>(body.size()));
  std::string tag(16, '\0');
  if (!seal) {
    tag = std::string(input.substr(input.size() - 16));
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag.data());
  }
  unsigned char scratch[16];
  int ok = EVP_CipherFinal_ex(ctx, scratch, &len);
  if (seal) EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data());
  EVP_CIPHER_CTX_free(ctx);
  if (!seal) return ok == 1 ? out : std::string("<auth failed>");
  return out + tag;
}

TEST(VaultCrypto, XChaCha20Poly1305MatchesAnOpenSslConstruction) {
  ASSERT_TRUE(crypto_init().ok());
  for (std::size_t size : {0, 1, 63, 64, 65, 1000}) {
    std::string key(random_bytes(32).view()), nonce(random_bytes(24).view()), aad(random_bytes(size % 50).view());
    std::string plaintext(random_bytes(size).view());
    std::string ours(size + 16, '\0');
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(ours.data()), &n, u8(plaintext), size,
                                               u8(aad), aad.size(), nullptr, u8(nonce), u8(key));
    EXPECT_EQ(hex_encode(ours), hex_encode(openssl_xchacha(true, key, nonce, aad, plaintext))) << size;
  }
  // And a real vault file opens with OpenSSL alone: key = the raw key, AAD = the 148-byte header.
  TokenSet set;
  set.upsert(make_record("tiktok", "a"));
  KeyMaterial key = raw_key('q');
  VaultHeader h = vault_new_header(key, std::string(16, 'I'));
  std::string file(vault_seal(h, key.secret, set).value().view());
  std::string plain = openssl_xchacha(false, key.secret.view(), file.substr(100, 24), file.substr(0, kVaultHeaderBytes),
                                      file.substr(kVaultHeaderBytes));
  EXPECT_EQ(plain, records_to_json(set).value().view());
}

TEST(VaultCrypto, Blake2bMatchesRfc7693AndOpenSslKeyedBlake2b) {
  ASSERT_TRUE(crypto_init().ok());
  unsigned char digest[64];
  crypto_generichash(digest, 64, u8("abc"), 3, nullptr, 0);
  EXPECT_EQ(hex_encode(std::string_view(reinterpret_cast<char*>(digest), 64)),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");

  // key_id = BLAKE2b-128 keyed with the vault key over "keryx vault key id v1", checked with OpenSSL.
  KeyMaterial key = raw_key('m');
  std::string file(vault_seal(vault_new_header(key, std::string(16, 'I')), key.secret, TokenSet()).value().view());
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "BLAKE2BMAC", nullptr);
  ASSERT_NE(mac, nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  std::size_t out_size = 16;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &out_size), OSSL_PARAM_construct_end()};
  ASSERT_EQ(EVP_MAC_init(ctx, u8(key.secret.view()), key.secret.size(), params), 1);
  std::string context = "keryx vault key id v1";
  EVP_MAC_update(ctx, u8(context), context.size());
  unsigned char out[16];
  std::size_t written = 0;
  ASSERT_EQ(EVP_MAC_final(ctx, out, &written, sizeof out), 1);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  ASSERT_EQ(written, 16u);
  EXPECT_EQ(hex_encode(std::string_view(reinterpret_cast<char*>(out), 16)), hex_encode(file.substr(44, 16)));
}

// ---- wiping ----

TEST_F(VaultFile, SecretBuffersAreWipedInPlace) {
  // The plaintext JSON: check the token is in the buffer, then that wipe() zeroes every byte of it
  // while the buffer is still owned (no read of freed memory).
  Result<SecretString> json = records_to_json(set_);
  ASSERT_TRUE(json.ok());
  const char* p = json.value().data();
  std::size_t n = json.value().size();
  ASSERT_NE(std::string_view(p, n).find("at-tiktok-open_id_123"), std::string_view::npos);
  json.value().wipe();
  EXPECT_EQ(std::string_view(p, n), std::string(n, '\0'));

  // The derived key, likewise.
  Result<SecretString> key = vault_derive_key(key_, header_);
  const char* k = key.value().data();
  key.value().wipe();
  EXPECT_EQ(std::string_view(k, kVaultKeyBytes), std::string(kVaultKeyBytes, '\0'));

  // A moved-from SecretString is wiped too (its small-string storage lives inside the object).
  SecretString token("short-tok");
  const char* t = token.data();
  SecretString moved(std::move(token));
  EXPECT_EQ(std::string_view(t, 9), std::string(9, '\0'));
  EXPECT_EQ(moved.view(), "short-tok");
}

}  // namespace
}  // namespace keryx
