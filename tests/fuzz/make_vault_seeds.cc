// make_vault_seeds: writes the seed corpora of vault_fuzz (vault files) and vault_records_fuzz
// (their plaintext record-set JSON) with the core itself: vault_new_header + vault_seal under the
// fuzz key (the same 32 bytes as in vault_fuzz.cc), then truncated and damaged copies.
//   cmake --build build-fuzz --target make_vault_seeds
//   build-fuzz/tests/fuzz/make_vault_seeds tests/fuzz/corpus
// Vault ids and nonces are random, so every run writes different (equally valid) bytes; the
// committed seeds are one such run.
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "token_record.h"
#include "vault_file.h"
#include "vault_key.h"

namespace {

constexpr char kFuzzKey[] = "keryx-fuzz-vault-key-32-bytes!!!";
static_assert(sizeof kFuzzKey - 1 == keryx::kVaultKeyBytes, "the fuzz key is 32 bytes");

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "make_vault_seeds: %s\n", what.c_str());
  std::exit(1);
}

void write(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) die("cannot write " + path);
}

keryx::TokenRecord record(std::string platform, std::string account, std::string access, std::string refresh,
                          std::vector<std::string> scopes, int64_t obtained, int64_t lifetime,
                          int64_t refresh_lifetime) {
  keryx::TokenRecord r;
  r.platform = std::move(platform);
  r.account = std::move(account);
  r.access_token = keryx::SecretString(access);
  r.refresh_token = keryx::SecretString(refresh);
  r.token_type = "Bearer";
  r.scopes = std::move(scopes);
  r.obtained_at = obtained;
  r.expires_at = lifetime == 0 ? 0 : obtained + lifetime;
  r.refresh_expires_at = refresh_lifetime == 0 ? 0 : obtained + refresh_lifetime;
  return r;
}

// The record sets: what `keryx auth` leaves in a vault for the four built-in platforms and a
// generic provider.
std::vector<std::pair<std::string, keryx::TokenSet>> record_sets() {
  const int64_t t = 1767225600;  // 2026-01-01T00:00:00Z
  keryx::TokenSet empty;

  keryx::TokenSet tiktok;
  tiktok.upsert(record("tiktok", "-000OqnjoZkRyyLn2dr4Bw5Q1Vb4pcIETi6P", "act.example0tiktok0access0token0AbCdEf123456",
                       "rft.example0tiktok0refresh0token0ZyXwVu987654",
                       {"user.info.basic", "video.publish", "video.upload"}, t, 86400, 31536000));
  tiktok.records[0].metadata["display_name"] = "keryx test";

  keryx::TokenSet instagram;
  instagram.upsert(record("instagram", "17841400000000001", "IGAAexample0long0lived0instagram0token0QWERTY", "",
                          {"instagram_business_basic", "instagram_business_content_publish"}, t, 5183944, 0));
  instagram.records[0].token_type = "bearer";
  instagram.records[0].metadata["username"] = "keryx.test";

  keryx::TokenSet all;
  all.upsert(tiktok.records[0]);
  all.upsert(instagram.records[0]);
  all.upsert(record("youtube", "UCexampleChannelId0000000", "ya29.a0Example0YouTube0access0token-_0123456789",
                    "1//0gExample0YouTube0refresh0token-_abcdefgh", {"https://www.googleapis.com/auth/youtube.upload"},
                    t, 3599, 0));
  all.records.back().metadata["channel_title"] = "Keryx Test Channel";
  all.upsert(record("linkedin", "abc123XYZ", "AQVexample0linkedin0access0token0-_0123456789", "",
                    {"openid", "profile", "w_member_social"}, t, 5184000, 0));
  all.records.back().metadata["author_urn"] = "urn:li:person:abc123XYZ";
  all.upsert(record("linkedin", "def456UVW", "AQVexample0second0linkedin0account0token", "", {"w_member_social"},
                    t + 60, 5184000, 0));
  all.upsert(record("my-oidc", "sub-4f1c2a", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdWItNGYxYzJhIn0.c2lnbmF0dXJl",
                    "refresh-\u00e9t\u00e9-\u2603", {}, t, 0, 0));
  all.records.back().metadata["issuer"] = "https://issuer.example";
  all.records.back().metadata["note \u2192 unicode"] = "caf\u00e9 \U0001F511";

  return {{"empty", empty}, {"tiktok", tiktok}, {"instagram", instagram}, {"all-platforms", all}};
}

