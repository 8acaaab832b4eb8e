// vault_file.cc: the vault format (see vault_file.h). libsodium does the cryptography: XChaCha20-
// Poly1305 (IETF), BLAKE2b (crypto_generichash) and Argon2id (crypto_pwhash). Plaintext JSON only
// ever lives in SecretStrings: it is written straight into one and parsed in place (RapidJSON
// in-situ), so token bytes are never copied into RapidJSON's unwiped allocators.
#include "vault_file.h"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "crypto_init.h"
#include "json.h"
#include "random.h"

namespace keryx {
namespace {

constexpr std::string_view kMagic = "KERYXVLT";  // 8 bytes, no NUL
constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
// Field offsets, in the order of vault_file.h.
constexpr std::size_t kOffVersion = 8, kOffProvider = 10, kOffKdf = 11, kOffOps = 12, kOffMem = 20, kOffSalt = 28,
                      kOffKeyId = 44, kOffVaultId = 60, kOffGeneration = 76, kOffInstallId = 84, kOffNonce = 100,
                      kOffCipherLen = 124, kOffCheck = 132;
static_assert(kOffCheck + kIdBytes == kVaultHeaderBytes, "header layout");
static_assert(kNonceBytes == 24 && kTagBytes == 16 && kVaultKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
constexpr std::string_view kKeyIdContext = "keryx vault key id v1";

void put_le(std::string& out, std::size_t at, uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}
uint64_t get_le(std::string_view in, std::size_t at, std::size_t bytes) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value |= uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
  return value;
}
const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes_of(SecretString& s) { return reinterpret_cast<unsigned char*>(s.mutable_data()); }

// blake2b_128: unkeyed when `key` is empty.
std::string blake2b_128(std::string_view message, std::string_view key) {
  std::string out(kIdBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), bytes_of(message), message.size(),
                     key.empty() ? nullptr : bytes_of(key), key.size());
  return out;
}

std::string key_id_for(const SecretString& derived_key) { return blake2b_128(kKeyIdContext, derived_key.view()); }

// header_fields_problem: why these header values are unusable, or "" when they are fine. Shared by
// reading (vault_format_unsupported) and sealing (invalid_argument), so keryx never writes a header it
// would refuse to read.
std::string header_fields_problem(const VaultHeader& h) {
  auto provider = static_cast<uint8_t>(h.provider);
  if (provider < 1 || provider > 4) return "unknown key provider " + std::to_string(provider);
  if (h.salt.size() != kVaultSaltBytes || h.vault_id.size() != kIdBytes || h.install_id.size() != kIdBytes) {
    return "salt, vault_id and install_id must be 16 bytes each";
  }
  if (h.kdf == VaultKdf::kNone) {
    if (h.opslimit != 0 || h.memlimit != 0 || h.salt != std::string(kVaultSaltBytes, '\0')) {
      return "a raw-key vault must have no KDF parameters";
    }
  } else if (h.kdf == VaultKdf::kArgon2id13) {
    if (h.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
        h.opslimit > uint64_t{4} * crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE ||
        h.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || h.memlimit > crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE) {
      return "Argon2id limits out of range";
    }
  } else {
    return "unknown KDF " + std::to_string(static_cast<unsigned>(h.kdf));
  }
  return "";
}

// encode_header: the kVaultHeaderBytes header, header_check included.
std::string encode_header(const VaultHeader& h, const std::string& key_id, std::string_view nonce,
                          uint64_t cipher_len) {
  std::string out(kVaultHeaderBytes, '\0');
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  put_le(out, kOffVersion, h.version, 2);
  put_le(out, kOffProvider, static_cast<uint8_t>(h.provider), 1);
  put_le(out, kOffKdf, static_cast<uint8_t>(h.kdf), 1);
  put_le(out, kOffOps, h.opslimit, 8);
  put_le(out, kOffMem, h.memlimit, 8);
  out.replace(kOffSalt, kIdBytes, h.salt);
  out.replace(kOffKeyId, kIdBytes, key_id);
  out.replace(kOffVaultId, kIdBytes, h.vault_id);
  put_le(out, kOffGeneration, h.generation, 8);
  out.replace(kOffInstallId, kIdBytes, h.install_id);
  out.replace(kOffNonce, kNonceBytes, nonce);
  put_le(out, kOffCipherLen, cipher_len, 8);
  out.replace(kOffCheck, kIdBytes, blake2b_128(std::string_view(out).substr(0, kOffCheck), ""));
  return out;
}

Status corrupt(const std::string& why) { return Status(Code::kVaultCorrupt, "vault records are malformed: " + why); }

// SecretSink: a RapidJSON output stream writing into a SecretString (whose reallocations are wiped).
struct SecretSink {
  using Ch = char;
  SecretString* out;
  char* buf = nullptr;
  std::size_t cap = 0, used = 0;
  void Put(char c) {
    if (used == cap) grow();
    buf[used++] = c;
  }
  void Flush() {}
  void grow() {
    out->resize(out->size() * 2 + 256);
    buf = out->mutable_data();
    cap = out->size();
  }
  // NOLINTNEXTLINE(readability-make-member-function-const): it resizes the output it points to.
  void finish() { out->resize(used); }
};

// Strings are not re-validated here: validate_record already holds every field to strict UTF-8
// (RFC 3629, the same rules as RapidJSON's validating parser), and vault_seal validates each record.
using SecretWriter = rapidjson::Writer<SecretSink>;

bool write_string(SecretWriter& w, std::string_view s) {
  return w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

bool write_record(SecretWriter& w, const TokenRecord& r) {
  bool ok = w.StartObject();
  ok = ok && w.Key("platform") && write_string(w, r.platform);
  ok = ok && w.Key("account") && write_string(w, r.account);
  ok = ok && w.Key("access_token") && write_string(w, r.access_token.view());
  ok = ok && w.Key("refresh_token") && write_string(w, r.refresh_token.view());
  ok = ok && w.Key("token_type") && write_string(w, r.token_type);
  ok = ok && w.Key("scopes") && w.StartArray();
  for (const std::string& scope : r.scopes) ok = ok && write_string(w, scope);
  ok = ok && w.EndArray();
  ok = ok && w.Key("obtained_at") && w.Int64(r.obtained_at);
  ok = ok && w.Key("expires_at") && w.Int64(r.expires_at);
  ok = ok && w.Key("refresh_expires_at") && w.Int64(r.refresh_expires_at);
  ok = ok && w.Key("default") && w.Bool(r.is_default);
  ok = ok && w.Key("metadata") && w.StartObject();
  for (const auto& [key, value] : r.metadata) ok = ok && write_string(w, key) && write_string(w, value);
  return ok && w.EndObject() && w.EndObject();
}

// Record fields are decoded in ONE pass over each record's members: looking each key up through the
// json.h getters cost ~11 searches and Result wrappers per record, which dominated update() on large
// vaults. The shape is exactly what write_record emits (null counts as missing, as in json.h); unknown
// members are ignored so a newer keryx may add fields.
Status wrong_type(std::string_view key, const char* expected, const rapidjson::Value& got) {
  return corrupt("field \"" + std::string(key) + "\" must be " + expected + ", got " +
                 std::string(json_type_name(got)));
}

Status read_string(std::string_view key, const rapidjson::Value& v, std::string* out) {
  if (!v.IsString()) return wrong_type(key, "a string", v);
  out->assign(v.GetString(), v.GetStringLength());
  return Status::Ok();
}

Status read_field(std::string_view key, const rapidjson::Value& v, TokenRecord& r, unsigned* seen) {
  auto secret = [&](SecretString* out, unsigned bit) {  // straight from the in-situ buffer
    if (!v.IsString()) return wrong_type(key, "a string", v);
    *out = SecretString(std::string_view(v.GetString(), v.GetStringLength()));
    *seen |= bit;
    return Status::Ok();
  };
  auto integer = [&](int64_t* out) {
    if (!v.IsInt64()) return wrong_type(key, "an integer", v);
    *out = v.GetInt64();
    return Status::Ok();
  };
  if (key == "platform") {
    *seen |= 1;
    return read_string(key, v, &r.platform);
  }
  if (key == "account") {
    *seen |= 2;
    return read_string(key, v, &r.account);
  }
  if (key == "access_token") return secret(&r.access_token, 4);
  if (key == "refresh_token") return secret(&r.refresh_token, 0);
  if (key == "token_type") return read_string(key, v, &r.token_type);
  if (key == "obtained_at") return integer(&r.obtained_at);
  if (key == "expires_at") return integer(&r.expires_at);
  if (key == "refresh_expires_at") return integer(&r.refresh_expires_at);
  if (key == "default") {
    if (!v.IsBool()) return wrong_type(key, "a boolean", v);
    r.is_default = v.GetBool();
  } else if (key == "scopes") {
    if (!v.IsArray()) return wrong_type(key, "an array", v);
    for (const rapidjson::Value& scope : v.GetArray()) {
      r.scopes.emplace_back();
      KERYX_RETURN_IF_ERROR(read_string("scopes[]", scope, &r.scopes.back()));
    }
  } else if (key == "metadata") {
    if (!v.IsObject()) return wrong_type(key, "an object", v);
    for (const auto& m : v.GetObject()) {
      std::string name(m.name.GetString(), m.name.GetStringLength());
      KERYX_RETURN_IF_ERROR(read_string("metadata." + name, m.value, &r.metadata[name]));
    }
  }
  return Status::Ok();
}

Result<TokenRecord> parse_record(const rapidjson::Value& v) {
  if (!v.IsObject()) return corrupt("a record is not an object");
  TokenRecord r;
  unsigned seen = 0;
  for (const auto& m : v.GetObject()) {
    if (m.value.IsNull()) continue;
    KERYX_RETURN_IF_ERROR(
        read_field(std::string_view(m.name.GetString(), m.name.GetStringLength()), m.value, r, &seen));
  }
  if ((seen & 7) != 7) return corrupt("a record lacks platform, account or access_token");
  Status valid = validate_record(r);
  if (!valid.ok()) return corrupt(valid.message());
  return r;
}

// parse_records: parses `text` in place (it is modified; the caller wipes it). The in-situ Document
// points into `text` instead of copying strings, so no plaintext reaches RapidJSON's allocators.
Result<TokenSet> parse_records(SecretString& text) {
  if (text.view().find('\0') != std::string_view::npos) return corrupt("NUL byte");
  rapidjson::Document doc;
  // No kParseValidateEncodingFlag: parse_record runs validate_record, whose strict UTF-8 check covers
  // every string kept, and the plaintext was authenticated anyway.
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(text.mutable_data());
  if (doc.HasParseError()) return corrupt("invalid JSON at offset " + std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject()) return corrupt("not a JSON object");
  Result<int64_t> version = json_get_int64(doc, "v");
  if (!version.ok()) return corrupt(version.status().message());
  if (version.value() != 1) {
    return Status(Code::kVaultFormatUnsupported,
                  "vault records version " + std::to_string(version.value()) + " is not supported");
  }
  Result<const rapidjson::Value*> records = json_get_array(doc, "records");
  if (!records.ok()) return corrupt(records.status().message());
  const rapidjson::Value* list = records.value();
  TokenSet set;
  std::set<std::pair<std::string, std::string>> seen;
  for (const rapidjson::Value& item : list->GetArray()) {
    Result<TokenRecord> record = parse_record(item);
    if (!record.ok()) return record.status();
    if (!seen.emplace(record.value().platform, record.value().account).second) {
      return corrupt("duplicate record");
    }
    set.records.push_back(std::move(record).value());
  }
  return set;
}

}  // namespace

VaultHeader vault_new_header(const KeyMaterial& key, std::string_view install_id) {
  VaultHeader h;
  h.provider = key.provider;
  h.kdf = key.is_passphrase ? VaultKdf::kArgon2id13 : VaultKdf::kNone;
  h.salt = key.is_passphrase ? std::string(random_bytes(kVaultSaltBytes).view()) : std::string(kVaultSaltBytes, '\0');
  h.opslimit = key.is_passphrase ? crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE : 0;
  h.memlimit = key.is_passphrase ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE : 0;
  h.vault_id = std::string(random_bytes(kVaultIdBytes).view());
  h.generation = 0;
  h.install_id = std::string(install_id);
  return h;
}

Result<SecretString> vault_derive_key(const KeyMaterial& key, const VaultHeader& header) {
  KERYX_RETURN_IF_ERROR(crypto_init());
  if (!key.is_passphrase) {
    if (key.secret.size() != kVaultKeyBytes) {
      return Status(Code::kInvalidArgument, "a vault key must be " + std::to_string(kVaultKeyBytes) + " bytes");
    }
    return key.secret;
  }
  if (header.kdf != VaultKdf::kArgon2id13) {
    return Status(Code::kVaultWrongKey, "this vault is sealed with a raw key, not a passphrase");
  }
  if (header.salt.size() != kVaultSaltBytes) {
    return Status(Code::kInvalidArgument, "the vault salt must be 16 bytes");
  }
  SecretString out;
  out.resize(kVaultKeyBytes);
  if (crypto_pwhash(bytes_of(out), out.size(), key.secret.data(), key.secret.size(), bytes_of(header.salt),
                    header.opslimit, static_cast<std::size_t>(header.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(Code::kCryptoError, "Argon2id key derivation failed (out of memory?)");
  }
  return out;
}

Result<VaultHeader> vault_read_header(std::string_view file) {
  KERYX_RETURN_IF_ERROR(crypto_init());
  if (!file.empty() && std::memcmp(file.data(), kMagic.data(), std::min(file.size(), kMagic.size())) != 0) {
    return Status(Code::kVaultFormatUnsupported, "not a keryx vault (bad magic)");
  }
  if (file.size() >= kOffProvider && get_le(file, kOffVersion, 2) != kVaultVersion) {
    return Status(Code::kVaultFormatUnsupported,
                  "vault format version " + std::to_string(get_le(file, kOffVersion, 2)) + " is not supported");
  }
  if (file.size() < kVaultHeaderBytes) {
    return Status(Code::kVaultTruncated,
                  "the vault file is shorter than its header (" + std::to_string(file.size()) + " bytes)");
  }
  std::string check = blake2b_128(file.substr(0, kOffCheck), "");
  if (sodium_memcmp(check.data(), file.data() + kOffCheck, kIdBytes) != 0) {
    return Status(Code::kVaultCorrupt, "the vault header is damaged (header check mismatch)");
  }
  VaultHeader h;
  h.version = static_cast<uint16_t>(get_le(file, kOffVersion, 2));
  h.provider = static_cast<KeyProviderKind>(get_le(file, kOffProvider, 1));
  h.kdf = static_cast<VaultKdf>(get_le(file, kOffKdf, 1));
  h.opslimit = get_le(file, kOffOps, 8);
  h.memlimit = get_le(file, kOffMem, 8);
  h.salt = std::string(file.substr(kOffSalt, kIdBytes));
  h.key_id = std::string(file.substr(kOffKeyId, kIdBytes));
  h.vault_id = std::string(file.substr(kOffVaultId, kIdBytes));
  h.generation = get_le(file, kOffGeneration, 8);
  h.install_id = std::string(file.substr(kOffInstallId, kIdBytes));
  if (std::string problem = header_fields_problem(h); !problem.empty()) {
    return Status(Code::kVaultFormatUnsupported, "malformed vault header: " + problem);
  }
  uint64_t cipher_len = get_le(file, kOffCipherLen, 8);
  if (cipher_len < kTagBytes || cipher_len > kMaxVaultBytes) {
    return Status(Code::kVaultFormatUnsupported, "malformed vault header: ciphertext length out of range");
  }
  if (file.size() - kVaultHeaderBytes < cipher_len) {
    return Status(Code::kVaultTruncated, "the vault file is truncated (" + std::to_string(file.size()) + " of " +
                                             std::to_string(kVaultHeaderBytes + cipher_len) + " bytes)");
  }
  if (file.size() - kVaultHeaderBytes > cipher_len) {
    return Status(Code::kVaultCorrupt, "the vault file has unexpected bytes after its ciphertext");
  }
  return h;
}

Result<SecretString> vault_seal(const VaultHeader& header, const SecretString& derived_key, const TokenSet& records) {
  KERYX_RETURN_IF_ERROR(crypto_init());
  if (derived_key.size() != kVaultKeyBytes) {
    return Status(Code::kInvalidArgument, "the vault key must be 32 bytes");
  }
  if (header.version != kVaultVersion) {
    return Status(Code::kInvalidArgument, "unsupported vault header version");
  }
  if (std::string problem = header_fields_problem(header); !problem.empty()) {
    return Status(Code::kInvalidArgument, "vault header: " + problem);
  }
  Result<SecretString> plaintext = records_to_json(records);
  if (!plaintext.ok()) return plaintext.status();
  const std::size_t cipher_len = plaintext.value().size() + kTagBytes;
  if (cipher_len > kMaxVaultBytes) {
    return Status(Code::kInvalidArgument, "the record set is too large for a vault");
  }

  std::string nonce(random_bytes(kNonceBytes).view());
  std::string head = encode_header(header, key_id_for(derived_key), nonce, cipher_len);
  SecretString out;
  out.resize(kVaultHeaderBytes + cipher_len);
  std::memcpy(out.mutable_data(), head.data(), head.size());
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes_of(out) + kVaultHeaderBytes, &written, bytes_of(plaintext.value().view()), plaintext.value().size(),
      bytes_of(head), head.size(), nullptr, bytes_of(nonce), bytes_of(derived_key.view()));
  if (written != cipher_len) return Status(Code::kCryptoError, "vault encryption failed");
  return out;
}

Result<TokenSet> vault_unseal(std::string_view file, const SecretString& derived_key, VaultHeader* header_out) {
  Result<VaultHeader> header = vault_read_header(file);
  if (!header.ok()) return header.status();
  if (derived_key.size() != kVaultKeyBytes) {
    return Status(Code::kInvalidArgument, "the vault key must be 32 bytes");
  }
  std::string expected_id = key_id_for(derived_key);
  if (sodium_memcmp(expected_id.data(), header.value().key_id.data(), kIdBytes) != 0) {
    return Status(Code::kVaultWrongKey, std::string("the vault was sealed with another key (provider: ") +
                                            key_provider_name(header.value().provider) + ")");
  }
  std::string_view sealed = file.substr(kVaultHeaderBytes);
  SecretString plaintext;
  plaintext.resize(sealed.size() - kTagBytes);
  unsigned long long opened = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(bytes_of(plaintext), &opened, nullptr, bytes_of(sealed), sealed.size(),
                                                 bytes_of(file), kVaultHeaderBytes, bytes_of(file) + kOffNonce,
                                                 bytes_of(derived_key.view())) != 0) {
    return Status(Code::kVaultCorrupt, "the vault failed authentication (damaged or tampered with)");
  }
  Result<TokenSet> set = parse_records(plaintext);  // ~SecretString wipes the parsed buffer
  if (set.ok() && header_out != nullptr) *header_out = std::move(header).value();
  return set;
}

Result<SecretString> records_to_json(const TokenSet& records) {
  std::set<std::pair<std::string, std::string>> seen;
  std::size_t estimate = 32;
  for (const TokenRecord& r : records.records) {
    KERYX_RETURN_IF_ERROR(validate_record(r));
    if (!seen.emplace(r.platform, r.account).second) {
      return Status(Code::kInvalidArgument, "two records share platform and account");
    }
    estimate += 256 + r.access_token.size() + r.refresh_token.size();
  }
  SecretString out;
  out.resize(estimate);  // fewer reallocations (each would be wiped anyway)
  SecretSink sink{&out, out.mutable_data(), out.size()};
  SecretWriter w(sink);
  bool ok = w.StartObject() && w.Key("v") && w.Int(1) && w.Key("records") && w.StartArray();
  for (const TokenRecord& r : records.records) ok = ok && write_record(w, r);
  ok = ok && w.EndArray() && w.EndObject();
  sink.finish();
  if (!ok) return Status(Code::kInternal, "the record set could not be encoded");
  return out;
}

Result<TokenSet> records_from_json(std::string_view json) {
  SecretString copy(json);
  return parse_records(copy);
}

}  // namespace keryx
