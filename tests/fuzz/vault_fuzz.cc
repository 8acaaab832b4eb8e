// vault_fuzz: a vault file as read from disk (or copied in from another machine): the header
// parser and the unsealing path, with a fixed raw 32-byte key (the key make_vault_seeds.cc seals
// its seeds with, so seeds decrypt). Three passes per input:
//  1. the bytes as they are: vault_read_header, vault_unseal;
//  2. header_check recomputed (BLAKE2b-128 of the header's first 132 bytes, as a forger would), so
//     mutated header fields reach the field checks instead of stopping at the checksum;
//  3. key_id also recomputed for the fixed key, so they reach the AEAD (which must then refuse any
//     change: the header is its associated data).
// Passphrase vaults are parsed like any other, but Argon2id is never run (vault_derive_key with a
// passphrase costs 64 MiB and ~0.1 s by design); the seeds' passphrase-style headers are sealed
// with the fixed key directly.
// Invariants (trap on violation): failures carry vault codes only; a header that reads is exactly
// kVaultHeaderBytes + ciphertext_len long with valid fields; an unsealed record set is valid, seals
// again under the same header and unseals to the same records.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "token_record.h"
#include "vault_file.h"

namespace {

// Shared with make_vault_seeds.cc.
constexpr char kFuzzKey[] = "keryx-fuzz-vault-key-32-bytes!!!";
static_assert(sizeof kFuzzKey - 1 == keryx::kVaultKeyBytes, "the fuzz key is 32 bytes");
constexpr std::size_t kOffKeyId = 44, kOffCheck = 132;
constexpr char kKeyIdContext[] = "keryx vault key id v1";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "vault_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

bool vault_code(keryx::Code code) {
  switch (code) {
    case keryx::Code::kVaultFormatUnsupported:
    case keryx::Code::kVaultTruncated:
    case keryx::Code::kVaultCorrupt:
    case keryx::Code::kVaultWrongKey: return true;
    default: return false;
  }
}

bool same_records(const keryx::TokenSet& a, const keryx::TokenSet& b) {
  if (a.records.size() != b.records.size()) return false;
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    const keryx::TokenRecord& x = a.records[i];
    const keryx::TokenRecord& y = b.records[i];
    if (x.platform != y.platform || x.account != y.account || x.access_token.view() != y.access_token.view() ||
        x.refresh_token.view() != y.refresh_token.view() || x.token_type != y.token_type || x.scopes != y.scopes ||
        x.obtained_at != y.obtained_at || x.expires_at != y.expires_at ||
        x.refresh_expires_at != y.refresh_expires_at || x.is_default != y.is_default || x.metadata != y.metadata) {
      return false;
    }
  }
  return true;
}

void run(std::string_view file, const keryx::SecretString& key) {
  keryx::Result<keryx::VaultHeader> header = keryx::vault_read_header(file);
  if (header.ok()) {
    check(file.size() >= keryx::kVaultHeaderBytes + 16, "a header read from a file too short to hold it");
    check(header.value().version == keryx::kVaultVersion, "a header of another version read");
  } else {
    check(vault_code(header.status().code()), "vault_read_header failed with a non-vault code");
  }

  keryx::VaultHeader unsealed_header;
  keryx::Result<keryx::TokenSet> set = keryx::vault_unseal(file, key, &unsealed_header);
  if (!set.ok()) {
    check(vault_code(set.status().code()), "vault_unseal failed with a non-vault code");
    return;
  }
  check(header.ok(), "unsealed a file whose header does not read");
  for (const keryx::TokenRecord& r : set.value().records)
    check(keryx::validate_record(r).ok(), "an invalid record unsealed");

  // What the store writes next: the same records under the same header.
  keryx::Result<keryx::SecretString> resealed = keryx::vault_seal(unsealed_header, key, set.value());
  check(resealed.ok(), "an unsealed vault cannot be sealed again");
  keryx::Result<keryx::TokenSet> again = keryx::vault_unseal(resealed.value().view(), key);
  check(again.ok(), "a resealed vault does not unseal");
  check(same_records(set.value(), again.value()), "a resealed vault holds other records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const keryx::SecretString key(std::string_view(kFuzzKey, keryx::kVaultKeyBytes));
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  run(input, key);
  if (size < keryx::kVaultHeaderBytes) return 0;

  std::string repaired(input);
  auto* bytes = reinterpret_cast<unsigned char*>(repaired.data());
  crypto_generichash(bytes + kOffCheck, 16, bytes, kOffCheck, nullptr, 0);
  run(repaired, key);

  crypto_generichash(bytes + kOffKeyId, 16, reinterpret_cast<const unsigned char*>(kKeyIdContext),
                     sizeof kKeyIdContext - 1, reinterpret_cast<const unsigned char*>(kFuzzKey), keryx::kVaultKeyBytes);
  crypto_generichash(bytes + kOffCheck, 16, bytes, kOffCheck, nullptr, 0);
  run(repaired, key);
  return 0;
}
