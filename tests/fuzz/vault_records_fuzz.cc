// vault_records_fuzz: the vault's plaintext, the record-set JSON that vault_unseal parses after
// decryption ({"v":1,"records":[...]}, parsed in place by records_from_json / parse_records).
// vault_fuzz cannot reach it with mutated bytes (the AEAD refuses them), so it is fuzzed directly;
// seeds are records_to_json output made by make_vault_seeds.cc.
// Invariants (trap on violation): failures are vault_corrupt or vault_format_unsupported; every
// record parsed is valid (validate_record) with a unique (platform, account); a parsed set encodes
// again (records_to_json), parses back to the same records, and seals and unseals to them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "token_record.h"
#include "vault_file.h"

namespace {

constexpr char kFuzzKey[] = "keryx-fuzz-vault-key-32-bytes!!!";
static_assert(sizeof kFuzzKey - 1 == keryx::kVaultKeyBytes, "the fuzz key is 32 bytes");

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "vault_records_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
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

keryx::VaultHeader fixed_header() {
  keryx::VaultHeader h;
  h.provider = keryx::KeyProviderKind::kKeyFile;
  h.kdf = keryx::VaultKdf::kNone;
  h.salt = std::string(keryx::kVaultSaltBytes, '\0');
  h.vault_id = std::string(keryx::kVaultIdBytes, 'v');
  h.install_id = std::string(16, 'i');
  h.generation = 7;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const keryx::SecretString key(std::string_view(kFuzzKey, keryx::kVaultKeyBytes));
  static const keryx::VaultHeader header = fixed_header();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  keryx::Result<keryx::TokenSet> set = keryx::records_from_json(input);
  if (!set.ok()) {
    check(set.status().code() == keryx::Code::kVaultCorrupt ||
              set.status().code() == keryx::Code::kVaultFormatUnsupported,
          "records_from_json failed with a non-vault code");
    return 0;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const keryx::TokenRecord& r : set.value().records) {
    check(keryx::validate_record(r).ok(), "an invalid record parsed");
    check(seen.emplace(r.platform, r.account).second, "two records with the same platform and account");
  }

  keryx::Result<keryx::SecretString> json = keryx::records_to_json(set.value());
  check(json.ok(), "a parsed record set does not encode again");
  keryx::Result<keryx::TokenSet> back = keryx::records_from_json(json.value().view());
  check(back.ok(), "an encoded record set does not parse");
  check(same_records(set.value(), back.value()), "an encoded record set parses to other records");

  keryx::Result<keryx::SecretString> sealed = keryx::vault_seal(header, key, set.value());
  check(sealed.ok(), "a parsed record set cannot be sealed");
  keryx::Result<keryx::TokenSet> unsealed = keryx::vault_unseal(sealed.value().view(), key);
  check(unsealed.ok(), "a sealed record set does not unseal");
  check(same_records(set.value(), unsealed.value()), "a sealed record set unseals to other records");
  return 0;
}
