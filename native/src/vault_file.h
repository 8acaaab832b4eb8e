// vault_file.h: the vault's on-disk format: a versioned header and one XChaCha20-Poly1305
// ciphertext of the whole record set, with the header as associated data, so any change to the
// header or to any record, and any truncation, fails authentication.
//
// Layout (integers little-endian), kVaultHeaderBytes in all before the ciphertext:
//   magic "KERYXVLT" [8] | version u16 (=1) | provider u8 (KeyProviderKind) | kdf u8 (0 none,
//   1 argon2id13) | opslimit u64 | memlimit u64 | salt [16] | key_id [16] | vault_id [16] |
//   generation u64 | install_id [16] | nonce [24] | ciphertext_len u64 |
//   header_check [16] = BLAKE2b-128 of every header byte before it (unkeyed: tells damage from a
//   wrong key)
//   then ciphertext_len bytes: AEAD(key, nonce, aad = the whole header, plaintext = records JSON)
//
// key_id = BLAKE2b-128 keyed with the vault key over "keryx vault key id v1": a wrong key is
// reported as vault_wrong_key before decryption, and it reveals nothing about the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "secret_string.h"
#include "status.h"
#include "token_record.h"
#include "vault_key.h"

namespace keryx {

// kVaultHeaderBytes: the header's size, header_check included (148).
inline constexpr std::size_t kVaultHeaderBytes = 8 + 2 + 1 + 1 + 8 + 8 + 16 + 16 + 16 + 8 + 16 + 24 + 8 + 16;
inline constexpr std::size_t kVaultIdBytes = 16;
inline constexpr std::size_t kVaultSaltBytes = 16;
inline constexpr uint16_t kVaultVersion = 1;
// kMaxVaultBytes: the largest vault file keryx reads (about 10,000 records fit many times over).
inline constexpr std::size_t kMaxVaultBytes = std::size_t{64} * 1024 * 1024;

// VaultKdf: how the key is obtained from the KeyMaterial.
enum class VaultKdf : uint8_t { kNone = 0, kArgon2id13 = 1 };

// VaultHeader: the non-secret header fields (ids are raw bytes).
struct VaultHeader {
  uint16_t version = kVaultVersion;
  KeyProviderKind provider = KeyProviderKind::kKeyFile;
  VaultKdf kdf = VaultKdf::kNone;
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;
  std::string salt;         // kVaultSaltBytes for argon2id13, else zeros
  std::string key_id;       // filled in by vault_seal
  std::string vault_id;     // random, fixed for the vault's life
  uint64_t generation = 0;  // +1 on every write
  std::string install_id;   // the install that wrote this generation
};

// vault_new_header: a header for a new vault sealed by `key` (random vault_id, generation 0, and
// for a passphrase a random salt and libsodium's INTERACTIVE Argon2id limits: 2 passes, 64 MiB).
VaultHeader vault_new_header(const KeyMaterial& key, std::string_view install_id);

// vault_derive_key: the 32-byte AEAD key: the raw key as is, or Argon2id(passphrase, salt, limits
// from the header). crypto_error when derivation fails (out of memory).
Result<SecretString> vault_derive_key(const KeyMaterial& key, const VaultHeader& header);

// vault_read_header: parses and checks the header only (magic, version, sizes, header_check,
// file length). Errors: vault_format_unsupported (not a keryx vault, unknown version, malformed),
// vault_truncated (file shorter than the header or than header + ciphertext_len), vault_corrupt
// (header_check mismatch, or bytes after the ciphertext).
Result<VaultHeader> vault_read_header(std::string_view file);

// vault_seal: the file bytes for `records` under `derived_key` with `header` (key_id and a fresh
// nonce are filled in). The plaintext JSON is built and wiped in SecretStrings.
Result<SecretString> vault_seal(const VaultHeader& header, const SecretString& derived_key, const TokenSet& records);

// vault_unseal: checks the header (as vault_read_header), the key_id (vault_wrong_key), then
// decrypts and parses (vault_corrupt on authentication failure or malformed JSON).
Result<TokenSet> vault_unseal(std::string_view file, const SecretString& derived_key,
                              VaultHeader* header_out = nullptr);

// records_to_json / records_from_json: the plaintext record-set encoding (JSON object
// {"v":1,"records":[...]}), exposed for tests. records_to_json: invalid_argument for a record that
// fails validate_record or a duplicate (platform, account). records_from_json: vault_corrupt for
// malformed JSON or records, vault_format_unsupported for a "v" other than 1.
Result<SecretString> records_to_json(const TokenSet& records);
Result<TokenSet> records_from_json(std::string_view json);

}  // namespace keryx