keryx::VaultHeader header_for(keryx::KeyProviderKind provider, bool passphrase) {
  keryx::KeyMaterial material;
  material.provider = provider;
  material.is_passphrase = passphrase;
  material.secret = keryx::SecretString(std::string_view(kFuzzKey, keryx::kVaultKeyBytes));
  keryx::VaultHeader h = keryx::vault_new_header(material, std::string(16, '\x42'));
  h.generation = 3;
  return h;
}

std::string seal(const keryx::VaultHeader& h, const keryx::TokenSet& set) {
  keryx::SecretString key(std::string_view(kFuzzKey, keryx::kVaultKeyBytes));
  keryx::Result<keryx::SecretString> sealed = keryx::vault_seal(h, key, set);
  if (!sealed.ok()) die("vault_seal: " + sealed.status().to_string());
  keryx::Result<keryx::TokenSet> back = keryx::vault_unseal(sealed.value().view(), key);
  if (!back.ok()) die("vault_unseal of a fresh seed: " + back.status().to_string());
  return std::string(sealed.value().view());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: make_vault_seeds <corpus dir> (writes <dir>/vault_fuzz and <dir>/vault_records_fuzz)");
  if (sodium_init() < 0) die("sodium_init failed");
  const std::string vault_dir = std::string(argv[1]) + "/vault_fuzz/";
  const std::string records_dir = std::string(argv[1]) + "/vault_records_fuzz/";

  const auto sets = record_sets();
  for (const auto& [name, set] : sets) {
    keryx::Result<keryx::SecretString> json = keryx::records_to_json(set);
    if (!json.ok()) die("records_to_json: " + json.status().to_string());
    write(records_dir + name + ".json", json.value().view());
  }

  // Whole vaults: each key provider, raw key and passphrase-style (Argon2id header) sealed with the fuzz key.
  const keryx::TokenSet& all = sets.back().second;
  write(vault_dir + "keychain-all-platforms.vault", seal(header_for(keryx::KeyProviderKind::kKeychain, false), all));
  write(vault_dir + "env-tiktok.vault", seal(header_for(keryx::KeyProviderKind::kEnv, false), sets[1].second));
  write(vault_dir + "key-file-instagram.vault",
        seal(header_for(keryx::KeyProviderKind::kKeyFile, false), sets[2].second));
  write(vault_dir + "key-file-empty.vault", seal(header_for(keryx::KeyProviderKind::kKeyFile, false), sets[0].second));
  const std::string passphrase = seal(header_for(keryx::KeyProviderKind::kPassphrase, true), sets[1].second);
  write(vault_dir + "passphrase-tiktok.vault", passphrase);

  // Damaged copies of one vault, one per failure the reader tells apart.
  const std::string base = seal(header_for(keryx::KeyProviderKind::kKeychain, false), sets[1].second);
  write(vault_dir + "truncated-in-magic.vault", base.substr(0, 5));
  write(vault_dir + "truncated-in-header.vault", base.substr(0, 100));
  write(vault_dir + "truncated-header-only.vault", base.substr(0, keryx::kVaultHeaderBytes));
  write(vault_dir + "truncated-last-byte.vault", base.substr(0, base.size() - 1));
  write(vault_dir + "trailing-bytes.vault", base + "\n");
  std::string flipped = base;
  flipped[base.size() - 20] ^= 0x01;
  write(vault_dir + "ciphertext-bit-flip.vault", flipped);
  std::string header_flip = base;
  header_flip[80] ^= 0x01;  // generation: header_check no longer matches
  write(vault_dir + "header-bit-flip.vault", header_flip);
  std::string version = base;
  version[8] = 2;
  write(vault_dir + "version-2.vault", version);
  std::string magic = base;
  magic[0] = 'k';
  write(vault_dir + "bad-magic.vault", magic);
  return 0;
}
